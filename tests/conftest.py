import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))  # the stdlib LSP client, the malformed corpus

import os
import tempfile

# Tests (and the servers they start) keep their index cache out of the user's ~/.cache.
os.environ.setdefault("TUNECONF_CACHE_DIR", tempfile.mkdtemp(prefix="tuneconf-test-cache-"))

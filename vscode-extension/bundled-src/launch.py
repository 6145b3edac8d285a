"""Start the tuneconf CLI from the libraries bundled with the VS Code extension.

The extension runs `python -I bundled/tool/launch.py serve`: `-I` keeps the user's PYTHONPATH and
user site-packages out, and `bundled/libs` goes first on sys.path, so the server always runs on the
tuneconf, pygls and lsprotocol it shipped with, whatever the user's environment holds.
"""

import os
import sys

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "libs")))

from tuneconf.cli import main  # noqa: E402 - needs the bundled libs on sys.path first

raise SystemExit(main(sys.argv[1:]))

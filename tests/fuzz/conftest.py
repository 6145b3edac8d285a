import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the edit strategies

common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]}
settings.register_profile("ci", max_examples=2000, **common)
settings.register_profile("fuzz", max_examples=20000, **common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

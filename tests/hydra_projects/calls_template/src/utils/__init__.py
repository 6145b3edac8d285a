from src.utils.builders import build_callbacks, build_loggers
from src.utils.records import record_settings
from src.utils.wrappers import wrap_task

__all__ = ["build_callbacks", "build_loggers", "record_settings", "wrap_task"]

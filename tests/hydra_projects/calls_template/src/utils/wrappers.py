"""A decorator around the task function."""

from collections.abc import Callable
from typing import Any


def wrap_task(task: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(cfg: Any) -> Any:
        return task(cfg)

    return wrapped

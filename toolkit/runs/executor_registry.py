"""Choose the executor a run config names: ``local`` (in process) or ``ray`` (imported only when asked for)."""

from __future__ import annotations

from typing import Any

from toolkit.errors import UnknownNameError
from toolkit.runs.executors import Executor, LocalExecutor

EXECUTORS = ("local", "ray")


def make_executor(name: str, options: Any = None) -> Executor:
    """Build the executor a config names (``local`` or ``ray``).

    Example:
        >>> type(make_executor("local")).__name__
        'LocalExecutor'
    """
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        from toolkit.runs.ray_executor import RayExecutor

        return RayExecutor(options)
    raise UnknownNameError("executor", name, list(EXECUTORS))

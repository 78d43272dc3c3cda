"""Run a stage's batch task on a Ray cluster with Ray Data ``map_batches`` over an actor pool.

The engine hands :meth:`RayExecutor.map_batches` the documents still to do (stored ones are filtered out
before), and stores each ``(batch, rows)`` pair as it is yielded, so results stream back and are saved
incrementally, exactly as with :class:`toolkit.runs.executors.LocalExecutor`.

How the work is laid out (the Ray Data batch-inference pattern):

- one actor per ``ray.num_actors``, each holding one copy of the task; the task is pickled without its
  loaded model (see ``SummarizeTask.__getstate__``) and each actor calls ``setup()`` once, so a model is
  loaded once per actor, on a GPU when ``ray.num_gpus_per_actor`` > 0;
- ``ray.batch_size`` documents per call;
- rows travel as JSON strings, one column, so that nested values (edit lists, settings dicts, ``None``)
  never go through Arrow type inference and the stored rows are byte-identical to the local executor's.

``ray.init`` connects to ``ray.address`` when set, else to ``RAY_ADDRESS`` when set, else does what Ray does
with no address (join a cluster started on this machine by ``ray start``, or start a local instance); a Ray
instance already started in this process (``ray.init`` by the caller) is reused.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from toolkit.errors import ConfigError, ToolkitError

if TYPE_CHECKING:
    from toolkit.runs.config import RayConfig
    from toolkit.runs.executors import BatchTask

INSTALL_HINT = "executor 'ray' needs the ray extra: pip install -e '.[ray]'"


def probe_ray_address(address: str, source: str, timeout: float | None = None) -> None:
    """Fail in seconds, with one line, when nothing listens at a ``host:port`` Ray address.

    ``ray.init`` itself retries for minutes and logs dozens of lines before giving up. ``auto``, ``local``
    and addresses without a port are left to Ray.

    Args:
        address: ``host:port`` or ``ray://host:port``.
        source: where the address came from (``ray.address`` or ``RAY_ADDRESS``), named in the message.
        timeout: seconds to wait (default :data:`toolkit.limits.RAY_PROBE_SECONDS`).

    Raises:
        ConfigError: nothing accepted a TCP connection there.

    Example:
        >>> probe_ray_address("auto", "ray.address")  # left to Ray
    """
    import socket

    from toolkit.errors import shown
    from toolkit.limits import RAY_PROBE_SECONDS

    target = address.split("://", 1)[-1]
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout or RAY_PROBE_SECONDS):
            return
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        unset = "unset RAY_ADDRESS" if source == "RAY_ADDRESS" else "fix ray.address"
        raise ConfigError([f"{source} {shown(address)}: nothing answers at {host}:{port} ({reason}); start the "
                           f"cluster there (ray start --head), {unset}, or use executor: local"]) from None


def import_ray() -> Any:
    """Import ``ray`` and ``ray.data``, or fail with one line saying how to install them.

    Raises:
        ConfigError: ``ray[data]`` is not installed.

    Example:
        >>> import_ray().__name__  # doctest: +SKIP
        'ray'
    """
    try:
        import ray
        import ray.data  # noqa: F401  (ray without the data extra lacks pyarrow)
    except ImportError:
        raise ConfigError([INSTALL_HINT]) from None
    return ray


class _TaskActor:
    """Ray Data callable class: one task instance per actor, set up once, then called per batch.

    A task's exception is sent back as data (an ``error`` column) instead of killing the actor: Ray would
    otherwise retry a failed set-up and drop the original error, and the driver could not re-raise a
    :class:`ToolkitError` with its one-line message.
    """

    def __init__(self, task: "BatchTask", cwd: str) -> None:
        self.task = task
        self.error = _set_up(task, cwd)  # reported to the driver with the first batch

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        index = np.asarray(batch["index"], dtype=np.int64)
        error = self.error
        rows: list[dict[str, Any]] = []
        if error is None:
            items = [json.loads(text) for text in batch["row"]]
            try:
                rows = self.task(items)
                if len(rows) != len(items):
                    raise RuntimeError(f"{type(self.task).__name__} returned {len(rows)} rows for a batch of {len(items)}")
            except Exception as exc:  # noqa: BLE001 - re-raised on the driver
                error = _describe_error(exc)
        if error is not None:
            return {"index": index[:1], "row": np.array(["null"], dtype=object), "error": np.array([error], dtype=object)}
        return {
            "index": index,
            "row": np.array([json.dumps(row, ensure_ascii=False) for row in rows], dtype=object),
            "error": np.array([""] * len(rows), dtype=object),
        }


def _set_up(task: Any, cwd: str) -> str | None:
    """Set a task up on a worker; the error it raised, described for the driver, or None.

    Relative paths in a config (data, glossary, model folders) are relative to the driver's folder; on a
    node that has that folder (the same machine, or a shared filesystem) they resolve the same way.
    """
    if os.path.isdir(cwd):
        os.chdir(cwd)
    try:
        task.setup()
    except Exception as exc:  # noqa: BLE001 - re-raised on the driver
        return _describe_error(exc)
    return None


def _describe_on_worker(task: Any, cwd: str) -> dict[str, Any]:
    """Ray task body of :meth:`RayExecutor.describe`: describe the task where actors run (from its files:
    no model is loaded, see ``SummarizeTask.describe``)."""
    if os.path.isdir(cwd):
        os.chdir(cwd)
    try:
        return task.describe()
    except Exception as exc:  # noqa: BLE001 - re-raised on the driver
        return {"error": _describe_error(exc)}


def _describe_error(exc: BaseException) -> str:
    """An actor's error as text for the driver; a ToolkitError travels pickled, with all its fields."""
    import base64
    import pickle
    import traceback

    kind = type(exc)
    info = {"module": kind.__module__, "qualname": kind.__qualname__, "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc))}
    if isinstance(exc, ToolkitError):
        info["pickled"] = base64.b64encode(pickle.dumps(exc)).decode("ascii")
    return json.dumps(info)


def _raise_task_error(text: str) -> None:
    """Re-raise on the driver an error a task raised in an actor: a ToolkitError keeps its class and fields
    (``ConfigError.problems``, ``UnknownNameError.available``); any other error becomes a RuntimeError with the
    actor's traceback as a note."""
    import base64
    import pickle

    info = json.loads(text)
    if "pickled" in info:  # written by _describe_error in one of this run's own actors
        error = pickle.loads(base64.b64decode(info["pickled"]))
        if isinstance(error, ToolkitError):
            raise error
    error = RuntimeError(f"{info['qualname']}: {info['message']} (raised in a Ray actor)")
    error.add_note(info["traceback"])
    raise error


def actor_resources(options: "RayConfig") -> dict[str, float]:
    """The resources each actor asks Ray for: CPUs, and GPUs only when the config asks for some.

    Example:
        >>> from toolkit.runs.config import RayConfig
        >>> actor_resources(RayConfig(num_gpus_per_actor=0.5))
        {'num_cpus': 1.0, 'num_gpus': 0.5}
        >>> actor_resources(RayConfig())
        {'num_cpus': 1.0}
    """
    resources = {"num_cpus": options.num_cpus_per_actor}
    if options.num_gpus_per_actor > 0:
        resources["num_gpus"] = options.num_gpus_per_actor
    return resources


def _block(items: Sequence[dict[str, Any]], start: int, size: int) -> Any:
    """One input block of exactly one batch, so each result comes back as soon as its batch is done."""
    import pyarrow as pa

    chunk = items[start : start + size]
    return pa.table({
        "index": pa.array(range(start, start + len(chunk)), type=pa.int64()),
        "row": pa.array([json.dumps(row, ensure_ascii=False) for row in chunk], type=pa.string()),
    })


class RayExecutor:
    """Maps a batch task over documents with Ray Data ``map_batches`` on a pool of actors.

    Args:
        options: the config's ``ray`` section (address, num_actors, batch_size, num_cpus_per_actor,
            num_gpus_per_actor); defaults when None.

    Raises:
        ConfigError: ``ray[data]`` is not installed (raised here, before any stage runs).
    """

    name = "ray"

    def __init__(self, options: "RayConfig | None" = None) -> None:
        from toolkit.runs.config import RayConfig

        self.options = options if options is not None else RayConfig()
        self._ray = import_ray()

    def _connect(self) -> None:
        """Reuse this process's Ray instance, else connect to ``ray.address`` / ``RAY_ADDRESS``, else start one."""
        ray = self._ray
        if ray.is_initialized():
            return
        address = self.options.address or os.environ.get("RAY_ADDRESS") or None
        if address is None:
            ray.init(include_dashboard=False, log_to_driver=False)
        else:
            probe_ray_address(address, "ray.address" if self.options.address else "RAY_ADDRESS")
            ray.init(address=address, log_to_driver=False)

    def describe(self, task: Any) -> dict[str, Any]:
        """``task.describe()`` run as a Ray task with an actor's resources, so on the device actors get.

        The fingerprint names the device and dtype the actors will use; describing loads no model (it is
        computed from the model's files). The worker exits after the call (``max_calls=1``).

        Raises:
            ToolkitError: of the class and with the message the task raised (e.g. a model not found there).
        """
        self._connect()
        ray = self._ray
        probe = ray.remote(max_calls=1, **actor_resources(self.options))(_describe_on_worker)
        result = ray.get(probe.remote(task, os.getcwd()))
        if "error" in result:
            _raise_task_error(result["error"])
        return result

    def map_batches(
        self, task: "BatchTask", batches: Sequence[Sequence[dict[str, Any]]]
    ) -> Iterator[tuple[Sequence[dict[str, Any]], list[dict[str, Any]]]]:
        """Run ``task`` over every row of ``batches`` on the actor pool, yielding results as they complete.

        The engine's batches are flattened and re-batched by ``ray.batch_size``; each yielded pair is
        ``(the input rows of one Ray batch, their result rows)`` in the same order, batches in any order.

        Raises:
            ToolkitError: of the class and with the message a task raised inside an actor (e.g. a model
                that cannot be loaded there).
            RuntimeError: any other error a task raised in an actor (its traceback in a note).
        """
        items = [row for batch in batches for row in batch]
        if not items:
            return
        self._connect()
        ray = self._ray
        opts = self.options
        size = min(opts.batch_size, len(items))
        # The engine draws its own progress bars as batches come back: switch Ray Data's bars and
        # per-dataset INFO lines off while this runs (a dataset copies the context when it is created).
        context = ray.data.DataContext.get_current()
        logger = logging.getLogger("ray.data")
        saved_bars, saved_level = context.enable_progress_bars, logger.level
        context.enable_progress_bars = False
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
        try:
            dataset = ray.data.from_arrow([_block(items, start, size) for start in range(0, len(items), size)])
            results = dataset.map_batches(
                _TaskActor,
                fn_constructor_args=(task, os.getcwd()),
                batch_size=size,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=opts.num_actors),
                **actor_resources(opts),
            )
            for out in results.iter_batches(batch_size=None, batch_format="numpy"):
                for text in out["error"]:
                    if text:
                        _raise_task_error(text)
                indices = [int(i) for i in out["index"]]
                yield [items[i] for i in indices], [json.loads(text) for text in out["row"]]
        finally:
            context.enable_progress_bars = saved_bars
            logger.setLevel(saved_level)

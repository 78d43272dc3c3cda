"""Run a run's batch tasks on a Ray cluster, on one pool of actors kept for the whole run.

The engine hands :meth:`RayExecutor.map_batches` the documents still to do (stored ones are filtered out
before), and stores each ``(batch, rows)`` pair as it is yielded, so results stream back and are saved
incrementally, exactly as with :class:`toolkit.runs.executors.LocalExecutor`.

How the work is laid out (Ray Data's batch-inference pattern, with actors that outlive a stage; Ray Data's
``map_batches`` starts a new actor pool for every dataset, ~9 s and a model load each):

- ``ray.num_actors`` actors, created once per run; each sets a task up (``setup()``) the first time it
  meets it and keeps it, keyed by the task's fingerprint, so a model is loaded once per actor per run, on
  a GPU when ``ray.num_gpus_per_actor`` > 0, and every stage and shard reuses it; the task is pickled
  without its loaded model (see ``SummarizeTask.__getstate__``) and put in the object store once;
- ``ray.batch_size`` documents per call, at most :data:`IN_FLIGHT_PER_ACTOR` calls in flight per actor
  (memory stays bounded whatever the corpus size; the input may be a generator);
- rows travel as JSON strings, so that nested values (edit lists, settings dicts, ``None``) never go
  through Arrow type inference and the stored rows are byte-identical to the local executor's.

``ray.init`` connects to ``ray.address`` when set, else to ``RAY_ADDRESS`` when set, else does what Ray does
with no address (join a cluster started on this machine by ``ray start``, or start a local instance); a Ray
instance already started in this process (``ray.init`` by the caller) is reused.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from toolkit.errors import ConfigError, ToolkitError
from toolkit.runs.executors import chunks

if TYPE_CHECKING:
    from toolkit.runs.config import RayConfig
    from toolkit.runs.executors import BatchTask

INSTALL_HINT = "executor 'ray' needs the ray extra: pip install -e '.[ray]'"
IN_FLIGHT_PER_ACTOR = 2  # batches sent to an actor ahead of its results: bounded memory, no idle actor


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


class _Worker:
    """A Ray actor created once per run: it keeps every task it has set up (keyed by the task's fingerprint,
    so a model stays loaded across stages and shards) and runs batches of JSON rows through them.

    A task's exception is sent back as data (``{"error": ...}``) instead of killing the actor: Ray would
    otherwise restart it and drop the original error, and the driver could not re-raise a
    :class:`ToolkitError` with its one-line message.
    """

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.tasks: dict[str, Any] = {}
        self.errors: dict[str, str | None] = {}

    def describe(self, task: Any) -> dict[str, Any]:
        return _describe_on_worker(task, self.cwd)

    def set_up(self) -> dict[str, str]:
        """Task key -> the task's class, for every task this actor has set up (each once)."""
        return {key: type(task).__name__ for key, task in self.tasks.items()}

    def run(self, key: str, shipped: list[Any], rows: list[str]) -> dict[str, Any]:
        """Rows (JSON text) through the task ``key``; ``shipped[0]`` is the task's object ref, fetched and
        set up the first time this actor meets ``key``."""
        if key not in self.errors:
            import ray

            task = ray.get(shipped[0])
            self.errors[key] = _set_up(task, self.cwd)
            self.tasks[key] = task
        error = self.errors[key]
        if error is not None:
            return {"error": error}
        items = [json.loads(text) for text in rows]
        try:
            out = self.tasks[key](items)
            if len(out) != len(items):
                raise RuntimeError(f"{type(self.tasks[key]).__name__} returned {len(out)} rows for a batch of {len(items)}")
        except Exception as exc:  # noqa: BLE001 - re-raised on the driver
            return {"error": _describe_error(exc)}
        return {"rows": [json.dumps(row, ensure_ascii=False) for row in out]}


def task_key(task: Any) -> str:
    """A task's fingerprint: sha256 of its pickled state (without loaded models or hooks, see ``__getstate__``).

    Example:
        >>> from toolkit.runs.stages import ScoreTask
        >>> task_key(ScoreTask(["rouge1"], {}, None)) == task_key(ScoreTask(["rouge1"], {}, None))
        True
        >>> task_key(ScoreTask(["rouge1"], {}, None)) == task_key(ScoreTask(["bleu"], {}, None))
        False
    """
    import hashlib
    import pickle

    return hashlib.sha256(pickle.dumps(task, protocol=4)).hexdigest()


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


class RayExecutor:
    """Maps batch tasks over documents on a pool of Ray actors created once and kept for the whole run.

    The pool (``ray.num_actors`` actors with ``ray.num_cpus_per_actor`` / ``ray.num_gpus_per_actor`` each) is
    created on first use. Every stage and shard of a run goes through the same actors, and each actor keeps
    each task it has set up, keyed by :func:`task_key`: a summariser's model is loaded once per actor per
    run, not once per stage or shard. At most :data:`IN_FLIGHT_PER_ACTOR` batches per actor are in flight,
    so the object store and the driver hold a bounded number of rows whatever the corpus size. The actors
    end with :meth:`close` (the engine calls it at the end of a run); the process's executors of the same
    shape share one pool (see :class:`_Pool`).

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

    def _pool(self) -> list[Any]:
        """The actors of this process's pool, created on first use (see :class:`_Pool`)."""
        self._connect()
        return _POOL.actors(self._ray, self.options)

    def close(self) -> None:
        """End the pool's actors (their models go with them); a later call creates a new pool."""
        _POOL.close(self._ray)

    def describe(self, task: Any) -> dict[str, Any]:
        """``task.describe()`` run on one of the run's actors, so on the device the batches will use.

        The fingerprint names the device and dtype the actors use; describing loads no model (it is
        computed from the model's files).

        Raises:
            ToolkitError: of the class and with the message the task raised (e.g. a model not found there).
        """
        result = self._ray.get(self._pool()[0].describe.remote(task))
        if "error" in result:
            _raise_task_error(result["error"])
        return result

    def map_batches(
        self, task: "BatchTask", batches: Iterable[Sequence[dict[str, Any]]]
    ) -> Iterator[tuple[Sequence[dict[str, Any]], list[dict[str, Any]]]]:
        """Run ``task`` over every row of ``batches`` on the actors, yielding results as they complete.

        ``batches`` may be a generator: rows are re-batched by ``ray.batch_size`` as they are read, and
        at most :data:`IN_FLIGHT_PER_ACTOR` batches per actor are sent ahead of the results. Each yielded
        pair is ``(the input rows of one Ray batch, their result rows)`` in the same order, batches in any
        order. Nothing is started when there is nothing to do.

        Raises:
            ToolkitError: of the class and with the message a task raised inside an actor (e.g. a model
                that cannot be loaded there).
            RuntimeError: any other error a task raised in an actor (its traceback in a note).
        """
        # rows re-batched by ray.batch_size as they are read
        rebatched = chunks((row for batch in batches for row in batch), self.options.batch_size)
        first = next(rebatched, None)
        if first is None:
            return
        ray = self._ray
        actors = self._pool()
        key = task_key(task)
        shipped = [_POOL.shipped(ray, key, task)]  # in a list: Ray passes the ref, an actor fetches it once
        pending: dict[Any, tuple[int, list[dict[str, Any]]]] = {}
        load = [0] * len(actors)
        limit = IN_FLIGHT_PER_ACTOR * len(actors)
        todo: Iterator[list[dict[str, Any]]] = itertools.chain([first], rebatched)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < limit:
                chunk = next(todo, None)
                if chunk is None:
                    exhausted = True
                    break
                at = min(range(len(actors)), key=load.__getitem__)
                ref = actors[at].run.remote(key, shipped, [json.dumps(row, ensure_ascii=False) for row in chunk])
                pending[ref] = (at, chunk)
                load[at] += 1
            if not pending:
                break
            [done], _ = ray.wait(list(pending), num_returns=1)
            at, chunk = pending.pop(done)
            load[at] -= 1
            out = ray.get(done)
            if "error" in out:
                _raise_task_error(out["error"])
            yield chunk, [json.loads(text) for text in out["rows"]]


class _Pool:
    """The one actor pool of this process, shared by every :class:`RayExecutor` with the same shape.

    One pool at a time: actors reserve their CPUs and GPUs, so a second pool beside the first could wait
    forever for resources on a small cluster (an executor left unreferenced still holds its actors until
    collected). An executor asking for another shape (actor count or resources) replaces the pool, and a
    new Ray instance (``ray.shutdown`` then ``ray.init``) starts a new one.
    """

    def __init__(self) -> None:
        self.shape: tuple[Any, ...] | None = None
        self.list: list[Any] = []
        self.refs: dict[str, Any] = {}  # task key -> object ref of the pickled task

    @staticmethod
    def _instance(ray: Any) -> tuple[str, str]:
        context = ray.get_runtime_context()
        return context.get_node_id(), context.get_job_id()

    def actors(self, ray: Any, options: "RayConfig") -> list[Any]:
        shape = (self._instance(ray), options.num_actors, tuple(sorted(actor_resources(options).items())), os.getcwd())
        if shape != self.shape or not self.list:
            self.close(ray)
            worker = ray.remote(**actor_resources(options))(_Worker)
            self.list = [worker.remote(os.getcwd()) for _ in range(options.num_actors)]
            self.shape = shape
        return self.list

    def shipped(self, ray: Any, key: str, task: Any) -> Any:
        if key not in self.refs:
            self.refs[key] = ray.put(task)
        return self.refs[key]

    def close(self, ray: Any) -> None:
        if self.list and ray.is_initialized() and self.shape is not None and self.shape[0] == self._instance(ray):
            for actor in self.list:
                with contextlib.suppress(Exception):  # an actor that is gone already
                    ray.kill(actor)
        self.list, self.refs, self.shape = [], {}, None


_POOL = _Pool()

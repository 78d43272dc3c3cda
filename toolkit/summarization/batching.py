"""Batched generation helpers: device, dtype and thread choice; length-sorted batches.

Texts are sorted by token length (longest first, so memory peaks in the first batch) and cut into
batches; padding goes on the left for decoder-only models so every row's last token is real. Results
are returned in the caller's order.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

# bfloat16 on CPU, measured on SmolLM2-135M (eval/bench/results/summarize.md, 50 docs, 64 greedy tokens):
# 2.2x faster than float32 but only 21/50 texts equal the float32 ones, ROUGE-L 81.7 against them (bar: 95),
# so "auto" keeps float32 on CPU; bfloat16 stays opt-in there (dtype="bfloat16"). On CUDA too (below).
CPU_AUTO_DTYPE = "float32"
# float32 on CUDA too: on an H100, SmolLM2-135M gave the same greedy texts in bfloat16 but ran 4x slower
# (83 vs 326 new tokens/s, eval/gpu/results/check_cuda_h100.json); bfloat16 stays available with dtype=bfloat16.
CUDA_AUTO_DTYPE = "float32"

# precision "fast": the smallest batch it generates with, and the dtype "auto" resolves to per device.
# The bfloat16 candidate FAILED its quality proof (eval/fast_quality.md, 20 dev documents: ROUGE-1 -1.65,
# p=0.027; ROUGE-L -1.15, p=0.019; mean |delta| 1.36 > 0.5), and on an AVX2-only CPU it is also slower
# (a bfloat16 linear layer 0.14-0.36x float32, eval/bench/results/summarize_fast.md), so FAST_BF16 is off:
# "fast" is float32 with batches of at least FAST_MIN_BATCH, the same texts as "exact" (batch invariance):
# 32 since greedy decoding prefills a few rows at a time and decodes the batch together (summarization.greedy),
# the fastest batch of eval/bench/results/summarize_greedy.md (4.5x the naive loop, against 4.2x at 64 and
# 3.2x at 16).
# It would take bfloat16 only on CPUs with native bfloat16 (AVX512-BF16, AMX), where SmolLM2 ran 2.2x faster
# (eval/bench/results/summarize.md, 2026-11-27), once a path passes the proof. On CUDA float32 stayed the
# faster dtype for SmolLM2 (note above).
FAST_MIN_BATCH = 32
FAST_BF16 = False
_NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_bf16(cpuinfo: str | None = None) -> bool:
    """True when the CPU has native bfloat16 instructions (Linux ``/proc/cpuinfo`` flags).

    Example:
        >>> cpu_has_bf16("flags : fpu avx2 avx512f avx512_bf16"), cpu_has_bf16("flags : fpu avx avx2")
        (True, False)
    """
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
                cpuinfo = handle.read(1 << 16)
        except OSError:
            return False
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), [])
    return any(flag in flags for flag in _NATIVE_BF16_FLAGS)


def fast_dtype(device: str) -> str:
    """The dtype ``precision: fast`` runs in on ``device`` (``dtype: auto``).

    Example:
        >>> fast_dtype("cuda:0"), fast_dtype("cpu")  # bfloat16 failed its quality proof (FAST_BF16 off)
        ('float32', 'float32')
    """
    if device.startswith("cuda") or not FAST_BF16:
        return "float32"
    return "bfloat16" if cpu_has_bf16() else "float32"

# Device nodes of a GPU driver: without any of them torch cannot see a CUDA (or ROCm) device, so
# ``choose_device`` need not import torch (1-2 s) to answer "cpu" (a warm run loads no model).
_GPU_NODES = ("/dev/nvidiactl", "/dev/nvidia0", "/proc/driver/nvidia", "/dev/dxg", "/dev/kfd")


def gpu_possible() -> bool:
    """False only when this is Linux and no GPU driver node exists (then torch sees no CUDA device).

    Example:
        >>> isinstance(gpu_possible(), bool)
        True
    """
    if not sys.platform.startswith("linux"):
        return True
    return any(os.path.exists(node) for node in _GPU_NODES)


def choose_device(device: str | None = None) -> str:
    """``device`` if given, else ``cuda`` when torch sees a GPU, else ``cpu``.

    Example:
        >>> choose_device("cpu")
        'cpu'
    """
    if not device and not gpu_possible():
        return "cpu"
    import torch

    if device:
        if device.startswith("cuda") and not torch.cuda.is_available():
            from toolkit.errors import ConfigError

            raise ConfigError([f"device '{device}': torch sees no CUDA GPU here; use --device cpu (or leave it unset)"])
        return device

    return "cuda" if torch.cuda.is_available() else "cpu"


def choose_dtype(dtype: str, device: str) -> str:
    """Resolve ``"auto"`` to a concrete dtype name for ``device``.

    Example:
        >>> choose_dtype("auto", "cpu"), choose_dtype("auto", "cuda"), choose_dtype("bfloat16", "cpu")
        ('float32', 'float32', 'bfloat16')
    """
    if dtype != "auto":
        return dtype
    return CUDA_AUTO_DTYPE if device.startswith("cuda") else CPU_AUTO_DTYPE


def resolve_dtype(dtype: str, device: str, precision: str = "exact") -> str:
    """The dtype a summariser runs in: ``dtype`` when explicit, else per device and precision.

    Example:
        >>> resolve_dtype("auto", "cpu"), resolve_dtype("float32", "cpu", "fast"), resolve_dtype("bfloat16", "cpu")
        ('float32', 'float32', 'bfloat16')
        >>> resolve_dtype("auto", "cpu", "fast") == fast_dtype("cpu"), resolve_dtype("auto", "cuda:1", "fast")
        (True, 'float32')
    """
    if dtype == "auto" and precision == "fast":
        return fast_dtype(device)
    return choose_dtype(dtype, device)


def torch_dtype(name: str) -> Any:
    """The torch dtype object for a dtype name."""
    import torch

    return {"float32": torch.float32, "bfloat16": torch.bfloat16}[name]


def available_cpus() -> int:
    """CPUs this process may run on.

    Example:
        >>> available_cpus() >= 1
        True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


SMALL_MODEL_PARAMS = 5_000_000


def choose_threads(n_params: int, *, cpus: int | None = None, load: float | None = None) -> int:
    """Intra-op threads for a model of ``n_params`` parameters on this CPU.

    ``$TOOLKIT_NUM_THREADS`` wins. Otherwise one thread for tiny models (per-op overhead dominates)
    or when other processes already keep every CPU busy (spinning OpenMP threads then lose 10-25x,
    measured on this 2-core machine); all CPUs otherwise.

    Example:
        >>> choose_threads(135_000_000, cpus=2, load=0.5), choose_threads(135_000_000, cpus=2, load=9.0)
        (2, 1)
        >>> choose_threads(10_000, cpus=8, load=0.0)
        1
    """
    explicit = os.environ.get("TOOLKIT_NUM_THREADS", "").strip()
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    cpus = cpus or available_cpus()
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
    if n_params < SMALL_MODEL_PARAMS or load >= cpus + 1:
        return 1
    return cpus


@contextlib.contextmanager
def torch_threads(n: int | None = None) -> Iterator[None]:
    """Run a block with ``n`` intra-op threads (default: all available CPUs), then restore.

    Example:
        >>> with torch_threads(1):
        ...     pass
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, n or available_cpus()))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def length_sorted_batches(lengths: Sequence[int], batch_size: int, *, balanced: bool = False) -> list[list[int]]:
    """Indices grouped into batches of similar length, longest first (stable for ties).

    Args:
        lengths: Token count of each item.
        batch_size: Items per batch at most (>= 1).
        balanced: Spread the items evenly over the fewest batches of at most ``batch_size`` (50 items at 48:
            25 + 25, not 48 + 2, whose last batch would decode 2 rows for as many steps as 48). Only for
            outputs that do not depend on which items share a batch (greedy search, not seeded sampling).

    Returns:
        Batches of indices into ``lengths``.

    Example:
        >>> length_sorted_batches([5, 1, 9, 3], 2)
        [[2, 0], [3, 1]]
        >>> [len(b) for b in length_sorted_batches(range(50), 48)]
        [48, 2]
        >>> [len(b) for b in length_sorted_batches(range(50), 48, balanced=True)]
        [25, 25]
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    if balanced and order:
        count = -(-len(order) // batch_size)
        base, extra = divmod(len(order), count)
        sizes = [base + (i < extra) for i in range(count)]
        starts = [sum(sizes[:i]) for i in range(count)]
        return [order[start : start + size] for start, size in zip(starts, sizes)]
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def pad_batch(rows: Sequence[Sequence[int]], pad_id: int, *, left: bool) -> tuple[Any, Any]:
    """Pad token-id rows into ``(input_ids, attention_mask)`` tensors.

    Example:
        >>> ids, mask = pad_batch([[5, 6], [7]], 0, left=True)
        >>> ids.tolist(), mask.tolist()
        ([[5, 6], [0, 7]], [[1, 1], [0, 1]])
    """
    import torch

    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        if not row:
            continue
        span = slice(width - len(row), width) if left else slice(0, len(row))
        ids[i, span] = torch.tensor(list(row), dtype=torch.long)
        mask[i, span] = 1
    return ids, mask

"""Benchmark: bootstrap CIs of 3 metrics at 10k to 1M segments, the pre-issue-19 in-memory path against the new one.

Workload: per-segment statistics of BLEU (sacreBLEU rows, resampled as float32), ROUGE-1 F and ROUGE-L F
(toolkit rows ``[F, 1]``, float64) for 2,000 pairs built from the sentences of the dev news texts
(eval/dev/news.jsonl; prediction: 1-3 sentences of a document, reference: 1-3 sentences of the same or
another document; seeded), tiled to N segments by seeded sampling. 1,000 resamples, seed 12345.

* ``old``: the path as it stood before issue 19 (commit b47ec73), copied here: per metric the whole
  ``(resamples, n)`` int64 index matrix of ``default_rng(seed).choice(n, (B, n))``, then a gather-and-sum
  of the rows per resample (8 GB of indices at 1M segments, so it runs only up to ``--old-up-to``);
* ``new``: ``toolkit.scoring.stats.bootstrap_cis``: the same indices drawn in blocks, shared by the three
  metrics; integer columns summed as ``counts @ rows``, the others in draw order;
* ``new-parity``: the same with ``float32_parity=True`` (sacreBLEU's float32 running sums kept past 2**24,
  what ``p_value="sacrebleu"`` uses).

Each case runs in a fresh process; peak RSS is that process's ``ru_maxrss`` (statistics and imports
included), ``rss_stats`` its RSS once the statistics are built. CIs of the cases are compared for equality
(``==`` on floats). The load average (``uptime``) is recorded before and after each case: the machine is
shared. Run by hand:

    python eval/bench/bench_stats.py [--sizes 10000 100000 1000000] [--old-up-to 100000] [--parity-up-to 100000]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "eval" / "dev" / "news.jsonl"
OUT = ROOT / "eval" / "bench" / "results"
METRICS = ("bleu", "rouge1", "rougeL")
POOL = 2000
SEED = 12345


def _pool_pairs() -> tuple[list[str], list[list[str]]]:
    docs = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines() if line.strip()]
    sents = [[s for s in d["text"].split("\n") if s.strip()] for d in docs]
    rng = np.random.default_rng(19)
    preds, refs = [], []
    for _ in range(POOL):
        a = int(rng.integers(len(sents)))
        b = a if rng.random() < 0.5 else int(rng.integers(len(sents)))
        take = lambda doc: " ".join(doc[int(i)] for i in sorted(rng.choice(len(doc), min(len(doc), int(rng.integers(1, 4))), replace=False)))
        preds.append(take(sents[a]))
        refs.append([take(sents[b])])
    return preds, refs


def build_stats(n: int):
    """The three metrics' SegmentStats on ``n`` segments (pool rows tiled by seeded sampling)."""
    from toolkit.scoring.base import ScoringContext
    from toolkit.scoring.registry import get_metric

    preds, refs = _pool_pairs()
    ctx = ScoringContext(predictions=preds, references=refs, ids=[str(i) for i in range(POOL)])
    pick = np.random.default_rng(n).integers(0, POOL, n)
    out = []
    for name in METRICS:
        seg = get_metric(name).compute(ctx)
        stats = np.asarray(seg.stats)[pick]
        out.append(dataclasses.replace(seg, stats=stats, segment_scores=np.asarray(seg.segment_scores)[pick],
                                       corpus_score=seg.aggregate(stats.sum(0).astype(seg.resample_dtype))))
    return out


def _old_resampled_scores(seg, indices: np.ndarray) -> np.ndarray:
    rows = np.asarray(seg.stats, dtype=seg.resample_dtype)
    if seg.aggregate_many is None:
        return np.array([seg.aggregate(rows[idx].sum(0)) for idx in indices], dtype=np.float64)
    out = [seg.scores_of_sums(rows[indices[s : s + 64]].sum(axis=1)) for s in range(0, len(indices), 64)]
    return np.concatenate(out)


def _old_cis(segs, resamples: int) -> list:
    from toolkit.scoring.stats import percentile_interval

    n = len(segs[0].stats)
    out = []
    for seg in segs:  # as score() called bootstrap_ci: one index matrix per metric
        indices = np.random.default_rng(SEED).choice(n, size=(resamples, n), replace=True)
        out.append(percentile_interval(_old_resampled_scores(seg, indices)))
        del indices
    return out


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_case(path: str, n: int, resamples: int) -> dict:
    from toolkit.scoring.stats import bootstrap_cis

    segs = build_stats(n)
    rss_stats = _rss_mb()
    start = time.perf_counter()
    if path == "old":
        cis = _old_cis(segs, resamples)
    else:
        cis = bootstrap_cis(segs, resamples=resamples, seed=SEED, float32_parity=path == "new-parity")
    seconds = time.perf_counter() - start
    return {"path": path, "n": n, "resamples": resamples, "seconds": round(seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_stats_mb": round(rss_stats, 1), "cis": [list(ci) for ci in cis],
            "corpus": [s.corpus_score for s in segs],
            "max_column_total": float(max(np.abs(np.asarray(s.stats, dtype=np.float64)).sum(0).max() for s in segs))}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _spawn(path: str, n: int, resamples: int) -> dict:
    before = _load()
    proc = subprocess.run([sys.executable, __file__, "--case", path, "--n", str(n), "--resamples", str(resamples)],
                          capture_output=True, text=True, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    row["load_before"], row["load_after"] = before, _load()
    print(json.dumps({k: v for k, v in row.items() if k != "cis"}), flush=True)
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--old-up-to", type=int, default=100_000)
    ap.add_argument("--parity-up-to", type=int, default=100_000)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=OUT / "stats.md")
    ap.add_argument("--case", choices=["old", "new", "new-parity"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, args.n, args.resamples)))
        return
    rows = []
    for n in args.sizes:
        for path in ("old", "new", "new-parity"):
            if (path == "old" and n > args.old_up_to) or (path == "new-parity" and n > args.parity_up_to):
                continue
            rows.append(_spawn(path, n, args.resamples))
    _write(rows, args)


def _write(rows: list[dict], args) -> None:
    by = {(r["path"], r["n"]): r for r in rows}
    lines = [
        "# Bootstrap CIs at scale: in-memory path (before issue 19) vs blocked, shared-count path",
        "",
        (f"Command: `python eval/bench/bench_stats.py --sizes {' '.join(map(str, args.sizes))} --old-up-to "
         f"{args.old_up_to} --parity-up-to {args.parity_up_to} --resamples {args.resamples}`"),
        (f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs), "
         f"Python {platform.python_version()}, numpy {np.__version__}; {args.resamples} resamples of BLEU + "
         "ROUGE-1 + ROUGE-L; peak RSS is the whole process (imports and statistics included)."),
        "",
        "| segments | path | seconds | ratio old/new | peak RSS MB | RSS with stats MB | CIs == old | CIs == new | load before -> after |",
        "|---:|---|---:|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        old, new = by.get(("old", r["n"])), by.get(("new", r["n"]))
        ratio = f"{old['seconds'] / r['seconds']:.1f}x" if old and r["path"] != "old" else ""
        same_old = "" if not old or r["path"] == "old" else str(r["cis"] == old["cis"])
        same_new = "" if not new or r["path"] == "new" else str(r["cis"] == new["cis"])
        lines.append(f"| {r['n']:,} | {r['path']} | {r['seconds']} | {ratio} | {r['peak_rss_mb']} | "
                     f"{r['rss_stats_mb']} | {same_old} | {same_new} | {r['load_before']} -> {r['load_after']} |")
    lines += ["", "Largest column total of any metric (float32 running sums round past 2**24 = 16,777,216):", ""]
    for n in args.sizes:
        row = by.get(("new", n))
        if row:
            lines.append(f"- {n:,} segments: {row['max_column_total']:,.0f}")
    lines += ["", "CIs (BLEU, ROUGE-1, ROUGE-L) per case:", ""]
    lines += [f"- {r['n']:,} {r['path']}: {r['cis']}" for r in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Benchmark: a lead-3 + ROUGE + BLEU run at 10k, 50k and 100k synthetic documents (issue 19, part 4).

Documents are generated from the 26 dev news texts (eval/dev/news.jsonl, XSum/CNN-DM articles with their
reference summaries): document ``i`` is news text ``i % 26`` with its sentences rotated by ``i // 26``
places (so lead-3 picks other sentences) and its first reference; ids ``d0000000``, ... The data file is
written to a temporary folder, never into the repository.

Each run is ``toolkit.runs.engine.run`` of one system (``lead-3``), metrics rouge1, rouge2, rougeL and
bleu, 1,000 bootstrap resamples (seed 12345), in a fresh process and a fresh run folder, so the peak RSS
(``ru_maxrss``) is the driver's: loading the data, the stages, corpus values, CIs and the report.
On Ray (``--ray``) a local instance with 2 CPUs is started in the driver process and its object store's
peak is sampled every second from /proc (the raylet's shared memory, RssShmem: the object store's pages
touched; ``memory_summary`` needs grpc, not installed here), with the actors' summed RSS. The load average
(``uptime``) is recorded with every row: the machine is shared.

Run by hand:

    python eval/bench/bench_scale.py [--sizes 10000 50000 100000] [--ray-sizes 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "eval" / "dev" / "news.jsonl"
OUT = ROOT / "eval" / "bench" / "results"
METRICS = ["rouge1", "rouge2", "rougeL", "bleu"]


def write_documents(path: Path, n: int) -> None:
    """``n`` synthetic documents from the dev news texts, one JSON object a line."""
    news = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            doc = news[i % len(news)]
            sents = [s for s in doc["text"].split("\n") if s.strip()]
            shift = (i // len(news)) % len(sents)
            text = "\n".join(sents[shift:] + sents[:shift])
            out.write(json.dumps({"id": f"d{i:07d}", "text": text, "references": doc["references"][:1]}) + "\n")


def _ray_memory_mib() -> tuple[float | None, float]:
    """(the raylet's shared memory, the actors' summed RSS) in MiB, from /proc; (None, 0) without a raylet."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=False).stdout
    children: dict[int, list[tuple[int, str]]] = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        children.setdefault(int(parts[1]), []).append((int(parts[0]), parts[2] if len(parts) > 2 else ""))
    shmem, workers, todo = None, 0.0, [os.getpid()]
    while todo:
        for pid, cmd in children.get(todo.pop(), []):
            todo.append(pid)
            try:
                status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
            except OSError:
                continue
            fields = {k: v for k, _, v in (line.partition(":") for line in status.splitlines())}
            if "raylet" in cmd.split(" ", 1)[0]:
                shmem = int(fields.get("RssShmem", "0 kB").split()[0]) / 1024
            elif cmd.startswith("ray::_Worker"):
                workers += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    return shmem, workers


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(n: int, executor: str, workdir: Path) -> dict[str, Any]:
    from toolkit.runs.config import config_from_dict
    from toolkit.runs.engine import run
    from toolkit.runs.streamed import can_stream
    from toolkit.runs.systems import system_runs

    data = workdir / "docs.jsonl"
    write_documents(data, n)
    config = config_from_dict({
        "name": f"scale-{n}", "data": {"path": str(data)},
        "systems": [{"name": "lead-3", "model": "lead-3"}],
        "metrics": METRICS, "bootstrap": {"resamples": 1000, "seed": 12345},
        "executor": executor, "ray": {"num_actors": 2},
        "output_dir": str(workdir / "out"),
    })
    store_peak: list[float | None] = [None]  # None: no sample was read
    actors_peak = [0.0]
    stop = threading.Event()
    if executor == "ray":
        import ray

        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)

        def sample() -> None:
            # ray's memory_summary needs grpc (not installed here): read the processes instead. The object
            # store lives in the raylet as shared memory (RssShmem: its pages touched); the actors are the
            # ray::_Worker processes. Both are this driver's descendants (the driver started the instance).
            while not stop.wait(1.0):
                shmem, workers = _ray_memory_mib()
                if shmem is not None:
                    store_peak[0] = shmem if store_peak[0] is None else max(store_peak[0], shmem)
                    actors_peak[0] = max(actors_peak[0], workers)

        threading.Thread(target=sample, daemon=True).start()
    rss_before = _rss_mb()
    marks: list[tuple[str, float]] = []
    rss_at: dict[str, float] = {}

    def on_stage(name: str) -> None:
        marks.append((name, time.perf_counter()))
        rss_at[name] = _rss_mb()  # peak so far: at "report", the peak of the run's stages without the report

    started = time.perf_counter()
    result = run(config, fresh=True, progress=False, on_stage=on_stage)
    seconds = time.perf_counter() - started
    stop.set()
    marks.append(("end", started + seconds))
    stages = {name: round(marks[i + 1][1] - at, 1) for i, (name, at) in enumerate(marks[:-1])}
    scores = {m: result.results["systems"]["lead-3"]["metrics"][m] for m in METRICS} if isinstance(
        result.results, dict) and "systems" in result.results else None
    return {"n": n, "executor": executor, "seconds": round(seconds, 1), "docs_per_s": round(n / seconds, 1),
            "driver_peak_rss_mb": round(_rss_mb(), 1), "rss_before_run_mb": round(rss_before, 1),
            "peak_before_report_mb": round(rss_at.get("report", float("nan")), 1),
            "streamed": can_stream(config, system_runs(config)),
            "object_store_peak_mib": store_peak[0] if executor == "ray" else None,
            "actors_peak_rss_mib": actors_peak[0] if executor == "ray" else None, "stages": stages,
            "scores": scores}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _spawn(n: int, executor: str, timeout: float) -> dict[str, Any]:
    before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--case", executor, "--n", str(n), "--workdir", tmp]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            row = {"n": n, "executor": executor, "error": f"did not finish in {timeout:.0f} s"}
        else:
            if proc.returncode:
                last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
                row = {"n": n, "executor": executor, "error": last[:300]}
            else:
                row = json.loads(proc.stdout.strip().splitlines()[-1])
    row["load_before"], row["load_after"] = before, _load()
    print(json.dumps(row), flush=True)
    return row


def to_markdown(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "# Scale: lead-3 + ROUGE-1/2/L + BLEU runs at 10k-100k synthetic documents",
        "",
        (f"Command: `python eval/bench/bench_scale.py --sizes {' '.join(map(str, args.sizes))} --ray-sizes "
         f"{' '.join(map(str, args.ray_sizes)) or '(none)'}`"),
        (f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other jobs; Python "
         f"{platform.python_version()}. One system (lead-3), 1,000 bootstrap resamples, a fresh process and run "
         "folder per row; peak RSS is the driver process's ru_maxrss."),
        "",
        ("| documents | executor | streamed | seconds | docs/s | driver peak RSS MB | driver peak before report MB | "
         "RSS before run MB | object store peak MiB | actors' RSS peak MiB | load before -> after |"),
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['n']:,} | {r['executor']} | | {r['error']} | | | | | | | {r['load_before']} -> {r['load_after']} |")
            continue
        store = "" if r["executor"] != "ray" else ("no sample" if r["object_store_peak_mib"] is None else r["object_store_peak_mib"])
        actors = "" if r["executor"] != "ray" else round(r.get("actors_peak_rss_mib") or 0, 1)
        store = store if isinstance(store, str) else round(store, 1)
        lines.append(f"| {r['n']:,} | {r['executor']} | {'yes' if r.get('streamed') else 'no'} | {r['seconds']} | "
                     f"{r['docs_per_s']} | {r['driver_peak_rss_mb']} | {r.get('peak_before_report_mb', '')} | "
                     f"{r['rss_before_run_mb']} | {store} | {actors} | {r['load_before']} -> {r['load_after']} |")
    lines += ["", "Stage times (s, from one stage's start to the next):", ""]
    lines += [f"- {r['n']:,} {r['executor']}: " + ", ".join(f"{k} {v}" for k, v in r["stages"].items())
              for r in rows if "stages" in r]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000, 100_000])
    ap.add_argument("--ray-sizes", type=int, nargs="*", default=[10_000])
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds a run may take")
    ap.add_argument("--out", type=Path, default=OUT / "scale.md")
    ap.add_argument("--rows", type=Path, help="JSON lines of rows measured before (printed by an earlier run), kept first")
    ap.add_argument("--case", choices=["local", "ray"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.n, args.case, args.workdir)))
        return
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines()] if args.rows else []
    rows += [_spawn(n, "local", args.timeout) for n in args.sizes]
    rows += [_spawn(n, "ray", args.timeout) for n in args.ray_sizes]
    args.out.write_text(to_markdown(rows, args), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

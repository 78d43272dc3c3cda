"""Check (issue 19): kill -9 of a streamed run's driver mid-run on local Ray, then resume: no document lost or
duplicated, and the same results.json as an uninterrupted run.

Documents are the synthetic ones of :mod:`bench_scale` (the dev news texts, rotated). Three runs of the same
lead-3 + ROUGE-1/2/L + BLEU config on a local Ray instance with 2 CPUs (each run's driver starts its own),
each in a fresh process: a clean run; a run whose driver gets SIGKILL once its summary store holds
``--kill-at`` rows; and the resume of that run in the same folder. The Ray processes the killed driver had
started (its descendants, listed before the kill) are ended by their ids afterwards. Results go to
eval/bench/results/scale_resume.md.

Run by hand:

    python eval/bench/check_resume.py [--n 5000] [--kill-at 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_scale import METRICS, ROOT, write_documents

OUT = HERE / "results" / "scale_resume.md"


def _config(path: Path, data: Path, out: Path) -> Path:
    path.write_text(json.dumps({
        "name": "resume", "data": {"path": str(data)}, "systems": [{"name": "lead-3", "model": "lead-3"}],
        "metrics": METRICS, "bootstrap": {"resamples": 1000, "seed": 12345}, "batch_size": 8,
        "executor": "ray", "ray": {"num_actors": 2, "batch_size": 8}, "output_dir": str(out),
    }), encoding="utf-8")
    return path


def _cmd(config: Path) -> list[str]:
    code = ("import ray, sys; ray.init(address='local', num_cpus=2, include_dashboard=False, log_to_driver=False); "
            "from toolkit.cli import main; sys.exit(main(['run', sys.argv[1], '--no-progress']))")
    return [sys.executable, "-c", code, str(config)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True, check=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        child, parent = (int(x) for x in line.split())
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _rows(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--kill-at", type=int, default=2000, help="summary rows stored when the driver is killed")
    args = ap.parse_args(argv)
    report: dict[str, Any] = {"n": args.n, "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "docs.jsonl"
        write_documents(data, args.n)
        clean_cfg = _config(work / "clean.json", data, work / "clean")
        killed_cfg = _config(work / "killed.json", data, work / "killed")
        started = time.perf_counter()
        subprocess.run(_cmd(clean_cfg), env=_env(), check=True, capture_output=True)
        report["clean_seconds"] = round(time.perf_counter() - started, 1)

        proc = subprocess.Popen(_cmd(killed_cfg), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        store = work / "killed" / "resume" / "summaries" / "lead-3.jsonl"
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the run ended (exit {proc.returncode}) before {args.kill_at} rows were stored")
            if store.exists() and store.read_bytes().count(b"\n") >= args.kill_at:
                break
            time.sleep(0.05)
        family = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        report["rows_at_kill"] = store.read_bytes().count(b"\n")
        report["results_after_kill"] = (work / "killed" / "resume" / "results.json").exists()
        time.sleep(3)
        for pid in family:  # the Ray instance the killed driver had started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        started = time.perf_counter()
        subprocess.run(_cmd(killed_cfg), env=_env(), check=True, capture_output=True)
        report["resume_seconds"] = round(time.perf_counter() - started, 1)
        clean_dir, killed_dir = work / "clean" / "resume", work / "killed" / "resume"
        manifest = json.loads((killed_dir / "manifest.json").read_text(encoding="utf-8"))
        report["resume_recomputed"] = manifest["recomputed"]
        for name in ("summaries/lead-3.jsonl", "scored/lead-3.jsonl"):
            ids = _rows(killed_dir / name)
            report[name] = {"rows": len(ids), "distinct": len(set(ids)), "same_order_as_clean": ids == _rows(clean_dir / name)}
        for name in ("results.json", "scores.jsonl", "scored/lead-3.jsonl"):
            report[f"identical {name}"] = (killed_dir / name).read_bytes() == (clean_dir / name).read_bytes()
    report["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(json.dumps(report, indent=1))
    OUT.write_text(
        "# Kill -9 of a streamed run's driver on local Ray, then resume\n\n"
        f"Command: `python eval/bench/check_resume.py --n {args.n} --kill-at {args.kill_at}` "
        "(lead-3 + ROUGE-1/2/L + BLEU, 1,000 resamples, Ray with 2 CPUs and 2 actors)\n\n"
        "```json\n" + json.dumps(report, indent=1) + "\n```\n", encoding="utf-8")


if __name__ == "__main__":
    main()

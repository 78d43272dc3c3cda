"""Overhead of the Ray executor against the local one, on this machine (issue 7).

Runs the same evaluation twice per repeat, once with ``executor: local`` and once with ``executor: ray``
(a local Ray instance started once beforehand, its start-up timed apart), each time in a fresh run
folder, and checks that both give the same summaries and the same ``results.json``. Stage times come
from the engine's ``on_stage`` callback (time from one stage's start to the next).

Scenarios:

- ``extractive``: the seed config's extractive systems (lead-3, minilm-centrality) on the 7 seed
  documents, glossary ``normalize: both`` (so 1 normalise + 4 summarise + 1 score stage), seed metrics
  plus ``minilm-cosine`` (a model loaded in the score stage's actors).
- ``generative``: smollm2-135m (the offline default) on the 7 seed documents, normalised input,
  ``max_new_tokens`` 32 (1 normalise + 1 summarise + 1 score stage).

With Ray each configured model is also loaded once in a Ray task for its fingerprint (the driver loads
none); that time is part of the model's first summarise stage.

Usage (by hand, never in CI)::

    .venv/bin/python eval/bench/bench_executor.py --repeats 3 --out eval/bench/results/executor.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEED_DOCS = ROOT / "eval" / "seed" / "documents.jsonl"
SEED_GLOSSARY = ROOT / "eval" / "seed" / "glossary.tsv"
SEED_METRICS = ["rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "chrf", "terms", "minilm-cosine"]
MAPPED = ("normalise", "summarise:", "score")  # the stages that run on the executor

SCENARIOS: dict[str, dict[str, Any]] = {
    "extractive": {
        "glossary": {"path": str(SEED_GLOSSARY), "normalize": "both"},
        "systems": [{"name": "lead-3", "model": "lead-3"}, {"name": "minilm-centrality", "model": "minilm-centrality"}],
    },
    "generative": {
        "glossary": {"path": str(SEED_GLOSSARY), "normalize": True},
        "systems": [{"name": "smollm2", "model": "smollm2-135m", "generation": {"max_new_tokens": 32}}],
    },
}


def _config(scenario: str, executor: str, output_dir: Path, num_actors: int, ray_batch: int) -> Any:
    from toolkit.runs.config import config_from_dict

    return config_from_dict({
        "name": f"bench-{scenario}",
        "data": {"path": str(SEED_DOCS)},
        **SCENARIOS[scenario],
        "metrics": SEED_METRICS,
        "bootstrap": {"resamples": 1000, "seed": 12345},
        "batch_size": 4,
        "executor": executor,
        "ray": {"num_actors": num_actors, "batch_size": ray_batch},
        "output_dir": str(output_dir / executor),
    })


def _summaries(run_dir: Path) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for path in sorted((run_dir / "summaries").glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        out[path.stem] = sorted(({k: v for k, v in r.items() if k != "seconds"} for r in rows), key=lambda r: r["id"])
    return out


def _one_run(scenario: str, executor: str, workdir: Path, num_actors: int, ray_batch: int) -> dict[str, Any]:
    from toolkit.runs.engine import run

    marks: list[tuple[str, float]] = []
    config = _config(scenario, executor, workdir, num_actors, ray_batch)
    started = time.perf_counter()
    result = run(config, fresh=True, progress=False, on_stage=lambda name: marks.append((name, time.perf_counter())))
    total = time.perf_counter() - started
    marks.append(("end", started + total))
    stages = {name: round(marks[i + 1][1] - at, 2) for i, (name, at) in enumerate(marks[:-1])}
    work = sum(v for k, v in stages.items() if k.startswith(MAPPED))
    return {"total": total, "stages": stages, "mapped": work, "results": result.results,
            "summaries": _summaries(result.run_dir)}


def bench(scenarios: list[str], repeats: int, num_actors: int, ray_batch: int) -> dict[str, Any]:
    """Time local and Ray runs of each scenario; returns the numbers and the equality checks."""
    import ray

    started = time.perf_counter()
    ray.init(address="local", num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    ray_init = time.perf_counter() - started
    report: dict[str, Any] = {"ray_init_s": ray_init, "scenarios": {}}
    try:
        for scenario in scenarios:
            rows: dict[str, list[dict[str, Any]]] = {"local": [], "ray": []}
            for _ in range(repeats):
                for executor in ("local", "ray"):
                    with tempfile.TemporaryDirectory() as tmp:
                        rows[executor].append(_one_run(scenario, executor, Path(tmp), num_actors, ray_batch))
            same_results = all(r["results"] == rows["local"][0]["results"] for r in rows["local"] + rows["ray"])
            same_summaries = all(r["summaries"] == rows["local"][0]["summaries"] for r in rows["local"] + rows["ray"])
            report["scenarios"][scenario] = {
                executor: {
                    "total": [round(r["total"], 2) for r in runs],
                    "mapped": [round(r["mapped"], 2) for r in runs],
                    "stages_last": runs[-1]["stages"],
                } for executor, runs in rows.items()
            } | {"same_results": same_results, "same_summaries": same_summaries,
                 "documents": rows["local"][0]["results"]["documents"],
                 "map_calls": sum(1 for k in rows["local"][0]["stages"] if k.startswith(MAPPED))}
    finally:
        ray.shutdown()
    return report


def to_markdown(report: dict[str, Any], meta: dict[str, Any]) -> str:
    """The report as the Markdown table kept in ``eval/bench/results/executor.md``."""
    lines = [
        "# Local vs Ray executor: overhead",
        "",
        f"Machine: {meta['machine']}; Python {meta['python']}; ray {meta['ray']}; torch {meta['torch']}.",
        f"Ray: local instance with {meta['cpus']} CPUs, `ray.num_actors={meta['num_actors']}`, "
        f"`ray.batch_size={meta['ray_batch']}`, 1 CPU per actor; {meta['repeats']} repeats, each a fresh run folder.",
        f"`ray.init` (local instance start, paid once per process): {report['ray_init_s']:.2f} s.",
        f"Machine load during the run: {meta['load']}; other jobs shared the CPUs, so compare ratios, not seconds.",
        "",
        "Times in seconds, median of the repeats (all repeats in brackets). *mapped* = the normalise, summarise",
        "and score stages (what runs on the executor; the score stage's time includes the driver's corpus values",
        "and bootstrap from the units); *total* adds comparisons and the report, which run in the driver process.",
        "",
        "| scenario | docs | map calls | local mapped | ray mapped | ratio | overhead per call | local total | ray total | ratio | same results.json | same summaries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for name, info in report["scenarios"].items():
        lm, rm = statistics.median(info["local"]["mapped"]), statistics.median(info["ray"]["mapped"])
        lt, rt = statistics.median(info["local"]["total"]), statistics.median(info["ray"]["total"])
        lines.append(
            f"| {name} | {info['documents']} | {info['map_calls']} | {lm:.2f} {info['local']['mapped']} | "
            f"{rm:.2f} {info['ray']['mapped']} | {rm / lm:.2f}x | {(rm - lm) / info['map_calls']:.2f} | "
            f"{lt:.2f} {info['local']['total']} | {rt:.2f} {info['ray']['total']} | {rt / lt:.2f}x | "
            f"{info['same_results']} | {info['same_summaries']} |"
        )
    lines += ["", "Stage times of the last repeat (s, from one stage's start to the next):", ""]
    for name, info in report["scenarios"].items():
        for executor in ("local", "ray"):
            stages = ", ".join(f"{k} {v:.2f}" for k, v in info[executor]["stages_last"].items())
            lines.append(f"- {name}, {executor}: {stages}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--num-actors", type=int, default=2)
    parser.add_argument("--ray-batch", type=int, default=2, help="ray.batch_size (documents per actor call)")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import ray
    import torch

    load_before = os.getloadavg()
    report = bench(args.scenarios, args.repeats, args.num_actors, args.ray_batch)
    meta = {
        "load": f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after (1-minute load average)",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs ({platform.platform()})", "python": platform.python_version(),
        "ray": ray.__version__, "torch": torch.__version__, "cpus": os.cpu_count(), "num_actors": args.num_actors,
        "ray_batch": args.ray_batch, "repeats": args.repeats,
    }
    text = to_markdown(report, meta)
    print(text)
    print(json.dumps(report, indent=1), file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

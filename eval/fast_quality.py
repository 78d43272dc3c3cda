"""Quality proof of ``precision: fast`` (issue 18, item 2): does it change the conclusions of an evaluation?

Summarises the dev summarisation documents (``../shared/data/summarization/``: the 10 XSum, 5 SummEval and
5 BBC samples, 20 documents) with ``smollm2-135m`` in ``exact`` and in ``fast`` precision (the settings of
``configs/seed.yaml``: chat prompt ``summarize-short.v1``, greedy, 96 new tokens), scores both against the
human references (ROUGE-1/2/L F, rouge-score conventions, best of the references) and tests the pair per
metric with :func:`toolkit.compare` (paired bootstrap, 1,000 resamples, seed 12345). The delta's 95% CI is
a paired percentile bootstrap of the per-document differences (same seed).

``fast`` is acceptable when no metric differs significantly (p >= 0.05) and the mean |delta| over the
metrics is under 0.5 points.

``--fast-dtype`` is the dtype of the candidate fast path (default ``bfloat16``: ``precision="fast"`` with
``dtype="bfloat16"``, i.e. bfloat16 and batches of 16, what ``fast`` would be with ``FAST_BF16`` on);
``auto`` tests ``fast`` as shipped (float32, batched more: the same texts as ``exact``); ``int8-dynamic``
tests float32 with every linear layer quantised to int8 by ``torch.ao.quantization.quantize_dynamic``
(per-tensor weights, fbgemm), batches of 16.

Run from the repository root (a few minutes on 2 cores; bfloat16 is slow on an AVX2-only CPU):
``.venv/bin/python eval/fast_quality.py`` -> ``eval/fast_quality.md`` and ``eval/fast_quality.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "summarization"
SETS = {"xsum": "xsum_sample.jsonl", "summeval": "summeval_documents.jsonl", "bbc": "bbc_news_summary.jsonl"}
METRICS = ["rouge1", "rouge2", "rougeL"]
SEED = 12345
RESAMPLES = 1000
MAX_NEW_TOKENS = 96  # as configs/seed.yaml


def documents(data: Path, limit: int | None) -> list[dict]:
    """``{id, set, document, references}`` of the dev sets, in file order (``limit`` per set)."""
    out = []
    for name, file in SETS.items():
        rows = [json.loads(line) for line in (data / file).read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in rows[:limit]:
            out.append({"id": row["id"], "set": name, "document": row["document"], "references": row["references"]})
    return out


def summarise(docs: list[dict], precision: str, dtype: str = "auto") -> dict:
    from toolkit.summarization import load_summarizer

    quantise = dtype == "int8-dynamic"
    summarizer = load_summarizer("smollm2-135m", settings={"max_new_tokens": MAX_NEW_TOKENS,
                                                           "dtype": "float32" if quantise else dtype},
                                 precision=precision, device="cpu")
    if quantise:
        import warnings

        import torch

        warnings.filterwarnings("ignore", category=DeprecationWarning)
        summarizer.model = torch.ao.quantization.quantize_dynamic(summarizer.model, {torch.nn.Linear}, dtype=torch.qint8)
    start = time.perf_counter()
    out = summarizer.summarize([d["document"] for d in docs])
    seconds = time.perf_counter() - start
    return {"precision": precision, "fingerprint": summarizer.fingerprint,
            "dtype": "int8-dynamic" if quantise else summarizer.info["dtype"],
            "seconds": round(seconds, 1), "new_tokens": sum(s.tokens_out for s in out),
            "texts": [s.text for s in out]}


def paired_delta_ci(a: list[float], b: list[float], seed: int, resamples: int) -> tuple[float, float]:
    """95% percentile-bootstrap CI of mean(b - a) over documents resampled with replacement."""
    import numpy as np

    diff = np.asarray(b) - np.asarray(a)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(resamples, len(diff)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def evaluate(docs: list[dict], runs: dict[str, dict]) -> dict:
    import toolkit

    references = [d["references"] for d in docs]
    ids = [d["id"] for d in docs]
    systems = {p: runs[p]["texts"] for p in ("exact", "fast")}
    comparison = toolkit.compare(systems=systems, references=references, metrics=METRICS, ids=ids,
                                 resamples=RESAMPLES, seed=SEED).to_dict()
    segments = {p: toolkit.score(predictions=t, references=references, metrics=METRICS, ids=ids,
                                 bootstrap=0).segment_rows() for p, t in systems.items()}
    rows = []
    for metric in METRICS:
        base, other = comparison["metrics"][metric]["systems"]
        low, high = paired_delta_ci([r[metric] for r in segments["exact"]], [r[metric] for r in segments["fast"]],
                                    SEED, RESAMPLES)
        rows.append({"metric": metric, "exact": round(base["score"], 2), "fast": round(other["score"], 2),
                     "delta": round(other["delta"], 2), "delta_ci": [round(low, 2), round(high, 2)],
                     "p_value": round(other["p_value"], 4), "verdict": other["verdict"]})
    per_set = {}
    for name in SETS:
        picked = [i for i, d in enumerate(docs) if d["set"] == name]
        per_set[name] = {p: {m: round(sum(segments[p][i][m] for i in picked) / len(picked), 2) for m in METRICS}
                         for p in systems}
    mean_abs = sum(abs(r["delta"]) for r in rows) / len(rows)
    significant = [r["metric"] for r in rows if r["p_value"] < 0.05]
    return {"rows": rows, "per_set": per_set, "mean_abs_delta": round(mean_abs, 3), "significant": significant,
            "acceptable": not significant and mean_abs < 0.5, "signature": comparison["metrics"]["rouge1"]["signature"]}


def write_markdown(path: Path, report: dict) -> None:
    e, f = report["runs"]["exact"], report["runs"]["fast"]
    lines = [
        "# Quality proof of `precision: fast` (issue 18)",
        "",
        f"Command: `.venv/bin/python eval/fast_quality.py --fast-dtype {report['fast_dtype']}` ({report['started']}, load average "
        f"{report['load_before']} -> {report['load_after']}; the machine was shared with other jobs, so the "
        "seconds are noisy; the scores are not).",
        "",
        f"{report['documents']} documents (dev sets in `../shared/data/summarization/`: "
        + ", ".join(f"{n} {k}" for k, n in report["sets"].items())
        + f"), `smollm2-135m`, prompt `summarize-short.v1`, greedy, {MAX_NEW_TOKENS} new tokens. "
        f"exact: {e['dtype']}, {e['seconds']} s, {e['new_tokens']} new tokens; fast: {f['dtype']}, {f['seconds']} s, "
        f"{f['new_tokens']} new tokens. Identical texts: {report['identical_texts']}/{report['documents']}.",
        "",
        "Scores against the human references (F-measure x 100, rouge-score tokenisation, no stemming, best "
        "reference). p: paired bootstrap of `toolkit.compare` (1,000 resamples, seed 12345); delta CI: 95% "
        "paired percentile bootstrap of the per-document differences.",
        "",
        "| metric | exact | fast | delta (fast - exact) | 95% CI of delta | p | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["quality"]["rows"]:
        lines.append(f"| {r['metric']} | {r['exact']} | {r['fast']} | {r['delta']:+.2f} | "
                     f"[{r['delta_ci'][0]:+.2f}, {r['delta_ci'][1]:+.2f}] | {r['p_value']} | {r['verdict']} |")
    lines += ["", "Per set (mean over its documents):", "", "| set | metric | exact | fast |", "|---|---|---|---|"]
    for name, values in report["quality"]["per_set"].items():
        for metric in METRICS:
            lines.append(f"| {name} | {metric} | {values['exact'][metric]} | {values['fast'][metric]} |")
    q = report["quality"]
    verdict = "acceptable" if q["acceptable"] else "NOT acceptable"
    lines += ["", f"Mean |delta| over the metrics: {q['mean_abs_delta']} points; metrics with p < 0.05: "
              f"{', '.join(q['significant']) or 'none'}. By the bar of issue 18 (no significant difference and mean "
              f"|delta| < 0.5) `fast` is **{verdict}** on this sample.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="documents per set (default: all)")
    parser.add_argument("--fast-dtype", default="bfloat16", choices=["bfloat16", "float32", "auto", "int8-dynamic"],
                        help="dtype of the candidate fast path (auto: fast as shipped)")
    parser.add_argument("--out", default=str(ROOT / "eval" / "fast_quality.md"))
    args = parser.parse_args()
    docs = documents(DATA, args.limit)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = round(os.getloadavg()[0], 1)
    runs = {"exact": summarise(docs, "exact"), "fast": summarise(docs, "fast", args.fast_dtype)}
    report = {
        "started": started, "fast_dtype": args.fast_dtype, "load_before": load_before, "load_after": round(os.getloadavg()[0], 1),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "documents": len(docs), "sets": {k: sum(d["set"] == k for d in docs) for k in SETS},
        "ids": [d["id"] for d in docs],
        "identical_texts": sum(a == b for a, b in zip(runs["exact"]["texts"], runs["fast"]["texts"])),
        "runs": runs, "quality": evaluate(docs, runs),
    }
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    write_markdown(out, report)
    print(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()

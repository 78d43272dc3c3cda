"""Reproduce SummEval-, REALSumm-, Newsroom- and WMT21-style meta-evaluation tables on shared/data.

Run from the repository root (takes about a minute on 2 cores):

    .venv/bin/python eval/metaeval/make_tables.py [--data ../shared/data] [--resamples 1000] [--seed 0]

Writes eval/metaeval/{summeval,realsumm,newsroom,wmt21_zhen}.md and results.json. Every number comes from
``toolkit.metaeval.meta_evaluate``; this script only picks inputs and lays out tables.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from toolkit.metaeval import MetaEvalResult, from_newsroom, from_realsumm, from_summeval, from_wmt, meta_evaluate

HERE = Path(__file__).parent


def _cell(result: MetaEvalResult, metric: str, dim: str, level: str, corr: str, ci: bool = True) -> str:
    for r in result.rows:
        if (r.metric, r.dimension, r.level, r.correlation) == (metric, dim, level, corr):
            if r.value is None:
                return "n/a"
            if ci and r.ci_low is not None:
                return f"{r.value:.3f} [{r.ci_low:.2f}, {r.ci_high:.2f}]"
            return f"{r.value:.3f}"
    return ""


def _table(result: MetaEvalResult, metrics: list[str], dims: list[str], level: str, corr: str, labels: dict[str, str] | None = None) -> str:
    labels = labels or {}
    lines = ["| metric | " + " | ".join(dims) + " |", "|---" * (len(dims) + 1) + "|"]
    for m in metrics:
        lines.append(f"| {labels.get(m, m)} | " + " | ".join(_cell(result, m, d, level, corr) for d in dims) + " |")
    return "\n".join(lines)


def _tests(result: MetaEvalResult, levels: tuple[str, ...], corr: str) -> str:
    lines = ["| A | B | dimension | level | r(A) | r(B) | delta | p |", "|---|---|---|---|---|---|---|---|"]
    for t in result.tests:
        if t.level in levels and t.correlation == corr and t.delta is not None:
            lines.append(
                f"| {t.metric_a} | {t.metric_b} | {t.dimension} | {t.level} | {t.value_a:.3f} | {t.value_b:.3f} | {t.delta:+.3f} | {t.p_value:.3f} |"
            )
    return "\n".join(lines)


def summeval(data: Path, resamples: int, seed: int) -> tuple[str, MetaEvalResult]:
    outputs, docs = data / "summarization/summeval_system_outputs.jsonl", data / "summarization/summeval_documents.jsonl"
    one = from_summeval(outputs, docs, references="first")
    eleven = from_summeval(outputs, docs, references="all")
    names = ["rouge1", "rouge2", "rougeL"]
    # per-item ROUGE with each reference set (MetaEvalResult.item_scores keeps the scores it computed)
    s1 = meta_evaluate(items=one, metrics=names, level="system", correlations=["pearson"], resamples=0).item_scores
    s11 = meta_evaluate(items=eleven, metrics=names, level="system", correlations=["pearson"], resamples=0).item_scores
    scores = {f"{m}/1ref": s1[m] for m in names} | {f"{m}/11refs": s11[m] for m in names}
    metrics = [f"{m}/{r}" for m in names for r in ("1ref", "11refs")]
    result = meta_evaluate(
        items=eleven, metrics=metrics, item_scores=scores, level="both", resamples=resamples, seed=seed,
        compare=[(f"{m}/11refs", f"{m}/1ref") for m in names],
    )
    dims = ["coherence", "consistency", "fluency", "relevance"]
    parts = [
        "# SummEval (dev split: 5 CNN/DM documents x 16 systems = 80 summaries, expert ratings 1-5)",
        "",
        "ROUGE F1 from `toolkit.scoring` (rouge-score tokenizer, no stemming); `1ref` = the original CNN/DM highlights,",
        "`11refs` = all 11 references, best reference per summary (`multi_ref=best`). SummEval's own table used",
        "ROUGE-1.5.5 over the 11 references (hits summed over references), on 100 documents x 16 systems.",
        "Cells: correlation [95% bootstrap CI, documents resampled, 1000 samples, seed 0].",
        "",
        "## System level, Kendall tau-b (16 systems; SummEval Table 2 reports this statistic)",
        "",
        _table(result, metrics, dims, "system", "kendall"),
        "",
        "## System level, Pearson",
        "",
        _table(result, metrics, dims, "system", "pearson"),
        "",
        "## Summary level, Kendall tau-b (per document across the 16 systems, averaged over 5 documents)",
        "",
        _table(result, metrics, dims, "summary", "kendall"),
        "",
        "## Summary level, Spearman",
        "",
        _table(result, metrics, dims, "summary", "spearman"),
        "",
        "## Summary level, Pearson",
        "",
        _table(result, metrics, dims, "summary", "pearson"),
        "",
        "## Paired tests: do 11 references beat 1? (PERM-BOTH, H1: r(11refs) > r(1ref), Kendall)",
        "",
        _tests(result, ("system", "summary"), "kendall"),
        "",
        f"signature: `{result.signature}`",
    ]
    return "\n".join(parts) + "\n", result


def realsumm(data: Path, resamples: int, seed: int) -> tuple[str, MetaEvalResult]:
    items = from_realsumm(data / "summarization/realsumm.jsonl")
    metrics = ["rouge1", "rouge2", "rougeL", "rougeLsum", "released_rouge_1_recall", "released_rouge_2_recall", "released_rouge_1_f_score", "released_rouge_2_f_score", "released_rouge_l_f_score"]
    result = meta_evaluate(items=items, metrics=metrics, level="both", resamples=resamples, seed=seed, compare=[("rouge2", "rouge1")])
    dims = ["litepyramid_recall"]
    rows = []
    for m in metrics:
        rows.append(
            f"| {m} | " + " | ".join(_cell(result, m, "litepyramid_recall", lvl, c) for lvl in ("system", "summary") for c in ("kendall", "pearson")) + " |"
        )
    parts = [
        "# REALSumm (dev split: 3 CNN/DM documents x 25 systems = 75 summaries, LitePyramid recall)",
        "",
        "`rouge*` = F1 computed by `toolkit.scoring` (no stemming; `rougeLsum` on the newline-joined sentences);",
        "`released_*` = the ROUGE-1.5.5 (`-m` stemming) values released with REALSumm. REALSumm's paper correlates",
        "over 100 documents; with 3 documents the summary-level CIs are very wide and the system level rests on",
        "3 summaries per system.",
        "",
        "| metric | system Kendall | system Pearson | summary Kendall | summary Pearson |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"signature: `{result.signature}`",
    ]
    del dims
    return "\n".join(parts) + "\n", result


def newsroom(data: Path, resamples: int, seed: int) -> tuple[str, MetaEvalResult]:
    items = from_newsroom(data / "summarization/newsroom_humaneval.jsonl")
    metrics = ["rouge1", "rouge2", "rougeL"]
    result = meta_evaluate(items=items, metrics=metrics, level="both", resamples=resamples, seed=seed)
    dims = ["coherence", "fluency", "informativeness", "relevance"]
    parts = [
        "# Newsroom human evaluation (dev split: 3 documents x 7 systems = 21 summaries, ratings 1-5)",
        "",
        "ROUGE F1 from `toolkit.scoring` against the single reference. 3 documents: read the CIs before the values.",
        "",
        "## System level, Kendall tau-b (7 systems)",
        "",
        _table(result, metrics, dims, "system", "kendall"),
        "",
        "## Summary level, Kendall tau-b (averaged over 3 documents)",
        "",
        _table(result, metrics, dims, "summary", "kendall"),
        "",
        "## Summary level, Pearson",
        "",
        _table(result, metrics, dims, "summary", "pearson"),
        "",
        f"signature: `{result.signature}`",
    ]
    return "\n".join(parts) + "\n", result


def wmt(data: Path, resamples: int, seed: int) -> tuple[str, MetaEvalResult]:
    items = from_wmt(data / "translation/newstest2021_zhen_system_outputs.jsonl", data / "translation/newstest2021_zhen_segments.jsonl")
    metrics = ["bleu", "chrf", "ter"]
    result = meta_evaluate(
        items=items, metrics=metrics, level="all", resamples=resamples, seed=seed,
        compare=[("chrf", "bleu"), ("chrf", "ter"), ("ter", "bleu")],
    )
    corpus = meta_evaluate(items=items, metrics=metrics, level="system", system_scores="corpus", resamples=0)
    dims = ["mqm", "da_z"]
    labels = {"ter": "-ter"}
    parts = [
        "# WMT21 news zh-en (dev split: 58 segments, 2 documents, 8 systems = 464 translations)",
        "",
        "Human scores: MQM (Freitag et al. 2021, negative penalty, higher is better) and DA z-scores (382 of 464",
        "rated). Metric scores per segment: sacrebleu sentence BLEU (effective order), chrF2 and TER via",
        "`toolkit.scoring`; TER is negated (`-ter`) so that agreement gives a positive correlation.",
        "System level: either the per-system *mean of segment scores* (with CIs), or, as WMT does, the *corpus*",
        "score of each system (corpus BLEU/chrF/TER over its 58 segments; `--system-scores corpus`, no CI);",
        "the human system score is always the mean over the segments it rated.",
        "Segment level: `global` = all 464 items at once (WMT's 'no grouping'); `summary` = across the 8",
        "systems within each segment, averaged over segments ('item grouping'). CIs resample segments.",
        "",
        "## System level, corpus metric scores (8 systems; WMT's definition)",
        "",
        "| metric | MQM Kendall | MQM Pearson | DA-z Kendall | DA-z Pearson |",
        "|---|---|---|---|---|",
        *[
            f"| corpus {labels.get(m, m)} | {_cell(corpus, m, 'mqm', 'system', 'kendall')} | {_cell(corpus, m, 'mqm', 'system', 'pearson')} | "
            f"{_cell(corpus, m, 'da_z', 'system', 'kendall')} | {_cell(corpus, m, 'da_z', 'system', 'pearson')} |"
            for m in metrics
        ],
        "",
        "## System level, mean of segment scores (8 systems)",
        "",
        "| metric | MQM Kendall | MQM Pearson | DA-z Kendall | DA-z Pearson |",
        "|---|---|---|---|---|",
        *[
            f"| {labels.get(m, m)} | {_cell(result, m, 'mqm', 'system', 'kendall')} | {_cell(result, m, 'mqm', 'system', 'pearson')} | "
            f"{_cell(result, m, 'da_z', 'system', 'kendall')} | {_cell(result, m, 'da_z', 'system', 'pearson')} |"
            for m in metrics
        ],
        "",
        "## Segment level, no grouping (all 464 items)",
        "",
        "| metric | MQM Kendall | MQM Pearson | DA-z Kendall | DA-z Pearson |",
        "|---|---|---|---|---|",
        *[
            f"| {labels.get(m, m)} | {_cell(result, m, 'mqm', 'global', 'kendall')} | {_cell(result, m, 'mqm', 'global', 'pearson')} | "
            f"{_cell(result, m, 'da_z', 'global', 'kendall')} | {_cell(result, m, 'da_z', 'global', 'pearson')} |"
            for m in metrics
        ],
        "",
        "## Segment level, grouped by segment (8 systems per segment, averaged over 58 segments)",
        "",
        _table(result, metrics, dims, "summary", "kendall", labels),
        "",
        "## Paired tests (PERM-BOTH, H1: A correlates better than B, Kendall, MQM)",
        "",
        _tests(
            MetaEvalResult(rows=(), tests=tuple(t for t in result.tests if t.dimension == "mqm")),
            ("system", "global", "summary"),
            "kendall",
        ),
        "",
        f"signature: `{result.signature}`",
        "",
        f"corpus-level signature: `{corpus.signature}`",
    ]
    return "\n".join(parts) + "\n", result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE.parents[2] / "shared" / "data")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"{args.data}: not found; pass --data with the shared data folder (../shared/data)")
    everything = {}
    for name, build in (("summeval", summeval), ("realsumm", realsumm), ("newsroom", newsroom), ("wmt21_zhen", wmt)):
        start = time.perf_counter()
        text, result = build(args.data, args.resamples, args.seed)
        seconds = time.perf_counter() - start
        (args.out / f"{name}.md").write_text(text + f"\n(wall time {seconds:.1f} s on this machine)\n", encoding="utf-8")
        everything[name] = result.to_dict()
        print(f"{name}: {len(result.rows)} correlations, {len(result.tests)} tests, {seconds:.1f} s")
    (args.out / "results.json").write_text(json.dumps(everything, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

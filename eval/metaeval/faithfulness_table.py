"""Meta-evaluate the faithfulness metrics on the dev SummEval sample and write eval/metaeval/faithfulness.md.

Run from the repository root (about 15 s on 2 cores, most of it MiniLM for ``support_sentence``):

    .venv/bin/python eval/metaeval/faithfulness_table.py [--data ../shared/data] [--resamples 1000] [--seed 0]

Metrics: the support metrics of ``toolkit.scoring.faithfulness`` (against the source); baselines: ROUGE-1/2
F1 against the 11 references (best reference) and ROUGE-1/2 precision against the source (the source given
as the only reference). Kendall tau-b with each expert dimension at the system and summary level, 95%
bootstrap CIs (documents resampled), and a PERM-BOTH paired test of the best new metric against the best
baseline (both picked by summary-level Kendall with consistency). Also: the first formula tried
(``candidate.v0``, rejected) and a leave-one-document-out check of choosing a formula on 4 documents and
scoring the fifth. Every correlation comes from ``toolkit.metaeval.meta_evaluate``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from itertools import product
from pathlib import Path

from toolkit.metaeval import MetaEvalResult, from_summeval, meta_evaluate
from toolkit.metaeval.items import MetaItem
from toolkit.scoring import score

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / ".." / "shared" / "data"
DIMS = ["coherence", "consistency", "fluency", "relevance"]
NEW = ["faithfulness", "support_lexical", "support_entity", "support_sentence"]
BASELINES = ["rouge1/refs", "rouge2/refs", "rouge1_p/source", "rouge2_p/source"]


def _cell(result: MetaEvalResult, metric: str, dim: str, level: str) -> str:
    for r in result.rows:
        if (r.metric, r.dimension, r.level, r.correlation) == (metric, dim, level, "kendall"):
            if r.value is None:
                return "n/a"
            ci = f" [{r.ci_low:.2f}, {r.ci_high:.2f}]" if r.ci_low is not None else ""
            return f"{r.value:.3f}{ci} ({r.n_documents} docs)" if level == "summary" else f"{r.value:.3f}{ci}"
    return ""


def _value(result: MetaEvalResult, metric: str, dim: str = "consistency", level: str = "summary") -> float:
    for r in result.rows:
        if (r.metric, r.dimension, r.level, r.correlation) == (metric, dim, level, "kendall"):
            return r.value if r.value is not None else -math.inf
    return -math.inf


def _table(result: MetaEvalResult, metrics: list[str], level: str) -> str:
    lines = ["| metric | " + " | ".join(DIMS) + " |", "|---" * (len(DIMS) + 1) + "|"]
    lines += [f"| {m} | " + " | ".join(_cell(result, m, d, level) for d in DIMS) + " |" for m in metrics]
    return "\n".join(lines)


def item_scores(items: list[MetaItem]) -> dict[str, list[float]]:
    """Per-item scores of the new metrics, the rejected candidate and the baselines."""
    preds, sources = [i.text for i in items], [i.source or "" for i in items]
    ids = [f"{i.id}/{i.system}" for i in items]
    new = score(predictions=preds, references=[list(i.references) for i in items], sources=sources, ids=ids,
                metrics=NEW + ["rouge1", "rouge2"], bootstrap=0).segments
    against_source = score(predictions=preds, references=[[s] for s in sources], ids=ids,
                           metrics=["rouge1_p", "rouge2_p"], bootstrap=0).segments
    out = {m: [row[m] for row in new] for m in NEW}
    out["rouge1/refs"] = [row["rouge1"] for row in new]
    out["rouge2/refs"] = [row["rouge2"] for row in new]
    out["rouge1_p/source"] = [row["rouge1_p"] for row in against_source]
    out["rouge2_p/source"] = [row["rouge2_p"] for row in against_source]
    entity = [100.0 if math.isnan(row["support_entity"]) else row["support_entity"] for row in new]
    all_words = [(row["support_lexical_1gram"] + row["support_lexical_2gram"]) / 2 for row in new]
    # candidate.v0, the first formula (fixed a priori, rejected): mean of all-word 1/2-gram support, sentence, entity
    out["candidate.v0"] = [(a + row["support_sentence"] + e) / 3 for a, row, e in zip(all_words, new, entity)]
    out["_entity100"], out["_allwords"] = entity, all_words
    return out


def _family(scores: dict[str, list[float]]) -> dict[str, list[float]]:
    """The formulas a leave-one-document-out choice picks from: a lexical part, optionally + sentence, + entity."""
    lexical = {"content": scores["support_lexical"], "allwords-1/2gram": scores["_allwords"]}
    family = {}
    for (name, lex), sentence, entity in product(lexical.items(), (False, True), (False, True)):
        parts = [lex] + ([scores["support_sentence"]] if sentence else []) + ([scores["_entity100"]] if entity else [])
        label = "+".join([name] + (["sentence"] if sentence else []) + (["entity"] if entity else []))
        family[label] = [sum(p[k] for p in parts) / len(parts) for k in range(len(lex))]
    return family


def leave_one_out(items: list[MetaItem], scores: dict[str, list[float]]) -> tuple[str, float, float]:
    """Choose a formula on 4 documents, score the 5th; the mean held-out Kendall vs ROUGE-1 P on the same."""
    family = _family(scores)
    docs = list(dict.fromkeys(i.id for i in items))
    lines, chosen_vals, base_vals = [], [], []
    for held in docs:
        def kendall(doc_ids: set[str], values: list[float]) -> float:
            keep = [k for k, i in enumerate(items) if i.id in doc_ids]
            res = meta_evaluate(items=[items[k] for k in keep], metrics=["m"], item_scores={"m": [values[k] for k in keep]},
                                level="summary", correlations=["kendall"], dimensions=["consistency"], resamples=0)
            return _value(res, "m")

        train = {d for d in docs if d != held}
        best = max(family, key=lambda name: kendall(train, family[name]))
        held_value, base_value = kendall({held}, family[best]), kendall({held}, scores["rouge1_p/source"])
        if held_value == -math.inf:  # consistency constant on that document for both: no summary-level value
            lines.append(f"| {held[:16]}... | {best} | n/a | n/a |")
            continue
        chosen_vals.append(held_value)
        base_vals.append(base_value)
        lines.append(f"| {held[:16]}... | {best} | {held_value:.3f} | {base_value:.3f} |")
    table = "\n".join(["| held-out document | formula chosen on the other 4 | its Kendall | rouge1_p/source |",
                       "|---|---|---|---|", *lines])
    return table, sum(chosen_vals) / len(chosen_vals), sum(base_vals) / len(base_vals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.time()
    folder = args.data / "summarization"
    items = from_summeval(folder / "summeval_system_outputs.jsonl", folder / "summeval_documents.jsonl", references="all")
    scores = item_scores(items)
    metrics = NEW + ["candidate.v0"] + BASELINES
    first = meta_evaluate(items=items, metrics=metrics, item_scores={m: scores[m] for m in metrics}, level="both",
                          correlations=["kendall"], resamples=0)
    best_new = max(NEW, key=lambda m: _value(first, m))
    best_base = max(BASELINES, key=lambda m: _value(first, m))
    result = meta_evaluate(items=items, metrics=metrics, item_scores={m: scores[m] for m in metrics}, level="both",
                           correlations=["kendall"], resamples=args.resamples, seed=args.seed,
                           compare=[(best_new, best_base), ("faithfulness", "rouge1_p/source")])
    loo_table, loo_new, loo_base = leave_one_out(items, scores)
    tests = ["| A | B | dimension | level | r(A) | r(B) | delta | p |", "|---|---|---|---|---|---|---|---|"]
    for t in result.tests:
        if t.delta is not None and t.dimension == "consistency":
            tests.append(f"| {t.metric_a} | {t.metric_b} | {t.dimension} | {t.level} | {t.value_a:.3f} | "
                         f"{t.value_b:.3f} | {t.delta:+.3f} | {t.p_value:.3f} |")
    text = "\n".join([
        "# Faithfulness metrics on SummEval (dev split: 5 CNN/DM documents x 16 systems = 80 summaries)",
        "",
        "Regenerate: `.venv/bin/python eval/metaeval/faithfulness_table.py` (writes this file and faithfulness.json).",
        "New metrics score each summary against its **source** (`toolkit.scoring.faithfulness`); `rouge1/refs` and",
        "`rouge2/refs` are ROUGE F1 against the 11 references (best one), `rouge1_p/source` and `rouge2_p/source`",
        "ROUGE precision with the source as the only reference (rouge-score tokenizer, no stemming).",
        f"Cells: Kendall tau-b [95% bootstrap CI, documents resampled, {args.resamples} samples, seed {args.seed}].",
        "Summary level: per document across the 16 systems, averaged over the documents where it is defined",
        "(a document where a metric or the rating is constant is skipped, so `(n docs)` is given).",
        "",
        "## Summary level",
        "",
        _table(result, metrics, "summary"),
        "",
        "## System level (16 systems, mean over their 5 summaries)",
        "",
        _table(result, metrics, "system"),
        "",
        f"## Paired tests (PERM-BOTH, H1: A correlates better than B; best new = {best_new}, best baseline = {best_base})",
        "",
        "\n".join(tests),
        "",
        "## How the formula was chosen",
        "",
        "`candidate.v0` was the first formula, fixed before any meta-evaluation: the mean of all-word unigram and",
        "bigram support, sentence support (MiniLM) and entity support. On this sample it does worse than ROUGE-1",
        "precision against the source. `faithfulness.v1` (shipped) keeps entity support, replaces all-word n-grams",
        "by content words (function words are supported by any source and only dilute the signal) and leaves",
        "sentence support out (too slow for the 1,000-summaries-a-minute target on 2 cores, and weaker here).",
        "That change was made **after** seeing these numbers, so the table above is in-sample for it. An honest",
        "check, leave one document out: choose among the 8 formulas {content, all-word 1/2-gram} x {+sentence}",
        "x {+entity} (equal-weight means) by summary-level Kendall with consistency on 4 documents, score the 5th:",
        "",
        loo_table,
        "",
        f"Mean held-out Kendall of the chosen formula: {loo_new:.3f}; of rouge1_p/source on the same documents: "
        f"{loo_base:.3f}. With 5 documents (and consistency 5.0 for most summaries) this is weak evidence either way.",
        "The held-out choice is the content-word part alone; `faithfulness.v1` adds entity support anyway (about",
        "the same summary-level value here) because entity support is what names the unsupported claim, and it",
        "is the best single signal at the system level and on the documents where it varies.",
        "",
        f"signature: `{result.signature}`",
        "",
        f"(wall time {time.time() - started:.0f} s on this machine)",
        "",
    ])
    (HERE / "faithfulness.md").write_text(text, encoding="utf-8")
    (HERE / "faithfulness.json").write_text(json.dumps(result.to_dict(), indent=1, default=str) + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

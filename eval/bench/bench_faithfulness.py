"""Benchmark: the whole faithfulness metric set on 1,000 (summary, source) pairs, beside ROUGE-1 precision vs source.

Data (``../shared/data/summarization/``, real texts): the 80 SummEval dev summaries (16 systems x 5 CNN/DM
articles), 75 REALSumm outputs (3 articles), 21 Newsroom outputs (3 articles) and the XSum (10) and BBC (5)
references, each with its source article: 191 real pairs over 26 distinct sources. Seeded variants of them
(a few words dropped, a number changed, a sentence of another article appended: what faithfulness should
catch) fill the workload up to ``--n`` summaries, every one distinct; a source is shared by the summaries
of its article (about 38 per source at 1,000; SummEval itself has 16 per source), as in a meta-evaluation.

Timed in one process, wall clock, imports done and MiniLM loaded first, every cache emptied before each row:

* the whole set, ``faithfulness, support_lexical, support_entity, support_sentence``, in one
  ``toolkit.scoring.score`` call with its default 1,000 bootstrap resamples (the 1-minute target), ``--repeat``
  times from cold caches (the median is reported, every run listed: other jobs on the machine move a
  single run by up to 2x);
* its parts: the model-free set (``faithfulness, support_lexical, support_entity``) and ``support_sentence``;
* ``support_sentence`` with all-distinct sources, on ``--distinct-n`` summaries: every source sentence
  changed (one word dropped), so no source sentence is shared; its per-1,000 time is linear in the count;
* ``support_sentence`` on the first ``--old-n`` summaries, now and with the previous batching (64 texts a
  batch whatever their length, torch's threads splitting every product, nothing kept between calls); the
  values are the same, only the time differs;
* the peer: rouge-score's ``RougeScorer(["rouge1"])`` precision of each summary against its source.

The load average is recorded beside the numbers: the machine is shared. Run by hand:

    .venv/bin/python eval/bench/bench_faithfulness.py [--n 1000] [--repeat 3] [--distinct-n 40] [--old-n 200] [--out eval/bench/results/faithfulness.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import toolkit
from toolkit.scoring import score

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "summarization"
MODEL_FREE = ["faithfulness", "support_lexical", "support_entity"]
WHOLE = MODEL_FREE + ["support_sentence"]


def _jsonl(name: str) -> list[dict]:
    return [json.loads(x) for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def real_pairs() -> list[tuple[str, str]]:
    """(summary, source) pairs of the real data."""
    docs = {d["id"]: d["document"] for d in _jsonl("summeval_documents.jsonl")}
    pairs = [(o["summary"], docs[o["id"]]) for o in _jsonl("summeval_system_outputs.jsonl")]
    for d in _jsonl("realsumm.jsonl"):
        pairs += [(" ".join(o["summary_sentences"]), d["document"]) for o in d["system_outputs"]]
    for d in _jsonl("newsroom_humaneval.jsonl"):
        pairs += [(o["summary"], d["document"]) for o in d["system_outputs"]]
    for name in ("xsum_sample.jsonl", "bbc_news_summary.jsonl"):
        pairs += [(d["references"][0], d["document"]) for d in _jsonl(name)]
    return pairs


def workload(n: int, seed: int = 17) -> list[tuple[str, str]]:
    """``n`` distinct (summary, source) pairs: the real ones, then seeded variants of them."""
    base = real_pairs()
    rng = random.Random(seed)
    foreign = [s for _, src in base for s in re.split(r"(?<=[.!?])\s+", src) if 8 <= len(s.split()) <= 30]
    out, seen = [], set()
    for pair in base:
        if pair[0] not in seen:
            seen.add(pair[0])
            out.append(pair)
    while len(out) < n:
        summary, source = rng.choice(base)
        words = summary.split()
        words = [w for w in words if rng.random() > 0.05]
        if rng.random() < 0.5:
            words = [str(rng.randint(2, 999)) if w.isdigit() else w for w in words]
        text = " ".join(words)
        if rng.random() < 0.5:
            text += " " + rng.choice(foreign)
        if text not in seen:
            seen.add(text)
            out.append((text, source))
    return out[:n]


def distinct_sources(pairs: list[tuple[str, str]], seed: int = 17) -> list[tuple[str, str]]:
    """The pairs with every source made distinct down to its sentences: one word of each sentence dropped."""
    from toolkit.scoring.support import sentence_spans

    rng = random.Random(seed)
    out = []
    for summary, source in pairs:
        sentences = []
        for a, b in sentence_spans(source):
            words = source[a:b].split()
            if len(words) > 2:
                del words[rng.randrange(len(words) - 1)]
            sentences.append(" ".join(words))
        out.append((summary, " ".join(sentences)))
    return out


def _cold() -> None:
    """Empty every cache the faithfulness metrics keep (sentence vectors, split and indexed sources)."""
    from toolkit.scoring import mentions, sentence_support, support

    sentence_support.clear_cache()
    for fn in (support.stem, support._source_ngrams, support._source_words, mentions._source_index,
               mentions._sentence_starts, mentions._word_cases):
        fn.cache_clear()


def _previous_batching(fn: Callable[[], float]) -> float:
    """``fn()`` with the batching before this benchmark's changes: 64 texts a batch, torch's threads per product."""
    import functools

    from toolkit import minilm
    from toolkit.scoring import sentence_support

    kept = minilm.mean_pooled_batches, sentence_support.BATCH, sentence_support.BATCH_TOKENS
    minilm.mean_pooled_batches = functools.partial(kept[0], workers=1)
    sentence_support.BATCH, sentence_support.BATCH_TOKENS = 64, 1 << 30
    try:
        return fn()
    finally:
        minilm.mean_pooled_batches, sentence_support.BATCH, sentence_support.BATCH_TOKENS = kept


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    _cold()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _score(pairs: list[tuple[str, str]], metrics: list[str], bootstrap: int = 1000) -> Any:
    return score(predictions=[p for p, _ in pairs], references=[[s] for _, s in pairs], sources=[s for _, s in pairs],
                 metrics=metrics, bootstrap=bootstrap)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--distinct-n", type=int, default=40, help="summaries for the all-distinct-sources row (0: skip)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the whole set (the median is reported)")
    ap.add_argument("--old-n", type=int, default=200, help="summaries for the previous-batching rows (0: skip)")
    ap.add_argument("--out", type=Path, default=None, help="also write the table (markdown) here")
    args = ap.parse_args()
    pairs = workload(args.n)

    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1"])
    scorer.score("warm up", "warm up")
    _score([("warm up", "warm up")], WHOLE, bootstrap=0)  # imports, NLTK stemmer, MiniLM weights
    load_before = os.getloadavg()
    t_peer, _ = _timed(lambda: [scorer.score(s, p)["rouge1"].precision for p, s in pairs])
    runs = [_timed(lambda: _score(pairs, WHOLE)) for _ in range(max(args.repeat, 1))]
    report = runs[0][1]
    whole = sorted(t for t, _ in runs)
    t_whole = statistics.median(whole)
    t_free, _ = _timed(lambda: _score(pairs, MODEL_FREE))
    t_sent, _ = _timed(lambda: _score(pairs, ["support_sentence"], bootstrap=0))
    k = min(args.distinct_n, len(pairs))
    t_distinct = _timed(lambda: _score(distinct_sources(pairs[:k]), ["support_sentence"], bootstrap=0))[0] if k else None
    m = min(args.old_n, len(pairs))
    t_new_m = _timed(lambda: _score(pairs[:m], ["support_sentence"], bootstrap=0))[0] if m else None
    t_old_m = _previous_batching(lambda: _timed(lambda: _score(pairs[:m], ["support_sentence"], bootstrap=0))[0]) if m else None
    load_after = os.getloadavg()

    n = len(pairs)
    rows = [
        ((f"**whole set**: {' + '.join(WHOLE)} (one score call, 1,000 bootstrap; median of {len(whole)} runs: "
          f"{', '.join(f'{t:.1f}' for t in whole)} s)"), n, t_whole),
        ("model-free part: faithfulness + support_lexical + support_entity (1,000 bootstrap)", n, t_free),
        ("support_sentence alone (MiniLM, float64)", n, t_sent),
    ]
    if t_distinct is not None:
        rows.append(("support_sentence, all-distinct sources (no source sentence shared)", k, t_distinct))
    if t_new_m is not None and t_old_m is not None:
        rows.append((f"support_sentence, first {m} summaries", m, t_new_m))
        rows.append((f"support_sentence, first {m} summaries, previous batching ({t_old_m / t_new_m:.1f}x the time)",
                     m, t_old_m))
    rows.append(("peer: rouge-score rouge1 precision vs source", n, t_peer))
    lines = ["| metrics | summaries | wall s | s per 1,000 summaries |", "|---|---|---|---|"]
    lines += [f"| {name} | {count} | {secs:.1f} | {1000 * secs / count:.1f} |" for name, count, secs in rows]
    words = sum(len(p.split()) for p, _ in pairs) / n
    text = "\n".join([
        "# Faithfulness benchmark (eval/bench/bench_faithfulness.py)",
        "",
        "\n".join(lines),
        "",
        (f"Whole set / peer: {t_whole / t_peer:.1f}x the time of rouge-score's ROUGE-1 precision (one number, no "
         f"findings); model-free part / peer: {t_free / t_peer:.1f}x."),
        (f"Workload: {n} distinct summaries ({words:.0f} words on average) over {len({s for _, s in pairs})} "
         f"distinct sources, {len(set(pairs) & set(real_pairs()))} of them real (SummEval, REALSumm, Newsroom, XSum, BBC from "
         f"`../shared/data/summarization/`), the rest seeded variants. faithfulness = "
         f"{report['faithfulness'].score:.2f}, support_sentence = {report['support_sentence'].score:.2f}."),
        (f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; after: "
         f"{', '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} CPUs, shared machine)."),
        f"python {platform.python_version()}, {platform.machine()}, toolkit {toolkit.__version__}.",
        "",
    ])
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""Benchmark: the faithfulness metric set on 1,000 (summary, source) pairs, beside ROUGE-1 precision vs source.

Workload (real texts from ``tests/data/rouge/``, seeded): the system summaries of SummEval, REALSumm and
Newsroom with their source articles, and the XSum/BBC references with theirs (about 190 real pairs), plus
seeded variants of them (a few words dropped, a number changed, a sentence of another article appended:
the kind of thing faithfulness should catch) up to ``--n`` summaries, every one distinct. Sources are
shared by the summaries of one article (about 20 distinct articles), as in a meta-evaluation.

Times (wall clock, one process, models loaded and imports done first):

* ``faithfulness, support_lexical, support_entity`` (the model-free set) through ``toolkit.scoring.score``
  with its default 1,000 bootstrap resamples;
* ``support_sentence`` (MiniLM, optional) alone, on the first ``--sentence-n`` summaries;
* the peer: rouge-score's ``RougeScorer(["rouge1"])`` precision of each summary against its source.

The 1-minute-per-1,000 target is for the model-free set. The load average is recorded beside the numbers:
the machine is shared. Run by hand:

    .venv/bin/python eval/bench/bench_faithfulness.py [--n 1000] [--sentence-n 200] [--out eval/bench/results/faithfulness.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import time
from pathlib import Path

import toolkit
from toolkit.scoring import score

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "rouge"
CORPORA = DATA.parent / "corpora"  # the test fixtures several modules share
MODEL_FREE = ["faithfulness", "support_lexical", "support_entity"]


def _jsonl(name: str) -> list[dict]:
    return [json.loads(x) for x in ((CORPORA if (CORPORA / name).exists() else DATA) / name).read_text(encoding="utf-8").splitlines() if x.strip()]


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


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--sentence-n", type=int, default=200)
    ap.add_argument("--out", type=Path, default=None, help="also write the table (markdown) here")
    args = ap.parse_args()
    pairs = workload(args.n)
    preds, sources = [p for p, _ in pairs], [s for _, s in pairs]
    refs = [[s] for s in sources]
    load_before = os.getloadavg()

    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1"])
    scorer.score("warm up", "warm up")
    score(predictions=["warm up"], references=[["warm up"]], sources=["warm up"], metrics=MODEL_FREE + ["support_sentence"],
          bootstrap=0)  # imports, NLTK stemmer, MiniLM weights
    t_peer, _ = _timed(lambda: [scorer.score(s, p)["rouge1"].precision for p, s in pairs])
    t_free, report = _timed(lambda: score(predictions=preds, references=refs, sources=sources, metrics=MODEL_FREE))
    k = min(args.sentence_n, len(pairs))
    t_sent, _ = _timed(lambda: score(predictions=preds[:k], references=refs[:k], sources=sources[:k],
                                     metrics=["support_sentence"], bootstrap=0))
    load_after = os.getloadavg()
    rows = [
        ("faithfulness + support_lexical + support_entity (score, 1000 bootstrap)", len(pairs), t_free),
        ("support_sentence (MiniLM, optional)", k, t_sent),
        ("peer: rouge-score rouge1 precision vs source", len(pairs), t_peer),
    ]
    lines = ["| metrics | summaries | wall s | s per 1,000 summaries |", "|---|---|---|---|"]
    lines += [f"| {name} | {count} | {secs:.1f} | {1000 * secs / count:.1f} |" for name, count, secs in rows]
    ratio = (t_free / len(pairs)) / (t_peer / len(pairs))
    words = sum(len(p.split()) for p in preds) / len(preds)
    text = "\n".join([
        "# Faithfulness benchmark (eval/bench/bench_faithfulness.py)",
        "",
        "\n".join(lines),
        "",
        f"Model-free set / peer: {ratio:.1f}x the time of rouge-score's ROUGE-1 (which gives one number and no findings).",
        f"Workload: {len(pairs)} distinct summaries ({words:.0f} words on average) over "
        f"{len(set(sources))} distinct sources. faithfulness = {report['faithfulness'].score:.2f}.",
        f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; after: "
        f"{', '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} CPUs, shared machine).",
        f"python {platform.python_version()}, {platform.machine()}, toolkit {toolkit.__version__}.",
        "",
    ])
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""Benchmark: toolkit ROUGE (rouge-score mode) against Google's rouge-score, same pairs, one run.

Workloads (built from the real texts in ``tests/data/rouge/``, seeded):
* ``short``: 10,000 pairs of ~60-word summaries (SummEval / RealSumm / Newsroom system summaries and
  references, randomly paired, one sentence per line);
* ``long``: 1,000 pairs of ~800-word texts (800-word windows of the news articles, the prediction a
  window that overlaps the reference's by a random shift, one sentence per line).

ROUGE-1/2/L/Lsum, with and without stemming. Prints pairs/s of both, the ratio, and the largest
absolute difference of any P/R/F (must be 0 up to 1e-9). Run by hand:

    python eval/bench/bench_rouge.py [--peer-subset N] [--peer-long N] [--out eval/bench/results/rouge.md]

``--peer-subset N`` times rouge-score on the first N pairs of each workload only (its rate is then
measured on those; ours always runs on all pairs). Rates are pairs per second of CPU time.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import time
from pathlib import Path

from rouge_score import rouge_scorer

import toolkit
from toolkit.scoring.rouge import clear_caches, rouge

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "rouge"
CORPORA = DATA.parent / "corpora"  # the test fixtures several modules share
VARIANTS = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


def _jsonl(name: str) -> list[dict]:
    return [json.loads(x) for x in ((CORPORA if (CORPORA / name).exists() else DATA) / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def _lines(text: str) -> str:
    return re.sub(r"([.!?]) +", r"\1\n", text.strip())


def short_pairs(n: int, seed: int = 1) -> list[tuple[str, list[str]]]:
    pool: list[str] = [r["summary"] for r in _jsonl("summeval_system_outputs.jsonl")]
    pool += [r for d in _jsonl("summeval_documents.jsonl") for r in d["references"]]
    for d in _jsonl("realsumm.jsonl"):
        pool += [" ".join(o["summary_sentences"]) for o in d["system_outputs"]]
        pool.append(" ".join(d["reference_sentences"]))
    for d in _jsonl("newsroom_humaneval.jsonl"):
        pool += [o["summary"] for o in d["system_outputs"]]
    pool = [_lines(p) for p in pool if 30 <= len(p.split()) <= 100]
    rng = random.Random(seed)
    return [(rng.choice(pool), [rng.choice(pool)]) for _ in range(n)]


def long_pairs(n: int, seed: int = 2, words: int = 800) -> list[tuple[str, list[str]]]:
    docs = []
    for name in ("summeval_documents.jsonl", "xsum_sample.jsonl", "bbc_news_summary.jsonl", "newsroom_humaneval.jsonl", "realsumm.jsonl"):
        docs += [d["document"].split() for d in _jsonl(name)]
    stream = [w for d in docs for w in d]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        start = rng.randrange(0, len(stream) - 2 * words)
        shift = rng.randrange(0, words // 2)
        ref = " ".join(stream[start : start + words])
        pred = " ".join(stream[start + shift : start + shift + words])
        out.append((_lines(pred), [_lines(ref)]))
    return out


# CPU time of this process (time.process_time): the benchmark machine is shared, wall time is not
# comparable between the two runs. Both sides are warmed up (imports, NLTK stemmer) first; caches of
# stems start empty for ours (rouge-score's stemmer has none; ours fills as it goes).
def _time_ours(pairs, stem):
    rouge(predictions=["warm up"], references=[["warm up"]], variants=VARIANTS, stem=stem)
    clear_caches()
    t = time.process_time()
    res = rouge(predictions=[p for p, _ in pairs], references=[r for _, r in pairs], variants=VARIANTS, stem=stem)
    return time.process_time() - t, res


def _time_peer(pairs, stem):
    scorer = rouge_scorer.RougeScorer(VARIANTS, use_stemmer=stem)
    scorer.score("warm up", "warm up")
    t = time.process_time()
    res = [scorer.score(r[0], p) for p, r in pairs]
    return time.process_time() - t, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--short", type=int, default=10_000)
    ap.add_argument("--long", type=int, default=1_000)
    ap.add_argument("--peer-subset", type=int, default=0, help="time rouge-score on the first N pairs only")
    ap.add_argument("--peer-long", type=int, default=0, help="the same, for the long workload only")
    ap.add_argument("--out", type=Path, default=None, help="also write the table (markdown) here")
    args = ap.parse_args()
    workloads = [("short", short_pairs(args.short)), ("long", long_pairs(args.long))]
    rows = []
    for name, pairs in workloads:
        words = sum(len(p.split()) for p, _ in pairs) / len(pairs)
        for stem in (False, True):
            limit = args.peer_long if (name == "long" and args.peer_long) else args.peer_subset
            peer_pairs = pairs[:limit] if limit else pairs
            t_peer, peer = _time_peer(peer_pairs, stem)
            t_ours, ours = _time_ours(pairs, stem)
            diff = max(
                abs(getattr(a[v], f) - getattr(b[v], f))
                for a, b in zip(peer, ours)
                for v in VARIANTS
                for f in ("precision", "recall", "fmeasure")
            )
            r_peer, r_ours = len(peer_pairs) / t_peer, len(pairs) / t_ours
            rows.append((name, f"{words:.0f}", "yes" if stem else "no", len(pairs), len(peer_pairs),
                         f"{r_peer:.1f}", f"{r_ours:.1f}", f"{r_ours / r_peer:.1f}x", f"{diff:.1e}"))  # fmt: skip
            print(rows[-1], flush=True)
    head = ("workload", "words/pred", "stem", "pairs (ours)", "pairs (rouge-score)", "rouge-score pairs/s",
            "toolkit pairs/s", "speed-up", "max abs diff")  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    from importlib.metadata import version

    env = (f"python {platform.python_version()}, {platform.machine()}, rouge-score {version('rouge-score')}, "
           f"nltk {version('nltk')}, toolkit {toolkit.__version__}; variants {', '.join(VARIANTS)}")  # fmt: skip
    table = "\n".join(lines)
    print(table)
    print(env)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(f"# ROUGE benchmark (eval/bench/bench_rouge.py)\n\n{table}\n\n{env}\n", encoding="utf-8")


if __name__ == "__main__":
    main()

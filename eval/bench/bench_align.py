"""Alignment benchmark: throughput (MB/s) and index memory of toolkit.terminology.align against
flashtext (``replace_keywords``), one compiled alternation regex, and raw pyahocorasick with a
boundary check, for glossaries of 100, 10,000 and 100,000 terms over N MB of text (default 10).

Run by hand (not a test):
    .venv/bin/python eval/bench/bench_align.py            # 10 MB, 100 / 10k / 100k terms
    .venv/bin/python eval/bench/bench_align.py --quick    # 1 MB, 100 / 10k terms
    .venv/bin/python eval/bench/bench_align.py --mb 2 --sizes 100,10000

Each (method, glossary size) runs in a fresh subprocess; index memory is the growth of the process's
resident set while building the index (glossary objects included for toolkit; the term list itself
is loaded before the measurement starts). The alternation regex is far too slow for big glossaries
on the whole text, so it runs on a prefix (``--regex-mb``) and its MB/s is measured on that prefix.
flashtext must be installed (``pip install flashtext``); it is not a dependency of the toolkit.

Data, seeded: terms are 1-3 pseudo-pinyin words (title case, like a glossary of Chinese names); the
text is real English news sentences from the shared development data (SummEval/CNN-DM, BBC, XSum,
REALSumm documents, read at run time), shuffled and repeated to size, with a glossary term inserted
before about 2% of the words (some with a possessive or a line break inside). By default the text is
folded to ASCII, because flashtext's ``replace_keywords`` slows down badly on non-ASCII text (string
building); ``--keep-unicode`` keeps curly quotes and accents. Throughput is CPU time
(``time.process_time``), so that other processes on a shared machine do not skew the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYLLABLES = [a + b for a in ["b", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "qu", "r", "s", "sh", "t", "v", "w", "x", "z", "zh"]
             for b in ["a", "e", "i", "o", "u", "ai", "an", "ang", "ao", "ei", "en", "eng", "ia", "ian", "in", "ing", "ong", "ou", "ua", "un"]]


def _word(rng: random.Random, lo: int = 2, hi: int = 4) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(lo, hi)))


def make_terms(n: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    pool = list({_word(rng) for _ in range(max(2000, n))})
    pool.sort()
    terms: set[str] = set()
    while len(terms) < n:
        k = rng.choice((1, 2, 2, 3))
        terms.add(" ".join(rng.choice(pool).title() for _ in range(k)))
    return sorted(terms)


DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _corpus_sentences() -> list[str]:
    """Real English news sentences from the shared development data (read at run time, not copied)."""
    import re

    roots = [DATA]
    texts: list[str] = []
    for root in roots:
        for name in ("summarization/summeval_documents.jsonl", "summarization/bbc_news_summary.jsonl",
                     "summarization/xsum_sample.jsonl", "summarization/realsumm.jsonl"):
            path = root / name
            if path.exists():
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        obj = json.loads(line)
                        texts.append(obj.get("document") or obj.get("text") or "")
        if texts:
            break
    sentences = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) >= 4]
    if not sentences:
        raise SystemExit(f"no corpus found under {DATA / 'summarization'} (../shared/data beside the repository); the benchmark needs it")
    return sentences


def make_text(terms: list[str], mb: float, seed: int = 7, *, ascii_only: bool = True, rate: float = 0.02) -> str:
    """News sentences shuffled to ``mb`` MB, with a glossary term inserted for about ``rate`` of the words."""
    import unicodedata

    rng = random.Random(seed)
    sentences = _corpus_sentences()
    if ascii_only:
        fold = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
        sentences = [unicodedata.normalize("NFKD", s.translate(fold)).encode("ascii", "ignore").decode() for s in sentences]
    target = int(mb * 1_000_000)
    parts: list[str] = []
    size = 0
    while size < target:
        words = rng.choice(sentences).split(" ")
        for i in range(len(words)):
            if rng.random() < rate:
                t = rng.choice(terms)
                if " " in t and rng.random() < 0.05:
                    t = t.replace(" ", "\n", 1)
                if rng.random() < 0.1:
                    t += "'s" if ascii_only else rng.choice(("\u2019s", "'s"))
                words[i] = t + " " + words[i]
        sentence = " ".join(words)
        if rng.random() < 0.05:
            sentence += "\n\n"
        parts.append(sentence)
        size += len(sentence) + 1
    return " ".join(parts).replace("\n\n ", "\n\n")


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def worker(method: str, terms_path: str, text_path: str, regex_mb: float, whole: bool = False) -> dict:
    import gc

    terms = Path(terms_path).read_text(encoding="utf-8").split("\n")
    text = Path(text_path).read_text(encoding="utf-8")
    # import the libraries before measuring, so that index memory is the index alone
    if method == "toolkit":
        import toolkit.terminology  # noqa: F401
        from toolkit.terminology.textnorm import fold_text

        fold_text("warm up \u2019")
    elif method.startswith("flashtext"):
        import flashtext  # noqa: F401
    elif method == "pyahocorasick-raw":
        import ahocorasick  # noqa: F401
    elif method == "regex":
        text = text[: int(regex_mb * 1_000_000)]
    gc.collect()
    base = _rss()
    t0 = time.perf_counter()
    if method == "toolkit":
        from toolkit.terminology import Glossary, align
        from toolkit.terminology.index import get_index

        glossary = Glossary.from_records({"canonical": t} for t in terms)
        get_index(glossary, calques=False)
        run = lambda s: len(align(s, glossary=glossary, calques=False))  # noqa: E731
    elif method in ("flashtext", "flashtext-extract"):
        from flashtext import KeywordProcessor

        kp = KeywordProcessor()
        for t in terms:
            kp.add_keyword(t, t.upper())
        if method == "flashtext":
            run = lambda s: len(kp.replace_keywords(s))  # noqa: E731
        else:
            run = lambda s: len(kp.extract_keywords(s, span_info=True))  # noqa: E731
    elif method == "regex":
        import re

        alternation = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        pattern = re.compile(r"(?<!\w)(?:" + alternation + r")(?!\w)", re.IGNORECASE)
        run = lambda s: sum(1 for _ in pattern.finditer(s))  # noqa: E731
    elif method == "pyahocorasick-raw":
        import ahocorasick

        a = ahocorasick.Automaton()
        for i, t in enumerate(terms):
            a.add_word(t.lower(), (len(t), i))
        a.make_automaton()

        def run(s: str) -> int:
            low = s.lower()
            n = len(low)
            hits = 0
            for end, (length, _i) in a.iter(low):
                st = end - length + 1
                if st > 0 and low[st - 1].isalnum():
                    continue
                if end + 1 < n and low[end + 1].isalnum():
                    continue
                hits += 1
            return hits
    else:
        raise SystemExit(f"unknown method {method}")
    build_s = time.perf_counter() - t0
    gc.collect()
    index_bytes = _rss() - base
    chunks = [text] if whole else [p for p in text.split("\n\n") if p]
    t1 = time.process_time()
    result = sum(run(chunk) for chunk in chunks)
    seconds = time.process_time() - t1
    mb = len(text.encode("utf-8")) / 1e6
    return {"method": method, "terms": len(terms), "build_s": build_s, "index_mib": index_bytes / 2**20,
            "text_mb": mb, "seconds": seconds, "mb_per_s": mb / seconds, "result": result}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=10.0, help="text size in MB (default: 10)")
    parser.add_argument("--sizes", default="100,10000,100000", help="glossary sizes (default: 100,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="1 MB of text, 100 and 10,000 terms")
    parser.add_argument("--regex-mb", type=float, default=None, help="prefix the regex runs on (default: scaled down by glossary size)")
    parser.add_argument("--methods", default="toolkit,flashtext,flashtext-extract,pyahocorasick-raw,regex")
    parser.add_argument("--whole", action="store_true", help="one call on the whole text instead of one per paragraph")
    parser.add_argument("--keep-unicode", action="store_true", help="keep curly quotes and accents in the text")
    parser.add_argument("--worker", nargs=3, metavar=("METHOD", "TERMS", "TEXT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.worker[2], args.regex_mb or 1.0, args.whole)))
        return
    mb = 1.0 if args.quick else args.mb
    sizes = [100, 10000] if args.quick else [int(s) for s in args.sizes.split(",")]
    methods = args.methods.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            terms = make_terms(n)
            text = make_text(terms, mb, ascii_only=not args.keep_unicode)
            tp, xp = Path(tmp, f"terms{n}.txt"), Path(tmp, f"text{n}.txt")
            tp.write_text("\n".join(terms), encoding="utf-8")
            xp.write_text(text, encoding="utf-8")
            for method in methods:
                regex_mb = args.regex_mb or min(mb, 1.0 if n <= 100 else 0.2 if n <= 10000 else 0.02)
                cmd = [sys.executable, __file__, "--regex-mb", str(regex_mb), *(["--whole"] if args.whole else []),
                       "--worker", method, str(tp), str(xp)]
                proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
                if proc.returncode != 0:
                    print(f"# {method} n={n} failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                    continue
                rows.append(json.loads(proc.stdout))
                r = rows[-1]
                print(f"# {method:18s} terms={n:>6} {r['mb_per_s']:8.2f} MB/s on {r['text_mb']:.2f} MB, "
                      f"index {r['index_mib']:7.1f} MiB, build {r['build_s']:.2f} s, result {r['result']}", file=sys.stderr)
    import platform

    unit = "one call on the whole text" if args.whole else "one call per paragraph (about 20 sentences)"
    print(f"Alignment benchmark: {mb:g} MB of text, {unit}; MB/s in CPU time; Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs; seeded data (see eval/bench/bench_align.py).\n")
    print("| terms | method | text MB | MB/s | index MiB | build s | vs flashtext (speed) | vs flashtext (index) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        ft = next((r for r in rows if r["terms"] == n and r["method"] == "flashtext"), None)
        for r in (r for r in rows if r["terms"] == n):
            speed = f"{r['mb_per_s'] / ft['mb_per_s']:.2f}x" if ft else "-"
            mem = f"{r['index_mib'] / ft['index_mib']:.2f}x" if ft and ft["index_mib"] > 0 else "-"
            print(f"| {n} | {r['method']} | {r['text_mb']:.2f} | {r['mb_per_s']:.2f} | {r['index_mib']:.1f} | "
                  f"{r['build_s']:.2f} | {speed} | {mem} |")


if __name__ == "__main__":
    main()

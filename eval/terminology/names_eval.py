"""Name checks against human MQM spans (issue 15): recall, share of flags on marked spans, false alarms.

Checks measured together, as a translator's QA would run them: calques and fuzzy matches of a glossary
built from the Chinese sources (:func:`toolkit.terminology.align` with ``fuzzy=True``; flags are the
``calque`` and ``fuzzy`` matches) and pinyin suspects (:func:`toolkit.terminology.find_suspects`, given the
source when the installed version accepts it).

Glossary from the sources (one per document): every CC-CEDICT proper-noun headword (two characters or
more) in the document's sources, by backward maximum matching; canonical term = the entry's standard
English name (the leading capitalised words of its first gloss), alternatives = the country short forms
and demonyms of :mod:`toolkit.terminology.names` when the installed toolkit has them.

Data (``../shared/data``, see its README):
- marked name/term errors: ``terminology/wmt23_zhen_mqm_name_term_errors.jsonl`` (92 errors, WMT23 zh-en
  MQM, 2 documents x 10 systems), located in ``translation/wmt23_zhen_mqm_full.jsonl`` (character spans);
- *pinyin-like* spans: those with a capitalised token that splits into two or more pinyin syllables and is
  not an English word, or two or more capitalised one-syllable tokens in a row (defined here, the same for
  every version measured);
- error-free segments: WMT23 rows whose three raters marked no error (7), and WMT21 zh-en outputs whose MQM
  score is 0 (154 of ``translation/newstest2021_zhen_system_outputs.jsonl``, sources from
  ``newstest2021_zhen_segments.jsonl``).

Run from the repository root (``--label`` names the column; the default writes the table to stdout)::

    .venv/bin/python eval/terminology/names_eval.py --label after
    PYTHONPATH=<an export of an older commit> .venv/bin/python eval/terminology/names_eval.py --label before
"""

from __future__ import annotations

import argparse
import gzip
import inspect
import json
import re
import sys
import warnings
from importlib import resources
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
_TOKEN = re.compile(r"[^\W\d_]+")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _english() -> set[str]:
    with (resources.files("spellchecker") / "resources/en.json.gz").open("rb") as raw, gzip.open(raw, "rt") as f:
        return {w for w in json.load(f) if w.isalpha()}


def pinyin_like(span: str, syllables: set[str], english: set[str]) -> bool:
    """The harness's own definition (independent of the checks measured)."""
    from toolkit.terminology.romanize import split_syllables

    tokens = [t for t in _TOKEN.findall(span) if t[:1].isupper() and t.isascii()]
    for t in tokens:
        parts = split_syllables(t.lower(), syllables)
        if parts and len(parts) >= 2 and t.lower() not in english:
            return True
    singles = 0
    for t in _TOKEN.findall(span):
        singles = singles + 1 if (t[:1].isupper() and t.lower() in syllables) else 0
        if singles >= 2:
            return True
    return False


def source_glossary(sources: list[str]):  # noqa: ANN201 - Glossary
    """Entries for the CC-CEDICT proper nouns of ``sources`` (see the module docstring)."""
    from toolkit.terminology import Glossary
    from toolkit.terminology.calques import _segment
    from toolkit.terminology.cedict import load_cedict

    try:
        from toolkit.terminology.names import country_forms
    except ImportError:  # an older toolkit
        def country_forms(source: str) -> tuple[str, ...]:
            return ()
    d = load_cedict()
    records: dict[str, dict] = {}
    for text in sources:
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            for word in _segment(run, d):
                entries = [e for e in d.lookup(word) if e.is_proper]
                if len(word) < 2 or not entries or word in records:
                    continue
                lead = re.match(r"[A-Z][A-Za-z'-]*(?: [A-Z][A-Za-z'-]*)*", entries[0].definitions[0])
                if lead is None:
                    continue
                forms = [f for f in country_forms(word) if f != lead.group()]
                records[word] = {"canonical": lead.group(), "source": word, "alternatives": "|".join(forms)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Glossary.from_records(list(records.values()) or [{"canonical": "-"}])


THRESHOLD: float | None = None  # find_suspects' threshold (None: its default)


def flags(target: str, source: str, glossary) -> list[tuple[int, int, str]]:  # noqa: ANN001
    """(start, end, check) of every finding on ``target``."""
    from toolkit.terminology import align, find_suspects

    out = [(m.start, m.end, m.kind) for m in align(target, glossary=glossary, fuzzy=True) if m.kind in ("calque", "fuzzy")]
    params = inspect.signature(find_suspects).parameters
    kwargs: dict = {"source": source} if "source" in params else {}
    if THRESHOLD is not None and "threshold" in params:
        kwargs["threshold"] = THRESHOLD
    out += [(s.start, s.end, "suspect") for s in find_suspects(target, glossary=glossary, **kwargs)]
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def measure() -> dict[str, float | int]:
    from toolkit.terminology.cedict import load_cedict

    syllables = load_cedict().syllables
    english = _english()
    full = _jsonl(SHARED / "translation" / "wmt23_zhen_mqm_full.jsonl")
    named = _jsonl(SHARED / "terminology" / "wmt23_zhen_mqm_name_term_errors.jsonl")
    glossaries = {doc: source_glossary([r["source"] for r in full if r["doc"] == doc and r["system"] == full[0]["system"]])
                  for doc in {r["doc"] for r in full}}
    by_row = {(r["system"], r["global_seg_id"]): r for r in full}
    found = {key: flags(r["target"], r["source"], glossaries[r["doc"]]) for key, r in by_row.items()}

    hits = total = pin_hits = pin_total = 0
    for e in named:
        row = by_row[(e["system"], e["global_seg_id"])]
        span = next(x["target_span"] for x in row["errors"] if x.get("target_text") == e["target_error_span"]
                    and x["rater"] == e["rater"] and x["category"] == e["category"])
        hit = any(_overlaps((s, t), tuple(span)) for s, t, _ in found[(e["system"], e["global_seg_id"])])
        total += 1
        hits += hit
        if pinyin_like(e["target_error_span"], syllables, english):
            pin_total += 1
            pin_hits += hit
    on_span = n_flags = 0
    for key, fl in found.items():
        spans = [tuple(x["target_span"]) for x in by_row[key]["errors"] if x.get("target_span")]
        n_flags += len(fl)
        on_span += sum(any(_overlaps((s, t), sp) for sp in spans) for s, t, _ in fl)
    clean = [r for r in full if r["raters"] and not r["errors"]]
    clean_flagged = sum(bool(found[(r["system"], r["global_seg_id"])]) for r in clean)
    segs = {r["seg_id"]: r for r in _jsonl(SHARED / "translation" / "newstest2021_zhen_segments.jsonl")}
    outputs = [o for o in _jsonl(SHARED / "translation" / "newstest2021_zhen_system_outputs.jsonl") if o["human"]["mqm"] == 0]
    g21 = source_glossary([s["source"] for s in segs.values()])
    clean21_flagged = sum(bool(flags(o["hypothesis"], segs[o["seg_id"]]["source"], g21)) for o in outputs)
    n_clean = len(clean) + len(outputs)
    return {
        "name/term errors found": hits, "name/term errors": total, "recall %": 100 * hits / total,
        "pinyin-like errors found": pin_hits, "pinyin-like errors": pin_total, "pinyin-like recall %": 100 * pin_hits / pin_total,
        "flags": n_flags, "flags on a marked span %": 100 * on_span / n_flags if n_flags else float("nan"),
        "error-free segments": n_clean, "error-free segments flagged": clean_flagged + clean21_flagged,
        "error-free flagged %": 100 * (clean_flagged + clean21_flagged) / n_clean,
        "of which WMT23 (7 segments)": clean_flagged, "of which WMT21 MQM=0 (154)": clean21_flagged,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--label", default="value")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    parser.add_argument("--threshold", type=float, default=None, help="find_suspects threshold (default: its own)")
    args = parser.parse_args(argv)
    global THRESHOLD
    THRESHOLD = args.threshold
    result = measure()
    if args.json:
        print(json.dumps({args.label: result}, indent=1))
        return 0
    print(f"| measure | {args.label} |\n|---|---|")
    for k, v in result.items():
        print(f"| {k} | {v:.1f} |" if isinstance(v, float) else f"| {k} | {v} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

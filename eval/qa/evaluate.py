"""Precision and recall of the QA checks (``toolkit.qa``) against expert MQM error spans (issue 16).

Run from the repository root (a few seconds):

    .venv/bin/python eval/qa/evaluate.py [--write]

Dev data: WMT23 general zh-en, 10 systems x 2 news documents x 10 paragraphs, every rater's MQM spans
(``data/wmt23_zhen_mqm_full.jsonl``, see ``data/README.md``). Per check it reports:

- ``flags``: findings at the default thresholds;
- ``on any span``: share of flags that overlap a span some rater marked (any category);
- ``on own category``: share that overlap a span of the categories mapped to the check (:data:`CATEGORIES`);
- ``recall``: share of the human spans of those categories that some flag of the check overlaps;
- ``error-free flagged``: share of the WMT21 zh-en segments with MQM score 0 (no rater found an error;
  ``data/wmt21_zhen_outputs.jsonl``) that the check flags.

An error marked on the source side only (omissions) has no target span; it counts as covering the whole
target segment, which only whole-segment findings (the length check) can overlap. Findings, spans and
categories are compared as character offsets into the target paragraph. ``--write`` rewrites
``eval/qa/results.md`` and ``eval/qa/results.json`` and the table between the ``qa-table`` markers of
``eval/qa/README.md`` and the repository README. Every number comes from :func:`toolkit.qa_check`.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from toolkit import qa_check
from toolkit.qa import CHECKS

HERE = Path(__file__).resolve().parent
DEV = HERE / "data" / "wmt23_zhen_mqm_full.jsonl"
ERROR_FREE = HERE / "data" / "wmt21_zhen_outputs.jsonl"

_OMISSION = ("Accuracy/Omission (Translation)", "Accuracy/Omission (Translation 2)")
#: MQM categories each check answers for (its "own" categories). ``Accuracy/Mistranslation#digits`` is a
#: mistranslation span holding a digit (a number error).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "qa.script.v1": ("Accuracy/Source language fragment", "Fluency/Punctuation"),
    "qa.numbers.v1": ("Accuracy/Mistranslation#digits", "Locale convention/Date format"),
    "qa.punctuation.v1": ("Fluency/Punctuation",),
    "qa.quotes.v1": ("Fluency/Punctuation",),
    "qa.repetition.v1": ("Fluency/Grammar", "Accuracy/Addition", "Style/Unnatural or awkward"),
    "qa.consistency.v1": ("Fluency/Inconsistency", "Terminology/Inconsistent", "Terminology/Inappropriate for context"),
    "qa.names.v1": ("Accuracy/Mistranslation", "Terminology/Inappropriate for context", "Fluency/Spelling"),
    "qa.length.v1": (*_OMISSION, "Accuracy/Addition"),
}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _category(error: dict[str, Any]) -> str:
    text = error.get("target_text") or ""
    if error["category"] == "Accuracy/Mistranslation" and any(c.isdigit() for c in text):
        return "Accuracy/Mistranslation#digits"
    return error["category"]


def spans_of(row: dict[str, Any]) -> list[tuple[int, int, set[str]]]:
    """Distinct human spans of a row with their categories (a source-only error covers the whole target)."""
    merged: dict[tuple[int, int], set[str]] = defaultdict(set)
    for e in row["errors"]:
        span = e.get("target_span")
        start, end = (span[0], span[1]) if span else (0, len(row["target"]))
        if end <= start:
            end = start + 1  # a zero-width mark (a missing comma) still points at one place
        cat = _category(e)
        merged[(start, end)].add(cat)
        if cat == "Accuracy/Mistranslation#digits":
            merged[(start, end)].add("Accuracy/Mistranslation")
    return [(s, e, cats) for (s, e), cats in sorted(merged.items())]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _ordered(rows: list[dict[str, Any]], doc_key: str, seg_key: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["system"], r[doc_key], r[seg_key]))


def evaluate_dev(rows: list[dict[str, Any]], **qa_options: Any) -> dict[str, dict[str, Any]]:
    """Per check: flags, precision on any span and on own categories, recall on own categories."""
    rows = _ordered(rows, "doc", "doc_seg_id")
    result = qa_check(predictions=[r["target"] for r in rows], sources=[r["source"] for r in rows],
                      docs=[f"{r['system']}|{r['doc']}" for r in rows], **qa_options)
    spans = [spans_of(r) for r in rows]
    out: dict[str, dict[str, Any]] = {}
    for check in result.checks:
        own = set(CATEGORIES[check])
        flags = on_any = on_own = 0
        for i, findings in enumerate(result.findings):
            for f in findings:
                if f.check != check:
                    continue
                flags += 1
                hit = [cats for s, e, cats in spans[i] if _overlaps((f.start, f.end), (s, e))]
                on_any += bool(hit)
                on_own += any(cats & own for cats in hit)
        targets = [(i, s, e) for i, seg in enumerate(spans) for s, e, cats in seg if cats & own]
        found = sum(
            any(f.check == check and _overlaps((f.start, f.end), (s, e)) for f in result.findings[i])
            for i, s, e in targets
        )
        out[check] = {
            "flags": flags,
            "on_any_span": on_any / flags if flags else None,
            "on_own_category": on_own / flags if flags else None,
            "own_spans": len(targets),
            "recall": found / len(targets) if targets else None,
        }
    return out


#: Confidence cut-offs of the sensitivity table (every check run with threshold 0, flags bucketed).
CUTOFFS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)


def by_confidence(rows: list[dict[str, Any]], free_rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per check and cut-off: dev flags at or above it, their share on any span, and error-free segments flagged."""
    rows = _ordered(rows, "doc", "doc_seg_id")
    zero = {c: 0.0 for c in CHECKS}
    dev = qa_check(predictions=[r["target"] for r in rows], sources=[r["source"] for r in rows],
                   docs=[f"{r['system']}|{r['doc']}" for r in rows], thresholds=zero)
    spans = [spans_of(r) for r in rows]
    free_rows = _ordered(free_rows, "doc", "seg_id")
    free = qa_check(predictions=[r["hypothesis"] for r in free_rows], sources=[r["source"] for r in free_rows],
                    docs=[f"{r['system']}|{r['doc']}" for r in free_rows], thresholds=zero)
    clean = [i for i, r in enumerate(free_rows) if r["mqm"] == 0]
    out: dict[str, list[dict[str, Any]]] = {}
    for check in dev.checks:
        flags = [(f.confidence, any(_overlaps((f.start, f.end), (s, e)) for s, e, _ in spans[i]))
                 for i, seg in enumerate(dev.findings) for f in seg if f.check == check]
        out[check] = []
        for cut in CUTOFFS:
            kept = [hit for conf, hit in flags if conf >= cut - 1e-12]
            flagged = sum(any(f.check == check and f.confidence >= cut - 1e-12 for f in free.findings[i]) for i in clean)
            out[check].append({"cutoff": cut, "flags": len(kept), "on_any_span": sum(kept) / len(kept) if kept else None,
                               "error_free_flagged": flagged / len(clean)})
    return out


def sensitivity_table(results: dict[str, Any]) -> str:
    """Markdown: flags / share on a span / error-free share flagged, per check and confidence cut-off."""
    lines = ["| check | " + " | ".join(f">= {c:g}" for c in CUTOFFS) + " |", "|---" * (len(CUTOFFS) + 1) + "|"]
    for check, cells in results["by_confidence"].items():
        lines.append(f"| `{check}` | " + " | ".join(
            f"{c['flags']} / {_pct(c['on_any_span'])} / {_pct(c['error_free_flagged'])}" for c in cells) + " |")
    return "\n".join(lines)


def evaluate_error_free(rows: list[dict[str, Any]], **qa_options: Any) -> dict[str, Any]:
    """Share of MQM-0 segments flagged, per check and by all checks together (whole documents are checked)."""
    rows = _ordered(rows, "doc", "seg_id")
    result = qa_check(predictions=[r["hypothesis"] for r in rows], sources=[r["source"] for r in rows],
                      docs=[f"{r['system']}|{r['doc']}" for r in rows], **qa_options)
    clean = [i for i, r in enumerate(rows) if r["mqm"] == 0]
    per_check = {c: sum(any(f.check == c for f in result.findings[i]) for i in clean) / len(clean) for c in result.checks}
    flagged = [i for i in clean if result.findings[i]]
    examples = [{"system": rows[i]["system"], "seg_id": rows[i]["seg_id"], **f.to_dict()}
                for i in flagged for f in result.findings[i]]
    return {"segments": len(clean), "flagged": len(flagged), "share": len(flagged) / len(clean),
            "per_check": per_check, "findings": examples}


def evaluate(dev_path: Path = DEV, error_free_path: Path = ERROR_FREE, **qa_options: Any) -> dict[str, Any]:
    """The whole evaluation: dev precision/recall (all, and per document) and the error-free rate."""
    dev = read_jsonl(dev_path)
    docs = sorted({r["doc"] for r in dev})
    free = read_jsonl(error_free_path)
    return {
        "dev": evaluate_dev(dev, **qa_options),
        "dev_by_doc": {d: evaluate_dev([r for r in dev if r["doc"] == d], **qa_options) for d in docs},
        "error_free": evaluate_error_free(free, **qa_options),
        "by_confidence": by_confidence(dev, free),
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def table(results: dict[str, Any]) -> str:
    """The markdown table of the README."""
    dev, free = results["dev"], results["error_free"]
    by_doc = results["dev_by_doc"]
    names = list(by_doc)
    lines = [
        "| check | threshold | flags | on any span | on own category | own spans | recall | "
        + " | ".join(f"on any span, doc {k + 1}" for k in range(len(names))) + " | error-free WMT21 flagged |",
        "|---" * (8 + len(names)) + "|",
    ]
    for check, row in dev.items():
        docs = " | ".join(f"{_pct(by_doc[d][check]['on_any_span'])} ({by_doc[d][check]['flags']})" for d in names)
        lines.append(
            f"| `{check}` | {CHECKS[check].threshold:g} | {row['flags']} | {_pct(row['on_any_span'])} | "
            f"{_pct(row['on_own_category'])} | {row['own_spans']} | {_pct(row['recall'])} | {docs} | "
            f"{_pct(free['per_check'][check])} |"
        )
    lines.append(
        f"| all checks | | {sum(r['flags'] for r in dev.values())} | | | | | "
        + " | ".join("" for _ in names) + f" | {_pct(free['share'])} ({free['flagged']} of {free['segments']}) |"
    )
    return "\n".join(lines)


BEGIN, END = "<!-- qa-table: written by eval/qa/evaluate.py --write -->", "<!-- /qa-table -->"


def _replace_table(path: Path, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), flags=re.S)
    if not pattern.search(content):
        raise SystemExit(f"{path}: no {BEGIN} ... {END} markers to write the table between")
    path.write_text(pattern.sub(lambda _: f"{BEGIN}\n{text}\n{END}", content), encoding="utf-8")


def _main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite eval/qa/results.md and results.json")
    args = parser.parse_args(None if argv is None else list(argv))
    results = evaluate()
    text = table(results)
    print(text)
    print()
    print(sensitivity_table(results))
    for f in results["error_free"]["findings"]:
        print(f"error-free flagged: {f['system']} seg {f['seg_id']} {f['check']} {f['text'][:40]!r}: {f['message']}")
    if args.write:
        docs = ", ".join(f"doc {k + 1} = {d}" for k, d in enumerate(results["dev_by_doc"]))
        (HERE / "results.md").write_text(
            "# QA checks against MQM spans (written by `eval/qa/evaluate.py --write`)\n\n"
            f"{text}\n\nPer document: share of flags on any span (number of flags); {docs}.\n\n"
            "## By confidence (every check at threshold 0; dev flags / share on any span / error-free WMT21 flagged)\n\n"
            f"{sensitivity_table(results)}\n", encoding="utf-8")
        (HERE / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        for readme in (HERE / "README.md", HERE.parents[1] / "README.md"):
            _replace_table(readme, text)


if __name__ == "__main__":
    _main()

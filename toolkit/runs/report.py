"""Write a run's report: ``report.md`` (tables) and a self-contained ``report.html`` (tables, plots, documents).

Both are pure functions of the run folder (``results.json``, ``manifest.json``, ``normalised.jsonl``,
``summaries/``, ``scores.jsonl``), so ``toolkit report RUN_DIR`` can regenerate them at any time. The HTML page
needs no network: CSS is inline, plots are inline SVG drawn with matplotlib, and one small inline script
sorts the tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from toolkit.io import write_text
from toolkit.runs import report_limits as limits
from toolkit.runs.report_data import (
    RunData,
    best_systems,
    better_than,
    comparison_families,
    fmt,
    fmt_p,
    load_run,
    metric_digits,
    system_labels,
)

__all__ = ["render_markdown", "write_report"]


def _md(value: object) -> str:
    """Escape text for a markdown table cell or paragraph (no markup, no HTML, one line)."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|#":
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())


def _md_code(value: object) -> str:
    r"""A code span for a markdown table cell: ``|`` escaped (GitHub ends a cell at a bare ``|``, even inside
    backticks), on one line, fenced by more backticks than any run inside.

    Example:
        >>> print(_md_code("bleu|nrefs:1|case:mixed"))
        `bleu\|nrefs:1\|case:mixed`
    """
    import re

    text = " ".join(str(value).split()).replace("|", "\\|")
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool] = ()) -> str:
    num = list(numeric) + [False] * (len(headers) - len(numeric))
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" if n else "---" for n in num) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _results_md(run: RunData) -> list[str]:
    if not run.systems or not run.metrics:
        return ["results.json lists no systems or metrics."]
    labels, marks = system_labels(run.systems), better_than(run)
    rows = []
    for system in run.systems:
        row = [f"({labels[system]}) {_md(system)}", _md(run.results["systems"][system].get("input", "-"))]
        for metric in run.metrics:
            entry, digits = run.corpus(system, metric) or {}, metric_digits(run, metric)
            cell = fmt(entry.get("score"), digits)
            if system in best_systems(run, metric):
                cell = f"**{cell}**"
            beaten = "".join(labels[s] for s in sorted(marks.get((system, metric), []), key=run.systems.index))
            if beaten:
                cell += f"<sup>{beaten}</sup>"
            ci = entry.get("ci")
            if isinstance(ci, Sequence) and len(ci) == 2:
                cell += f" [{fmt(ci[0], digits)}, {fmt(ci[1], digits)}]"
            row.append(cell)
        rows.append(row)
    headers = ["System", "Input"] + [_md(m + run.direction_note(m)) for m in run.metrics]
    qa = run.run_results.sections.get("qa")
    if isinstance(qa, dict):  # the qa stage ran: findings per system (issue 16)
        from toolkit.qa.report import qa_count

        headers.append("QA findings")
        rows = [row + [qa_count(qa, system)] for row, system in zip(rows, run.systems)]
    out = [_md_table(headers, rows, [False, False] + [True] * (len(headers) - 2)),
           "", ("Corpus scores with 95% bootstrap confidence intervals. Bold: best on the metric (metrics with a "
           "direction only). A superscript letter names a system this one is significantly better than on that "
           "metric (the verdict of a paired test in results.json, in the metric's direction).")]
    for family, title in comparison_families(run):
        crow = [[_md(c.metric), _md(c.a), _md(c.b), fmt(c.delta, metric_digits(run, c.metric)), fmt_p(c.p_value),
                 fmt_p(c.p_holm), _md(c.method), _md(c.verdict or "-")] for c in run.run_results.comparisons_of(family)]
        out += ["", f"### {title}", "",
                _md_table(["Metric", "a (baseline)", "b", "Delta (b - a)", "p", "p (Holm)", "Method", "b vs a"], crow,
                          [False, False, False, True, True, True])]
    return out


def _terminology_md(run: RunData) -> list[str]:
    section = run.run_results.terminology
    if section is None and not run.normalised:
        return ["No glossary in this run: no normalisation, no term accuracy."]
    term = section.to_dict() if section is not None else {}
    out = [(f"Glossary entries: {term.get('entries', '-')}; edits made: {term.get('edits', '-')}; "
           f"suspect findings: {term.get('suspects', '-')}.")]
    acc = term.get("term_accuracy") if isinstance(term.get("term_accuracy"), dict) else {}
    before, after = acc.get("original") or {}, acc.get("normalised") or {}
    rows = []
    for k in dict.fromkeys([*before, *after]):
        a, b = before.get(k), after.get(k)
        if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in (a, b)):
            change = fmt(b - a) if a is not None and b is not None else "-"
            rows.append([_md(k), fmt(a), fmt(b), change])
    if rows:
        out += ["", "### Term accuracy before and after normalisation", "",
                _md_table(["", "original", "normalised", "change"], rows, [False, True, True, True])]
    edits: dict[tuple[str, str, str, str], int] = {}
    suspects: dict[tuple[str, str], int] = {}
    for row in run.normalised.values():
        for ed in row.get("edits") or []:
            key = (str(ed.get("before", "")), str(ed.get("after", "")), str(ed.get("entry", "")), str(ed.get("kind", "")))
            edits[key] = edits.get(key, 0) + 1
        for su in row.get("suspects") or []:
            skey = (str(su.get("text", "")), str(su.get("reason", "")))
            suspects[skey] = suspects.get(skey, 0) + 1
    if edits:
        out += ["", "### Edits made", "", _md_table(
            ["Before", "After", "Entry", "Kind", "Count"],
            [[_md(b), _md(a), _md(e), _md(k), str(n)] for (b, a, e, k), n in sorted(edits.items(), key=lambda kv: -kv[1])],
            [False, False, False, False, True])]
    if suspects:
        out += ["", "### Suspect findings", "", _md_table(
            ["Text", "Reason", "Count"],
            [[_md(t), _md(r), str(n)] for (t, r), n in sorted(suspects.items(), key=lambda kv: -kv[1])],
            [False, False, True])]
    return out


def _qa_md(run: RunData) -> list[str]:
    qa = run.run_results.sections.get("qa")
    if not isinstance(qa, dict):
        return []
    from toolkit.qa.report import qa_rows

    header, rows = qa_rows(qa)
    return ["", "## QA", "", _md_table(header, [[_md(c) for c in r] for r in rows], [False] + [True] * (len(header) - 1)),
            "", (f"Findings of `toolkit qa` per check (`{qa.get('signature', '-')}`); each finding with its span "
            "and message is in qa.jsonl, and highlighted in report.html.")]


def _documents_md(run: RunData) -> list[str]:
    if not run.doc_ids or not run.systems:
        return ["No per-document results."]
    headers = ["Document", "System"] + [_md(m) for m in run.metrics] + ["Words"]
    shown = min(len(run.doc_ids), limits.TABLE_DOCUMENTS)  # the first documents in run order (report_limits)
    columns = {(s, m): run.score_column(s, m)[:shown].tolist() for s in run.systems for m in run.metrics}
    words = {s: run.word_column(s)[:shown].tolist() for s in run.systems}
    rows = []
    for i, doc_id in enumerate(run.doc_ids[:shown]):
        for system in run.systems:
            cells = [columns[(system, m)][i] for m in run.metrics]
            rows.append([_md(doc_id), _md(system)]
                        + [fmt(None if math.isnan(v) else v, metric_digits(run, m)) for v, m in zip(cells, run.metrics)]
                        + [str(words[system][i]) if words[system][i] >= 0 else "-"])
    note = "Sources, normalised texts with highlighted edits, and the summaries are in report.html."
    if shown < len(run.doc_ids):
        note = (f"{shown:,} of {len(run.doc_ids):,} documents shown (the first in run order); every document's "
                "scores are in scores.jsonl, the worst documents in report.html. " + note)
    return [_md_table(headers, rows, [False, False] + [True] * (len(run.metrics) + 1)), "", note]


def render_markdown(run: RunData) -> str:
    """The markdown report: results, comparisons, terminology and per-document score tables.

    Example:
        >>> text = render_markdown(load_run("tests/data/report/seed-demo"))
        >>> text.splitlines()[0]
        '# Run report: seed-demo'
    """
    sig = run.results.get("run_signature") or run.manifest.get("run_signature") or "-"
    lines = [f"# Run report: {_md(run.name)}", "",
             (f"{len(run.doc_ids)} documents, {len(run.systems)} systems, {len(run.metrics)} metrics. "
             f"Run signature: `{sig}`"), "", "## Results", "", *_results_md(run), "",
             "Plots (score distributions, per-document scatter, summary length vs score) are in report.html.", "",
             "## Terminology", "", *_terminology_md(run), *_qa_md(run), "", "## Documents", "", *_documents_md(run)]
    sigs = run.results.get("metric_signatures") or run.manifest.get("metric_signatures") or {}
    if sigs:
        lines += ["", "## Metric signatures", "", _md_table(["Metric", "Signature"],
                                                            [[_md(k), _md_code(v)] for k, v in sigs.items()])]
    m = run.manifest
    if m:
        lines += ["", "## Run details", "",
                  (f"Toolkit {m.get('toolkit_version', '-')}, git commit {m.get('git_commit') or '-'}, "
                  f"started {m.get('started', '-')}, finished {m.get('finished', '-')}.")]
    return "\n".join(lines) + "\n"


def write_report(run_dir: str | Path, *, cache: bool | None = None) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` into a run folder (each atomically) and return their paths.

    Args:
        run_dir: a folder written by ``toolkit run`` (only ``results.json`` is required).
        cache: keep the plots in the folder's ``cache/plots.json`` and redraw only those whose data changed
            (:func:`toolkit.runs.report_plots.render_plots`); by default when the folder has a ``cache/``.

    Returns:
        ``(report.md path, report.html path)``.

    Raises:
        RunDirError: the folder or its ``results.json`` is missing.
        InputError: a file in the folder is not valid JSON/JSONL.

    Example:
        >>> import shutil, tempfile
        >>> folder = shutil.copytree("tests/data/report/seed-demo", tempfile.mkdtemp() + "/run")
        >>> [p.name for p in write_report(folder)]
        ['report.md', 'report.html']
    """
    from toolkit.runs.cache import CACHE_FOLDER
    from toolkit.runs.report_html import render_html
    from toolkit.runs.report_plots import render_plots

    run = load_run(run_dir)
    md_path, html_path = run.run_dir / "report.md", run.run_dir / "report.html"
    if cache is None:
        cache = (run.run_dir / CACHE_FOLDER).is_dir()
    plots = render_plots(run, cache=True) if cache else render_plots(run)
    page = render_html(run, plots, max_documents=limits.SHOWN_DOCUMENTS)
    write_text(md_path, render_markdown(run))
    write_text(html_path, page)
    return md_path, html_path

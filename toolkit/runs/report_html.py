"""The self-contained HTML report of a run: inline CSS, inline SVG plots, one small inline script (sortable
tables, :mod:`toolkit.runs.report_views`), nothing fetched.

Every piece of text that comes from the run folder goes through :func:`html.escape`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from toolkit.runs import report_limits as limits
from toolkit.runs.faith_section import finding_spans
from toolkit.runs.report_data import (
    RunData,
    best_systems,
    better_than,
    comparison_families,
    fmt,
    fmt_p,
    metric_digits,
    summary_words,
    system_labels,
)
from toolkit.runs.report_plots import Plot
from toolkit.runs.report_terms import expected_missing, run_glossary, term_spans
from toolkit.runs.report_texts import DocumentTexts, load_texts
from toolkit.runs.report_views import CSS as VIEW_CSS
from toolkit.runs.report_views import SORT_SCRIPT, worst_documents

CSS = """
:root{--fg:#1d232b;--muted:#5b6572;--line:#d9dee5;--bg:#fff;--soft:#f5f7fa;--accent:#1f5fbf}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 32px 10px;border-bottom:1px solid var(--line);background:var(--soft)}
h1{margin:0 0 4px;font-size:22px} h2{margin:28px 0 10px;font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px} h4{font-size:13px;margin:10px 0 4px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
main{padding:0 32px 40px;max-width:1400px}
nav a{margin-right:14px;color:var(--accent);text-decoration:none} nav{margin-top:6px}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:1px 4px;border-radius:3px;word-break:break-all}
.meta{color:var(--muted);margin:2px 0}
table{border-collapse:collapse;margin:6px 0 10px;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;text-align:left}
th{background:var(--soft);font-weight:600} td{overflow-wrap:anywhere} td.num,th.num{text-align:right;white-space:nowrap;overflow-wrap:normal}
pre{white-space:pre-wrap;overflow-wrap:anywhere} .twocol>div{min-width:0}
tbody tr:nth-child(even) td{background:#fbfcfd}
.ci{color:var(--muted);font-size:12px} .best .score{font-weight:700}
sup.sig{color:#b3261e;font-weight:600;margin-left:2px}
.label{display:inline-block;min-width:1.4em;padding:0 4px;margin-right:6px;border-radius:3px;background:#e8eef9;color:var(--accent);font-weight:600;text-align:center}
.note{color:var(--muted);font-size:13px;max-width:1000px}
figure{margin:10px 0 22px} figcaption{color:var(--muted);font-size:13px}
figure svg{max-width:100%;height:auto;display:block}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:6px 0 12px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;background:var(--soft);min-width:120px}
.card b{display:block;font-size:20px}
details.doc{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:0 12px}
details.doc>summary{cursor:pointer;padding:8px 0;font-weight:600}
.twocol{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.text{white-space:pre-wrap;background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:8px 10px;max-height:26em;overflow:auto}
.summary{border-left:3px solid var(--accent);padding:2px 10px;margin:8px 0}
.summary .sys{font-weight:600} .summary .info{color:var(--muted);font-weight:400;font-size:12px;margin-left:8px}
.summary .missed{color:#a33;font-size:12px;margin-top:2px}
mark{border-radius:2px;padding:0 1px} mark.edit{background:#c9f2c7} mark.old{background:#ffd7d5;text-decoration:line-through}
mark.suspect{background:#ffe9a8} mark.leak{background:#ffd7d5} mark.term{background:#c9f2c7} mark.qa{background:#e3d7ff}
mark.unsupported{background:#ffd7d5;border-bottom:2px solid #b3261e}
.empty{color:var(--muted);font-style:italic}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _or_dash(value: Any) -> Any:
    return "-" if value is None or value == "" else value


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool] = (), cls: str = "") -> str:
    """A table; ``headers`` are escaped here, cells are HTML already."""
    num = list(numeric) + [False] * (len(headers) - len(numeric))
    head = "".join(f'<th{" class=num" if n else ""}>{_e(h)}</th>' for h, n in zip(headers, num))
    thead = f"<thead><tr>{head}</tr></thead>" if any(headers) else ""
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if n else ""}>{c}</td>' for c, n in zip(row, num)) + "</tr>" for row in rows
    )
    return f'<table{f" class={cls}" if cls else ""}>{thead}<tbody>{body}</tbody></table>'


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]]) -> str:
    """Escape ``text`` and wrap each non-overlapping ``(start, end, css_class, title)`` span in ``<mark>``.

    Example:
        >>> highlight("a <b> c", [(2, 5, "edit", "x")])
        'a <mark class="edit" title="x">&lt;b&gt;</mark> c'
    """
    out, pos = [], 0
    for start, end, cls, title in sorted(spans):
        if start < pos or start >= end or end > len(text):
            continue
        out.append(_e(text[pos:start]))
        out.append(f'<mark class="{_e(cls)}" title="{_e(title)}">{_e(text[start:end])}</mark>')
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def _results(run: RunData) -> str:
    if not run.systems or not run.metrics:
        return '<p class="empty">results.json lists no systems or metrics.</p>'
    labels, marks = system_labels(run.systems), better_than(run)
    blocks = run.results.get("systems", {})
    rows = []
    for system in run.systems:
        row = [f'<span class="label">{_e(labels[system])}</span>{_e(system)}', _e(blocks[system].get("input", "-"))]
        for metric in run.metrics:
            entry, digits = run.corpus(system, metric) or {}, metric_digits(run, metric)
            ci = entry.get("ci")
            ci_text = f"[{fmt(ci[0], digits)}, {fmt(ci[1], digits)}]" if isinstance(ci, Sequence) and len(ci) == 2 else ""
            beaten = " ".join(labels[s] for s in sorted(marks.get((system, metric), []), key=run.systems.index)
                              if s in labels)
            sup = f'<sup class="sig" title="significantly better than {_e(beaten)}">{_e(beaten)}</sup>' if beaten else ""
            best = " best" if system in best_systems(run, metric) else ""
            row.append(f'<span class="{best.strip()}"><span class="score">{fmt(entry.get("score"), digits)}</span>{sup}'
                       f'<br><span class="ci">{ci_text}</span></span>')
        rows.append(row)
    headers = ["System", "Input"] + [m + run.direction_note(m) for m in run.metrics]
    qa = run.run_results.sections.get("qa")
    if isinstance(qa, dict):  # the qa stage ran: findings per system (issue 16)
        from toolkit.qa.report import qa_count

        headers.append("QA findings")
        rows = [row + [_e(qa_count(qa, system))] for row, system in zip(rows, run.systems)]
    table = _table(headers, rows, [False, False] + [True] * (len(headers) - 2), cls="results")
    note = ('<p class="note">Corpus scores with the 95% bootstrap confidence interval below each. Bold: best on the '
            'metric (metrics with a direction only). A superscript letter names a system that this one is '
            'significantly better than on that metric (the verdict of a paired test in results.json, in the '
            "metric's direction, Holm-corrected where several systems are compared).</p>")
    return table + note + _comparisons(run)


def _comparisons(run: RunData) -> str:
    if not run.comparisons:
        return '<p class="empty">No paired comparisons (one system, or none were run).</p>'
    out = []
    for family, title in comparison_families(run):
        rows = []
        for c in run.run_results.comparisons_of(family):
            digits = metric_digits(run, c.metric)
            verdict = c.verdict or "-"
            rows.append([_e(c.metric), _e(c.a), _e(c.b), fmt(c.delta, digits), fmt_p(c.p_value), fmt_p(c.p_holm),
                         _e(c.method), f'<span class="verdict {_e(verdict.replace(" ", "-"))}">{_e(verdict)}</span>'])
        headers = ["Metric", "a (baseline)", "b", "Delta (b - a)", "p", "p (Holm)", "Method", "b vs a"]
        out.append(f"<h3>{_e(title)}</h3>" + _table(headers, rows, [False, False, False, True, True, True]))
    return "".join(out)


def _plots(plots: Sequence[Plot]) -> str:
    if not plots:
        return '<p class="empty">No per-document scores (scores.jsonl) to plot.</p>'
    return "".join(f'<figure id="{_e(p.id)}"><h3>{_e(p.title)}</h3>{p.svg}<figcaption>{_e(p.caption)}</figcaption>'
                   "</figure>" for p in plots)


def _doc_links(doc_ids: Sequence[str], index: Mapping[str, int]) -> str:
    return ", ".join(f'<a href="#doc-{index[d]}">{_e(d)}</a>' if d in index else _e(d) for d in doc_ids)


def _terminology(run: RunData, index: Mapping[str, int]) -> str:
    section = run.run_results.terminology
    if section is None and not run.normalised:
        return '<p class="empty">No glossary in this run: no normalisation, no term accuracy.</p>'
    term = section.to_dict() if section is not None else {}
    cards = "".join(f'<div class="card"><b>{_e(term.get(k, "-"))}</b>{label}</div>' for k, label in
                    (("entries", "glossary entries"), ("edits", "edits made"), ("suspects", "suspect findings")))
    parts = [f'<div class="cards">{cards}</div>']
    acc = term.get("term_accuracy") if isinstance(term.get("term_accuracy"), Mapping) else {}
    before, after = acc.get("original") or {}, acc.get("normalised") or {}
    if before or after:
        keys = list(dict.fromkeys([*before, *after]))
        rows, sigs = [], []
        for k in keys:
            a, b = before.get(k), after.get(k)
            if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
                continue
            if isinstance(a, str) or isinstance(b, str):
                sigs.append(f"<li>{_e(k)}: <code>{_e(a or '-')}</code> / <code>{_e(b or '-')}</code></li>")
                continue
            change = fmt(b - a) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else "-"
            rows.append([_e(k), fmt(a), fmt(b), change])
        parts.append("<h3>Term accuracy before and after normalisation</h3>")
        parts.append(_table(["", "original", "normalised", "change"], rows, [False, True, True, True]))
        if sigs:
            parts.append(f'<ul class="note">{"".join(sigs)}</ul>')
        parts.append(_per_entry(before.get("per_entry"), after.get("per_entry")))
    edits: dict[tuple[str, str, str, str], list[str]] = {}
    suspects: dict[tuple[str, str], list[str]] = {}
    for doc_id, row in run.normalised.items():
        for ed in row.get("edits") or []:
            key = (str(ed.get("before", "")), str(ed.get("after", "")), str(ed.get("entry", "")), str(ed.get("kind", "")))
            edits.setdefault(key, []).append(doc_id)
        for su in row.get("suspects") or []:
            suspects.setdefault((str(su.get("text", "")), str(su.get("reason", ""))), []).append(doc_id)
    parts.append("<h3>Edits made</h3>")
    parts.append(_table(["Before", "After", "Entry", "Kind", "Count", "Documents"],
                        [[_e(b), _e(a), _e(en), _e(k), str(len(d)), _doc_links(list(dict.fromkeys(d)), index)]
                         for (b, a, en, k), d in sorted(edits.items(), key=lambda kv: -len(kv[1]))],
                        [False, False, False, False, True]) if edits else '<p class="empty">No edits.</p>')
    parts.append("<h3>Suspect findings (review by hand)</h3>")
    parts.append(_table(["Text", "Reason", "Count", "Documents"],
                        [[_e(t), _e(r), str(len(d)), _doc_links(list(dict.fromkeys(d)), index)]
                         for (t, r), d in sorted(suspects.items(), key=lambda kv: -len(kv[1]))],
                        [False, False, True]) if suspects else '<p class="empty">No suspect findings.</p>')
    return "".join(parts)


def _per_entry(before: Any, after: Any) -> str:
    def by_id(rows: Any) -> dict[str, Mapping[str, Any]]:
        if not isinstance(rows, list):
            return {}
        return {str(r.get("entry", r.get("id", r.get("canonical", i)))): r for i, r in enumerate(rows) if isinstance(r, Mapping)}

    a, b = by_id(before), by_id(after)
    if not a and not b:
        return ""
    entries = list(dict.fromkeys([*a, *b]))
    keys = [k for k in dict.fromkeys(k for r in [*a.values(), *b.values()] for k in r)
            if k not in ("entry", "id", "canonical") and all(
                isinstance(r.get(k), (int, float)) for r in [*a.values(), *b.values()] if k in r)]
    rows = []
    for e in entries:
        canonical = (a.get(e) or b.get(e) or {}).get("canonical", "")
        rows.append([_e(e), _e(canonical)] + [f"{fmt((a.get(e) or {}).get(k), 0)} &rarr; {fmt((b.get(e) or {}).get(k), 0)}"
                                              for k in keys])
    table = _table(["Entry", "Canonical"] + [f"{k} (original -> normalised)" for k in keys], rows,
                   [False, False] + [True] * len(keys))
    return f"<details><summary>Per glossary entry</summary>{table}</details>"


def _span(item: Mapping[str, Any], start_key: str, end_key: str, text: str, expected: Any) -> tuple[int, int] | None:
    """``(start, end)`` of an edit or finding when its offsets slice ``text`` to the expected surface."""
    start, end = item.get(start_key), item.get(end_key)
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        return None
    return (start, end) if text[start:end] == expected else None


def _edit_title(edit: Mapping[str, Any]) -> str:
    return (f"before: {edit.get('before', '')} → after: {edit.get('after', '')} · entry: {edit.get('entry', '')}"
            f" · kind: {edit.get('kind', '')}")


def _term_regex(run: RunData) -> tuple[re.Pattern[str] | None, dict[str, tuple[str, str]]]:
    """One pattern over every edit's before (a leaked variant) and after (the canonical term) strings."""
    kinds: dict[str, tuple[str, str]] = {}
    for row in run.normalised.values():
        for ed in row.get("edits") or []:
            after, before = str(ed.get("after", "")).strip(), str(ed.get("before", "")).strip()
            if after:
                kinds.setdefault(after.casefold(), ("term", f"glossary term ({ed.get('entry', '')})"))
            if before and before.casefold() != after.casefold():
                kinds[before.casefold()] = ("leak", f"variant: the glossary says '{after}' ({ed.get('entry', '')})")
    if not kinds:
        return None, kinds
    alternatives = "|".join(re.escape(k) for k in sorted(kinds, key=len, reverse=True)[:500])
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), kinds


def _qa_section(run: RunData) -> list[tuple[str, str, str]]:
    """The QA section (findings per system and check) when the run had a qa stage."""
    qa = run.run_results.sections.get("qa")
    if not isinstance(qa, dict):
        return []
    from toolkit.qa.report import qa_rows

    header, rows = qa_rows(qa)
    table = _table(header, [[_e(c) for c in r] for r in rows], [False] + [True] * (len(header) - 1))
    note = (f'<p class="note">Findings of <code>toolkit qa</code> per check (<code>{_e(qa.get("signature", "-"))}'
            '</code>); hover a <mark class="qa">QA finding</mark> in the documents below for its message.</p>')
    return [("qa", "QA", table + note)]


def _qa_spans(run: RunData, system: str, doc_id: str) -> list[tuple[int, int, str, str]]:
    """The qa stage's findings in one system's text of one document (none when the stage did not run)."""
    qa = run.run_results.sections.get("qa")
    block = ((qa or {}).get("systems") or {}).get(system) if isinstance(qa, dict) else None
    spans = (block or {}).get("spans") or {}
    return [(int(f[0]), int(f[1]), str(f[2]), str(f[3])) for f in spans.get(doc_id, []) if len(f) == 4]


def _references(texts: DocumentTexts, doc_id: str) -> str:
    refs = texts.references.get(doc_id)
    if refs is None:
        return f'<h4>References</h4><p class="empty">{_e(texts.note or "not in the data file")}</p>'
    if not refs:
        return '<h4>References</h4><p class="empty">none</p>'
    return f'<h4>References ({len(refs)})</h4><ol class="refs">' + "".join(f"<li>{_e(r)}</li>" for r in refs) + "</ol>"


def _documents(run: RunData, index: Mapping[str, int], max_documents: int) -> str:
    glossary = run_glossary(run.manifest)  # every glossary term marked; else the terms the edits name
    pattern, kinds = _term_regex(run) if glossary is None else (None, {})
    shown = run.doc_ids[:max_documents]
    texts = load_texts(run.manifest, run.config_text, ids=shown)  # a streaming pass that keeps these documents
    parts = []
    for doc_id in shown:
        i, row = index[doc_id], run.normalised.get(doc_id) or {}
        edits, suspects = row.get("edits") or [], row.get("suspects") or []
        original, normal = row.get("original"), row.get("text")
        score_rows = [[_e(s)] + [fmt(run.scores.get((doc_id, s, m)), metric_digits(run, m)) for m in run.metrics]
                      for s in run.systems]
        body = [_table(["System", *run.metrics], score_rows, [False] + [True] * len(run.metrics))]
        if isinstance(original, str) and isinstance(normal, str):
            old = [(*sp, "old", _edit_title(e)) for e in edits
                   if (sp := _span(e, "old_start", "old_end", original, e.get("before"))) is not None]
            new = [(*sp, "edit", _edit_title(e)) for e in edits
                   if (sp := _span(e, "new_start", "new_end", normal, e.get("after"))) is not None]
            sus_new = [(*sp, "suspect", f"suspect: {s.get('reason', '')}") for s in suspects
                       if (sp := _span(s, "start", "end", normal, s.get("text"))) is not None]
            sus_old = [(*sp, "suspect", f"suspect: {s.get('reason', '')}") for s in suspects
                       if not sus_new and (sp := _span(s, "start", "end", original, s.get("text"))) is not None]
            body.append(f'<div class="twocol"><div><h4>Source</h4><div class="text">{highlight(original, old + sus_old)}'
                        f'</div></div><div><h4>Normalised ({_plural(len(edits), "edit")})</h4><div class="text">'
                        f"{highlight(normal, new + sus_new)}</div></div></div>")
        elif isinstance(normal, str):
            body.append(f'<h4>Source</h4><div class="text">{_e(normal)}</div>')
        elif doc_id in texts.sources:
            body.append(f'<h4>Source</h4><div class="text">{_e(texts.sources[doc_id])}</div>')
        else:
            body.append(f'<h4>Source</h4><p class="empty">{_e(texts.note or "not in the data file")}</p>')
        body.append(_references(texts, doc_id))
        body.append("<h4>Summaries</h4>")
        for system in run.systems:
            text = run.summary_text(system, doc_id)
            if text is None:
                continue
            srow = run.summaries[system][doc_id]
            info = [f"{summary_words(run, system, doc_id)} words"]
            if isinstance(srow.get("seconds"), (int, float)):
                info.append(f"{srow['seconds']:.2f} s")
            info += [flag for flag in ("truncated", "chunked") if srow.get(flag)]
            spans = [(st, en, "qa", f"{check}: {message}") for st, en, check, message in _qa_spans(run, system, doc_id)]
            if glossary is not None:
                spans += term_spans(glossary, text)
            elif pattern is not None:
                for m in pattern.finditer(text):
                    cls, title = kinds[m.group(0).casefold()]
                    spans.append((m.start(), m.end(), cls, title))
            faith = finding_spans(text, run.findings.get(system, {}).get(doc_id, ()))  # faithfulness/<system>.jsonl
            spans = [sp for sp in spans if not any(f[0] < sp[1] and sp[0] < f[1] for f in faith)] + faith  # they win
            source = original if isinstance(original, str) else texts.sources.get(doc_id)
            missing = expected_missing(glossary, text, source) if glossary is not None and source else []
            missed = (f'<div class="missed">Expected terms missing: {_e(", ".join(missing))}</div>' if missing else "")
            body.append(f'<div class="summary"><div class="sys">{_e(system)}<span class="info">{_e(" · ".join(info))}'
                        f'</span></div><div>{highlight(text, spans)}</div>{missed}</div>')
        head = (f"{_e(doc_id)} <span class=info>&middot; {_plural(len(edits), 'edit')} &middot; "
                f"{_plural(len(suspects), 'suspect')}</span>")
        parts.append(f'<details class="doc" id="doc-{i}"{" open" if i == 0 else ""}><summary>{head}</summary>'
                     f'{"".join(body)}</details>')
    hidden = len(run.doc_ids) - max_documents
    if hidden > 0:
        parts.append(f'<p class="note">{hidden} more documents are not shown here; see scores.jsonl.</p>')
    legend = ('<p class="note">Marks: <mark class="edit">term edit</mark> <mark class="old">replaced text</mark> '
              '<mark class="suspect">suspect</mark> <mark class="leak">variant in a summary</mark> '
              '<mark class="term">glossary term</mark> <mark class="qa">QA finding</mark>; hover a mark for before/after and the glossary entry.</p>')
    if run.findings:
        legend += ('<p class="note"><mark class="unsupported">unsupported by the source</mark>: a name, number, date or '
                   "sentence of a summary that its source does not support; hover it for the closest source sentence.</p>")
    if not parts:
        return '<p class="empty">No documents in this run folder.</p>'
    return worst_documents(run, index) + legend + "".join(parts)


def _details(run: RunData) -> str:
    m = run.manifest
    facts = [("Run signature", f"<code>{_e(run.results.get('run_signature') or m.get('run_signature') or '-')}</code>"),
             ("Documents", _e(run.results.get("documents", len(run.doc_ids)))),
             ("Started / finished", f"{_e(m.get('started', '-'))} / {_e(m.get('finished', '-'))}"),
             ("Toolkit", _e(m.get("toolkit_version", "-"))), ("Git commit", _e(m.get("git_commit") or "-"))]
    for key in ("python", "platform", "executor"):
        if m.get(key):
            facts.append((key.capitalize(), _e(m[key])))
    for key in ("data", "glossary", "seeds", "machine"):
        if isinstance(m.get(key), Mapping):
            facts.append((key.capitalize(), ", ".join(f"{_e(k)}: <code>{_e(v)}</code>" for k, v in m[key].items())))
    parts = [_table(["", ""], [[_e(k), v] for k, v in facts])]
    models = m.get("models") if isinstance(m.get("models"), Mapping) else {}
    if models:
        cols = list(dict.fromkeys(k for v in models.values() if isinstance(v, Mapping) for k in v))
        parts.append("<h3>Systems</h3>" + _table(["System", *cols], [[_e(s)] + [_e(_or_dash((v or {}).get(c))) for c in cols]
                                                                    for s, v in models.items()]))
    sigs = run.results.get("metric_signatures") or m.get("metric_signatures") or {}
    if sigs:
        parts.append("<h3>Metric signatures</h3>" + _table(["Metric", "Signature"],
                                                           [[_e(k), f"<code>{_e(v)}</code>"] for k, v in sigs.items()]))
    if isinstance(m.get("packages"), Mapping):
        parts.append('<p class="note">Packages: ' + ", ".join(f"{_e(k)} {_e(v)}" for k, v in m["packages"].items()) + "</p>")
    if run.config_text:
        parts.append(f"<details><summary>config.resolved.yaml</summary><pre><code>{_e(run.config_text)}</code></pre></details>")
    return "".join(parts)


def render_html(run: RunData, plots: Sequence[Plot], *, max_documents: int | None = None) -> str:
    """The whole report page as one HTML string (``max_documents`` shown one by one: at most the ``shown``
    documents :func:`~toolkit.runs.report_data.load_run` kept the summaries of).

    Example:
        >>> from toolkit.runs.report_data import load_run
        >>> page = render_html(load_run("tests/data/report/seed-demo"), [])
        >>> page.startswith("<!DOCTYPE html>") and "<table" in page
        True
    """
    max_documents = limits.SHOWN_DOCUMENTS if max_documents is None else max_documents
    positions = getattr(run.doc_ids, "positions", None)  # DocIds (load_run): a lookup, not a dict of every id
    index = positions() if positions is not None else {doc_id: i for i, doc_id in enumerate(run.doc_ids)}
    documents = run.results.get("documents")
    n_docs = documents if isinstance(documents, int) else len(run.doc_ids)
    sig = run.results.get("run_signature") or run.manifest.get("run_signature") or "-"
    sections = [("results", "Results", _results(run)), ("plots", "Plots", _plots(plots)),
                ("terminology", "Terminology", _terminology(run, index)),
                *_qa_section(run),
                ("documents", f"Documents ({len(run.doc_ids)})", _documents(run, index, max_documents)),
                ("details", "Run details", _details(run))]
    nav = "".join(f'<a href="#{sid}">{_e(title)}</a>' for sid, title, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{_e(title)}</h2>{html}</section>' for sid, title, html in sections)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Run report: {_e(run.name)}</title><style>{CSS}{VIEW_CSS}</style></head><body>"
            f"<header><h1>Run report: {_e(run.name)}</h1>"
            f'<p class="meta">{_plural(n_docs, "document")} &middot; {_plural(len(run.systems), "system")} &middot; '
            f'{_plural(len(run.metrics), "metric")} &middot; run signature <code>{_e(sig)}</code></p><nav>{nav}</nav></header>'
            f"<main>{body}</main><script>{SORT_SCRIPT}</script></body></html>\n")

"""Interactive views of the HTML report: sortable tables and the worst documents first.

The page stays self-contained and works from a file with no network: :data:`SORT_SCRIPT` is a small inline
script (no library) that sorts any table of the page by a click on a column header (numbers as numbers,
again to reverse); without JavaScript the tables simply stay in run order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

import numpy as np

from toolkit.runs import report_limits as limits
from toolkit.runs.report_data import RunData, fmt, metric_digits, position

SORT_SCRIPT = """
(function () {
  function key(row, i) {
    var cell = row.cells[i];
    var text = cell ? (cell.getAttribute("data-sort") || cell.textContent).trim() : "";
    var number = parseFloat(text);
    return /^[-+]?(\\d|\\.\\d)/.test(text) && !isNaN(number) ? number : text.toLowerCase();
  }
  function sortBy(table, header, i) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) {
      var a = key(x, i), b = key(y, i);
      if (typeof a !== typeof b) { return typeof a === "number" ? -1 : 1; }
      return (a < b ? -1 : a > b ? 1 : 0) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table"), function (table) {
    if (!table.tHead || !table.tBodies.length || table.tBodies[0].rows.length < 2) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, i) {
      header.classList.add("sortable");
      header.tabIndex = 0;
      header.title = "sort by this column (again to reverse)";
      header.addEventListener("click", function () { sortBy(table, header, i); });
      header.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(table, header, i); } });
    });
  });
})();
"""

CSS = """
th.sortable{cursor:pointer;user-select:none} th.sortable:hover{background:#e8eef9}
th[aria-sort=ascending]::after{content:" \\25B2";font-size:10px} th[aria-sort=descending]::after{content:" \\25BC";font-size:10px}
.refs{margin:4px 0 8px;padding-left:20px} .refs li{margin:2px 0}
"""


def primary_metric(run: RunData) -> str | None:
    """The metric the worst-documents view ranks by: the first one with a direction (else the first one).

    Example:
        >>> from toolkit.runs.report_data import load_run
        >>> primary_metric(load_run("tests/data/report/seed-demo"))
        'rouge1'
    """
    with_direction = [m for m in run.metrics if run.higher_is_better(m) is not None]
    return (with_direction or list(run.metrics) or [None])[0]


def worst_documents(run: RunData, index: Mapping[str, int], limit: int | None = None) -> str:
    """A sortable table of the documents, worst first on :func:`primary_metric` (mean over the systems).

    Example:
        >>> from toolkit.runs.report_data import load_run
        >>> run = load_run("tests/data/report/seed-demo")
        >>> html = worst_documents(run, {d: i for i, d in enumerate(run.doc_ids)})
        >>> html.count("<tr>"), 'id="worst"' in html
        (5, True)
    """
    limit = limits.MAX_WORST if limit is None else limit
    metric = primary_metric(run)
    if metric is None or not run.doc_ids:
        return ""
    lower_is_better = run.higher_is_better(metric) is False
    digits = metric_digits(run, metric)
    total, count = np.zeros(len(run.doc_ids)), np.zeros(len(run.doc_ids), dtype=np.int64)
    for system in run.systems:  # added system by system, left to right: the same float as sum(values)
        column = run.score_column(system, metric)
        known = ~np.isnan(column)
        total = np.where(known, total + np.where(known, column, 0.0), total)
        count += known
    scored = np.flatnonzero(count)
    if not scored.size:
        return ""
    means = total[scored] / count[scored]
    keys = -means if lower_is_better else means
    if scored.size > limit:  # the candidates: every document up to the limit-th key (ties included)
        cut = np.partition(keys, limit - 1)[limit - 1]
        chosen = np.flatnonzero(keys <= cut)
    else:
        chosen = np.arange(scored.size)
    rows = sorted(((float(keys[k]), run.doc_ids[int(scored[k])], float(means[k])) for k in chosen), key=lambda r: r[:2])
    values = {s: run.score_column(s, metric) for s in run.systems}
    head = "".join(f"<th{' class=num' if i else ''}>{escape(h)}</th>"
                   for i, h in enumerate(["Document", f"mean {metric}", *run.systems]))
    body = []
    for _key, doc_id, mean in rows[:limit]:
        link = f'<a href="#doc-{index[doc_id]}">{escape(doc_id)}</a>' if doc_id in index else escape(doc_id)
        cells = [f"<td>{link}</td>", f'<td class=num data-sort="{mean!r}">{fmt(mean, digits)}</td>']
        at = position(run, doc_id)
        for system in run.systems:
            found = float(values[system][at])
            value = None if math.isnan(found) else found
            sort = repr(value) if value is not None and math.isfinite(value) else ""
            cells.append(f'<td class=num data-sort="{sort}">{fmt(value, digits)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    order = "highest" if lower_is_better else "lowest"
    more = ""
    if scored.size > limit:
        where = "the per-document tables" if len(run.doc_ids) <= limits.TABLE_DOCUMENTS else "scores.jsonl"
        more = f" The {scored.size - limit} others are in {where}."
    return (f'<h3 id="worst">Worst documents first ({escape(metric)})</h3><table class="worst"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table><p class="note">Documents by their mean {escape(metric)} over '
            f"the systems, {order} first; click a column header to sort by it, a document to open it.{more}</p>")

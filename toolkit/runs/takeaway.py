"""A finished run in forms people take away: typed results for notebooks, and its tables as CSV, LaTeX,
Markdown or JSON for papers and spreadsheets.

:func:`load_run` reads a run folder through the results schema (:mod:`toolkit.runs.results`) and the
per-document scores (``scores.jsonl``). :func:`render_tables` writes the two tables of a run, the corpus
results and the paired comparisons, in one of :data:`TABLE_FORMATS`; ``toolkit report RUN --format F``
prints them.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import InputError
from toolkit.runs.results import RunResults, read_results

if TYPE_CHECKING:
    import pandas as pd

#: Formats of :func:`render_tables` (and ``toolkit report --format``).
TABLE_FORMATS = ("csv", "latex", "md", "json")
#: The tables of a run.
TABLES = ("results", "comparisons")

_RESULT_COLUMNS = ("system", "input", "metric", "score", "ci_low", "ci_high", "higher_is_better", "best", "verdict")
_COMPARISON_COLUMNS = ("family", "metric", "a", "b", "a_score", "b_score", "delta", "p_value", "p_holm",
                       "correction", "method", "verdict")


@dataclass(frozen=True)
class LoadedRun:
    """A run folder, read: the typed results and the per-document scores (build it with :func:`load_run`).

    Attributes:
        path: the run folder.
        results: everything ``results.json`` holds (:class:`~toolkit.runs.results.RunResults`).

    Example:
        >>> from toolkit.scoring.records import MetricResult
        >>> from toolkit.runs.results import SystemResults
        >>> run = LoadedRun(Path("runs/demo"), RunResults(name="demo", run_signature="sig", documents=1, systems={
        ...     "a": SystemResults("a", "original", "a", {"bleu": MetricResult("bleu", 20.0, None, "s", True)})}))
        >>> run.systems, float(run.to_frame().loc[("a", "bleu"), "score"])
        (('a',), 20.0)
    """

    path: Path
    results: RunResults

    @property
    def systems(self) -> tuple[str, ...]:
        """System names in run order."""
        return tuple(self.results.systems)

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metric names in the order of the results."""
        return self.results.metrics

    def to_frame(self) -> pd.DataFrame:
        """Corpus results, one row per (system, metric): score, CI, direction, best, verdict against the
        first system."""
        import pandas as pd

        return pd.DataFrame(results_rows(self.results), columns=list(_RESULT_COLUMNS)).set_index(["system", "metric"])

    def comparisons_frame(self) -> pd.DataFrame:
        """Paired comparisons, one row per (family, metric, baseline ``a``, system ``b``)."""
        import pandas as pd

        return pd.DataFrame(comparison_rows(self.results), columns=list(_COMPARISON_COLUMNS))

    def segments_frame(self) -> pd.DataFrame:
        """Per-document scores from ``scores.jsonl``: one row per (system, document id), one column per
        metric (precision and recall columns included), in run and document order.

        Raises:
            InputError: ``scores.jsonl`` is missing or broken.
        """
        import pandas as pd

        rows = _score_rows(self.path / "scores.jsonl")
        frame = pd.DataFrame(rows, columns=["system", "id", "metric", "score"])
        wide = frame.pivot_table(index=["system", "id"], columns="metric", values="score", aggfunc="first", sort=False)
        wide.columns.name = None
        order = {m: i for i, m in enumerate(dict.fromkeys(r["metric"] for r in rows))}
        return wide[sorted(wide.columns, key=order.__getitem__)]

    def _repr_html_(self) -> str:
        frame = self.to_frame()[["score", "ci_low", "ci_high", "verdict"]]
        head = f"<p><b>{_html(self.results.name)}</b>: {self.results.documents} documents, {len(self.systems)} systems</p>"
        return head + frame.to_html(float_format=lambda v: f"{v:.2f}", na_rep="")


def load_run(path: str | Path) -> LoadedRun:
    """Read a finished run folder for a notebook or a script.

    Args:
        path: the run folder (``<output_dir>/<name>``), holding ``results.json`` and ``scores.jsonl``.

    Returns:
        The typed results, with ``.to_frame()`` (corpus), ``.segments_frame()`` (per document) and
        ``.comparisons_frame()``.

    Raises:
        RunDirError: no ``results.json`` in the folder.
        InputError: a broken ``results.json``.

    Example:
        >>> import toolkit, tempfile
        >>> cfg = toolkit.config_from_dict({"name": "demo", "data": {"path": "eval/seed/documents.jsonl"}, "limit": 2,
        ...     "output_dir": tempfile.mkdtemp(), "metrics": ["rouge1"], "bootstrap": {"resamples": 50},
        ...     "systems": [{"name": "lead-1", "model": "lead-1"}, {"name": "lead-2", "model": "lead-2"}]})
        >>> run = toolkit.load_run(toolkit.run(cfg, progress=False).run_dir)
        >>> run.systems, run.to_frame().loc[("lead-1", "rouge1"), "input"], run.segments_frame().shape
        (('lead-1', 'lead-2'), 'original', (4, 3))
    """
    folder = Path(path)
    return LoadedRun(folder, read_results(folder / "results.json"))


def _score_rows(path: Path) -> list[dict[str, Any]]:
    from toolkit.io import iter_jsonl

    if not path.exists():
        raise InputError(f"{path}: not found; give a finished run folder (made by `toolkit run CONFIG`)")
    rows = []
    for number, obj in iter_jsonl(path):
        if not {"system", "id", "metric"} <= set(obj):
            raise InputError(f"{path}:{number}: expected an object with system, id, metric and score")
        score = obj.get("score")
        value = float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else math.nan
        rows.append({"system": str(obj["system"]), "id": str(obj["id"]), "metric": str(obj["metric"]), "score": value})
    return rows


def _html(text: str) -> str:
    import html

    return html.escape(text)


# ---- the tables --------------------------------------------------------------------------------------


def results_rows(results: RunResults) -> list[dict[str, Any]]:
    """The corpus results as rows (the ``results`` table): one per (system, metric).

    ``verdict`` is the paired test against the first system (``better``, ``worse``, ``no difference``;
    empty for the first system itself); ``best`` marks the best score on a metric with a direction.
    """
    verdicts = {(c.b, c.metric): c.verdict for c in results.comparisons_of("against-first")}
    rows = []
    for system, block in results.systems.items():
        for metric, value in block.metrics.items():
            ci = value.ci
            rows.append({
                "system": system, "input": block.input, "metric": metric, "score": _num(value.score),
                "ci_low": _num(ci[0]) if ci else None, "ci_high": _num(ci[1]) if ci else None,
                "higher_is_better": value.higher_is_better, "best": system in results.best(metric),
                "verdict": verdicts.get((system, metric)) or "",
            })
    return rows


def comparison_rows(results: RunResults) -> list[dict[str, Any]]:
    """The paired comparisons as rows (the ``comparisons`` table), in stored order."""
    return [{key: c.to_dict().get(key) for key in _COMPARISON_COLUMNS} for c in results.comparisons]


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def render_tables(results: RunResults, fmt: str, *, tables: Sequence[str] = TABLES) -> str:
    """A run's tables as text in ``fmt`` (``csv``, ``latex``, ``md`` or ``json``).

    CSV holds one table (the first of ``tables``), with plain numbers. Markdown and LaTeX show a wide results
    table (systems by metrics, ``score [CI]``, best in bold, ``+``/``-`` for significantly better/worse
    than the first system) and then the comparisons. JSON has both tables as lists of objects.

    Raises:
        InputError: an unknown format or table name.

    Example:
        >>> from toolkit.scoring.records import MetricResult
        >>> from toolkit.runs.results import SystemResults
        >>> r = RunResults(name="demo", run_signature="sig", documents=2, systems={
        ...     "a": SystemResults("a", "original", "a", {"bleu": MetricResult("bleu", 20.0, (18.0, 22.5), "s|a", True)}),
        ...     "b": SystemResults("b", "original", "b", {"bleu": MetricResult("bleu", 30.0, None, "s|b", True)})})
        >>> print(render_tables(r, "csv"), end="")
        system,input,metric,score,ci_low,ci_high,higher_is_better,best,verdict
        a,original,bleu,20.0,18.0,22.5,True,False,
        b,original,bleu,30.0,,,True,True,
        >>> print(render_tables(r, "md", tables=["results"]), end="")
        | system | input | bleu |
        |---|---|---|
        | a | original | 20.00 [18.00, 22.50] |
        | b | original | **30.00** |
    """
    unknown = [t for t in tables if t not in TABLES]
    if fmt not in TABLE_FORMATS or unknown or not tables:
        what = f"format '{fmt}'" if fmt not in TABLE_FORMATS else f"table '{unknown[0] if unknown else ''}'"
        raise InputError(f"unknown {what}; formats: {', '.join(TABLE_FORMATS)}; tables: {', '.join(TABLES)}")
    if fmt == "json":
        payload = {"name": results.name, "run_signature": results.run_signature}
        payload.update({t: results_rows(results) if t == "results" else comparison_rows(results) for t in tables})
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        rows, columns = (results_rows(results), _RESULT_COLUMNS) if tables[0] == "results" else (
            comparison_rows(results), _COMPARISON_COLUMNS)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    parts = []
    for table in tables:
        header, body = _wide_results(results) if table == "results" else _comparison_cells(results)
        parts.append(_markdown(header, body) if fmt == "md" else _latex(header, body, table, results.name))
    return "\n".join(parts)


def _wide_results(results: RunResults) -> tuple[list[str], list[list[tuple[str, bool]]]]:
    """Header and cells (text, bold) of the systems-by-metrics table."""
    marks = {(c.b, c.metric): {"better": "+", "worse": "-"}.get(c.verdict or "", "")
             for c in results.comparisons_of("against-first")}
    header = ["system", "input"] + [m + (" (lower better)" if results.higher_is_better(m) is False else "")
                                    for m in results.metrics]
    body = []
    for system, block in results.systems.items():
        row = [(system, False), (block.input, False)]
        for metric in results.metrics:
            value = block.metrics.get(metric)
            if value is None or _num(value.score) is None:
                row.append(("-", False))
                continue
            ci = f" [{value.ci[0]:.2f}, {value.ci[1]:.2f}]" if value.ci else ""
            row.append((f"{value.score:.2f}{marks.get((system, metric), '')}{ci}", system in results.best(metric)))
        body.append(row)
    return header, body


def _comparison_cells(results: RunResults) -> tuple[list[str], list[list[tuple[str, bool]]]]:
    header = ["family", "metric", "baseline", "system", "delta", "p", "p (Holm)", "verdict"]
    body = []
    for c in results.comparisons:
        values = [c.family, c.metric, c.a, c.b, _fmt(c.delta, "+.2f"), _fmt(c.p_value, ".4f"), _fmt(c.p_holm, ".4f"),
                  c.verdict or ""]
        body.append([(v, False) for v in values])
    return header, body


def _fmt(value: float | None, spec: str) -> str:
    return "" if value is None or not math.isfinite(value) else format(value, spec)


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _markdown(header: list[str], body: list[list[tuple[str, bool]]]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    for row in body:
        cells = [f"**{_md_cell(t)}**" if bold else _md_cell(t) for t, bold in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _latex(header: list[str], body: list[list[tuple[str, bool]]], table: str, name: str) -> str:
    align = "ll" + "r" * (len(header) - 2) if table == "results" else "llll" + "rrr" + "l"
    lines = [r"\begin{table}[t]", r"\centering", rf"\begin{{tabular}}{{{align}}}", r"\hline",
             " & ".join(_tex(h) for h in header) + r" \\", r"\hline"]
    for row in body:
        lines.append(" & ".join(rf"\textbf{{{_tex(t)}}}" if bold else _tex(t) for t, bold in row) + r" \\")
    caption = ("corpus scores [95\\% bootstrap CI]; bold: best; +/-: significantly better/worse than the first system"
               if table == "results" else "paired comparisons (delta = system - baseline)")
    lines += [r"\hline", r"\end{tabular}", rf"\caption{{{_tex(name)}: {caption}}}", r"\end{table}"]
    return "\n".join(lines) + "\n"

"""The report's plots, drawn with matplotlib (imported lazily, no pyplot: no global backend is touched).

Each plot is returned as an inline SVG string whose ids are prefixed so that several SVGs can share one HTML
page. Plots: per-document score distributions per system, a per-document scatter of each system against the
baseline (the first system), and summary length against score.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from toolkit.runs import report_limits as limits
from toolkit.runs.report_data import RunData

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_RC = {
    "svg.hashsalt": "toolkit-report",  # deterministic ids
    "svg.fonttype": "path",  # glyphs as paths: the SVG needs no font installed where it is viewed
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
MAX_LABELLED_POINTS = 6  # label the scatter points farthest from the diagonal (more labels overlap)
RASTER_ABOVE = 300  # with more documents, point clouds are embedded as bitmaps inside the SVG (keeps it small)


@dataclass(frozen=True)
class Plot:
    """One figure of the report: an anchor id, a title, a caption and the inline SVG markup."""

    id: str
    title: str
    caption: str
    svg: str


def scatter_pair(run: RunData) -> tuple[str, str] | None:
    """The two systems to compare document by document.

    Prefers a system and its ``+norm`` twin (same ``base``, original vs normalised input), then the first
    compared pair, then the first two systems; ``None`` with fewer than two systems.
    """
    if len(run.systems) < 2:
        return None
    blocks = run.results.get("systems", {})
    for system in run.systems:
        block = blocks.get(system) or {}
        if block.get("input") == "normalised":
            base = block.get("base")
            twin = next((s for s in run.systems if s != system and (blocks.get(s) or {}).get("base") == base
                         and (blocks.get(s) or {}).get("input") != "normalised"), None)
            if twin is not None:
                return twin, system
    for c in run.comparisons:
        if c.a in run.systems and c.b in run.systems and c.a != c.b:
            return c.b, c.a
    return run.systems[0], run.systems[1]


def _colours(systems: Sequence[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {s: cmap(i % 10) for i, s in enumerate(systems)}


def _panels(metrics: Sequence[str], height: float = 2.9) -> tuple[Figure, list[Axes]]:
    from matplotlib.figure import Figure

    ncols = min(len(metrics), 3)
    nrows = math.ceil(len(metrics) / ncols)
    fig = Figure(figsize=(3.7 * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    return fig, axes[: len(metrics)]


def _to_svg(fig: Figure, prefix: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)  # RDF block with creator URLs
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{prefix}" ', 1)


def _sample(count: int, keep: Sequence[int] = ()) -> np.ndarray | None:
    """Positions (sorted) of the points drawn out of ``count``: ``None`` (all of them) up to
    :data:`~toolkit.runs.report_limits.PLOT_POINTS`, else a seeded random sample of that many, with ``keep``."""
    if count <= limits.PLOT_POINTS:
        return None
    chosen = np.random.default_rng(limits.PLOT_SEED).choice(count, limits.PLOT_POINTS, replace=False)
    return np.union1d(chosen, np.asarray(keep, dtype=np.int64))


def _sampled_note(count: int, drawn: int, what: str) -> str:
    return (f" Drawn: a seeded random sample of {drawn:,} of the {count:,} {what} (seed {limits.PLOT_SEED}, cap "
            f"{limits.PLOT_POINTS:,} a series, toolkit.runs.report_limits)")


def _box(values: np.ndarray) -> dict[str, float]:
    """matplotlib's box statistics (``cbook.boxplot_stats``, whiskers at 1.5 IQR) of every value."""
    q1, med, q3 = (float(v) for v in np.percentile(values, [25, 50, 75]))
    iqr = q3 - q1
    high, low = values[values <= q3 + 1.5 * iqr], values[values >= q1 - 1.5 * iqr]
    whishi = q3 if not high.size or high.max() < q3 else float(high.max())
    whislo = q1 if not low.size or low.min() > q1 else float(low.min())
    return {"med": med, "q1": q1, "q3": q3, "whislo": whislo, "whishi": whishi}


@dataclass(frozen=True)
class _Sketch:
    """A plot before it is drawn: the plain data its ``draw`` function turns into SVG (the plot cache's key)."""

    id: str
    title: str
    caption: str
    kind: str  # a key of _DRAW
    data: dict[str, Any]

    def drawn(self, svg: str | None = None) -> Plot:
        return Plot(self.id, self.title, self.caption, svg if svg is not None else _DRAW[self.kind](self.id, self.data))


def _drawn(sketch: _Sketch | None) -> Plot | None:
    return sketch.drawn() if sketch is not None else None


def _figure(metrics: Sequence[str], prefix: str, panel: Callable[[Axes, str], None], *, height: float = 2.9,
            finish: Callable[[Figure, list[Axes]], None] | None = None) -> str:
    """One panel per metric drawn by ``panel(ax, metric)`` under the report's style, as inline SVG."""
    from matplotlib import rc_context

    with rc_context(_RC):
        fig, axes = _panels(metrics, height)
        for ax, metric in zip(axes, metrics):
            panel(ax, metric)
            ax.set_title(metric)
        if finish is not None:
            finish(fig, axes)
        return _to_svg(fig, prefix)


def _sketch_distributions(run: RunData) -> _Sketch | None:
    known = {m: {s: (c := run.score_column(s, m))[~np.isnan(c)] for s in run.systems} for m in run.metrics}
    metrics = [m for m in run.metrics if any(v.size for v in known[m].values())]
    if not metrics:
        return None
    largest = max(v.size for m in metrics for v in known[m].values())
    data: dict[str, Any] = {"systems": list(run.systems), "metrics": metrics, "values": {}}
    caption = "Per-document scores of each system, one panel per metric (box: quartiles and median)."
    if _sample(largest) is not None:  # points: a sample; boxes: every document
        data["boxes"] = {m: {s: _box(v) for s, v in known[m].items() if v.size} for m in metrics}
        caption += _sampled_note(largest, limits.PLOT_POINTS, "documents a system") + "; the boxes cover all of them."
    for m in metrics:
        data["values"][m] = {}
        for s, v in known[m].items():
            chosen = _sample(v.size)
            data["values"][m][s] = (v if chosen is None else v[chosen]).tolist()
    return _Sketch("plot-dist", "Score distributions", caption, "distributions", data)


def _draw_distributions(prefix: str, data: dict[str, Any]) -> str:
    systems: list[str] = data["systems"]
    colours = _colours(systems)

    def panel(ax: Axes, metric: str) -> None:
        for i, system in enumerate(systems):
            values = data["values"][metric][system]
            if not values:
                continue
            style = {"medianprops": {"color": colours[system]}, "boxprops": {"color": "#666"},
                     "whiskerprops": {"color": "#666"}, "capprops": {"color": "#666"}}
            box = data.get("boxes", {}).get(metric, {}).get(system)
            if box is not None:  # sampled points: the box of every document, computed before the sample
                ax.bxp([{**box, "fliers": []}], positions=[i], widths=0.55, showfliers=False, **style)
            elif len(values) > 1:
                ax.boxplot([values], positions=[i], widths=0.55, showfliers=False, **style)
            offsets = [0.0] if len(values) == 1 else [(-0.18 + 0.36 * k / (len(values) - 1)) for k in range(len(values))]
            many = len(values) > 100
            ax.scatter([i + o for o in offsets], values, s=5 if many else 16, color=colours[system],
                       alpha=0.3 if many else 0.8, zorder=1 if many else 3, rasterized=len(values) > RASTER_ABOVE)
        ax.set_xticks(range(len(systems)), systems, rotation=20 if len(systems) > 2 else 0,
                      ha="right" if len(systems) > 2 else "center")
        ax.set_ylabel("score")

    return _figure(data["metrics"], prefix, panel)


def plot_distributions(run: RunData) -> Plot | None:
    """Box plot and points of the per-document scores of every system, one panel per metric."""
    return _drawn(_sketch_distributions(run))


def _sketch_scatter(run: RunData, pair: tuple[str, str] | None, plot_id: str) -> _Sketch | None:
    pair = pair or scatter_pair(run)
    if pair is None:
        return None
    a, b = pair
    points: dict[str, list[list[Any]]] = {}
    largest = 0
    for m in run.metrics:
        xs, ys = run.score_column(a, m), run.score_column(b, m)
        both = np.flatnonzero(~np.isnan(xs) & ~np.isnan(ys))
        if not both.size:
            continue
        largest = max(largest, both.size)
        far = np.argsort(-np.abs(ys[both] - xs[both]), kind="stable")[:MAX_LABELLED_POINTS]  # labelled: always drawn
        chosen = _sample(both.size, far)
        at = both if chosen is None else both[chosen]
        points[m] = [[str(run.doc_ids[int(i)]), x, y] for i, x, y in zip(at.tolist(), xs[at].tolist(), ys[at].tolist())]
    if not points:
        return None
    caption = (f"Each point is one document; above the dashed diagonal {b} scored higher than {a}. Labels name the "
               f"documents where the two differ most.")
    if largest > limits.PLOT_POINTS:
        caption = caption[:-1] + _sampled_note(largest, limits.PLOT_POINTS, "documents") + ", with the labelled ones."
    return _Sketch(plot_id, f"Per document: {b} against {a}", caption, "scatter",
                   {"a": a, "b": b, "metrics": list(points), "points": points})


def _draw_scatter(prefix: str, data: dict[str, Any]) -> str:
    def panel(ax: Axes, metric: str) -> None:
        pairs = data["points"][metric]
        xs, ys = [p[1] for p in pairs], [p[2] for p in pairs]
        lo, hi = min(xs + ys), max(xs + ys)
        pad = (hi - lo) * 0.08 or 1.0
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="#999", lw=1, ls="--", zorder=1)
        ax.scatter(xs, ys, s=22, color="#1f77b4", zorder=3, rasterized=len(xs) > RASTER_ABOVE)
        for doc_id, x, y in sorted(pairs, key=lambda p: -abs(p[2] - p[1]))[:MAX_LABELLED_POINTS]:
            if x != y:
                ax.annotate(doc_id[:16], (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlabel(data["a"])
        ax.set_ylabel(data["b"])

    return _figure(data["metrics"], prefix, panel, height=3.1)


def plot_scatter(run: RunData, pair: tuple[str, str] | None = None, plot_id: str = "plot-scatter") -> Plot | None:
    """Per-document scores of two systems against each other, with the diagonal, one panel per metric.

    ``pair`` is ``(x system, y system)``; by default :func:`scatter_pair`. Only the documents farthest from the
    diagonal are labelled, so labels do not pile up.
    """
    return _drawn(_sketch_scatter(run, pair, plot_id))


def _sketch_scatters(run: RunData) -> list[_Sketch]:
    if len(run.systems) < 2:
        return []
    baseline = run.systems[0]
    sketches = [_sketch_scatter(run, (baseline, system), "plot-scatter" if i == 0 else f"plot-scatter-{i + 1}")
                for i, system in enumerate(run.systems[1:])]
    return [s for s in sketches if s is not None]


def plot_scatters(run: RunData) -> list[Plot]:
    """One per-document scatter for each system against the baseline (the first system).

    Example:
        >>> from toolkit.runs.report_data import load_run
        >>> [p.title for p in plot_scatters(load_run("tests/data/report/seed-demo"))]
        ['Per document: lead-3+norm against lead-3', 'Per document: smollm2-135m against lead-3']
    """
    return [s.drawn() for s in _sketch_scatters(run)]


def _sketch_length(run: RunData) -> _Sketch | None:
    points: dict[str, dict[str, list[list[float]]]] = {}
    largest = 0
    words = {s: run.word_column(s) for s in run.systems}
    for metric in run.metrics:
        known: dict[str, list[list[float]]] = {}
        for s in run.systems:
            ys = run.score_column(s, metric)
            both = np.flatnonzero((words[s] >= 0) & ~np.isnan(ys))
            largest = max(largest, both.size)
            chosen = _sample(both.size)
            at = both if chosen is None else both[chosen]
            known[s] = [words[s][at].astype(np.float64).tolist(), ys[at].tolist()]
        if any(xs for xs, _ys in known.values()):
            points[metric] = known
    if not points:
        return None
    caption = "Each point is one summary; length counts whitespace-separated words."
    if largest > limits.PLOT_POINTS:
        caption = caption[:-1] + _sampled_note(largest, limits.PLOT_POINTS, "summaries a system") + "."
    return _Sketch("plot-length", "Summary length vs score", caption, "length",
                   {"systems": list(run.systems), "metrics": list(points), "points": points})


def _draw_length(prefix: str, data: dict[str, Any]) -> str:
    colours = _colours(data["systems"])

    def panel(ax: Axes, metric: str) -> None:
        for system in data["systems"]:
            xs, ys = data["points"][metric][system]
            if xs:
                ax.scatter(xs, ys, s=18, color=colours[system], alpha=0.85, label=system, rasterized=len(xs) > RASTER_ABOVE)
        ax.set_xlabel("summary length (words)")
        ax.set_ylabel("score")

    def legend(fig: Figure, axes: list[Axes]) -> None:
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4), frameon=False)

    return _figure(data["metrics"], prefix, panel, finish=legend)


def plot_length(run: RunData) -> Plot | None:
    """Summary length in words against score, one colour per system, one panel per metric."""
    return _drawn(_sketch_length(run))


_DRAW: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "distributions": _draw_distributions, "scatter": _draw_scatter, "length": _draw_length}


def render_plots(run: RunData, *, cache: bool = False) -> list[Plot]:
    """Every plot the run's data allows (none without per-document scores).

    With ``cache``, each plot's SVG is kept in the run folder's ``cache/plots.json`` under a hash of the
    data it draws (and of the code and package versions, :func:`toolkit.runs.cache.cache_key`): a plot whose
    data did not change is read back, not drawn, and matplotlib is not even imported.

    Example:
        >>> from toolkit.runs.report_data import load_run
        >>> [p.id for p in render_plots(load_run("tests/data/report/seed-demo"))]
        ['plot-dist', 'plot-scatter', 'plot-scatter-2', 'plot-length']
    """
    sketches = [s for s in (_sketch_distributions(run), *_sketch_scatters(run), _sketch_length(run)) if s is not None]
    if not cache:
        return [s.drawn() for s in sketches]
    from toolkit.runs.cache import PLOTS_CACHE, cache_key, read_cache, write_cache

    stored = read_cache(run.run_dir, PLOTS_CACHE)
    keys = [cache_key("plot", s.id, s.kind, s.data, _RC, MAX_LABELLED_POINTS, RASTER_ABOVE) for s in sketches]
    plots = [s.drawn(svg if isinstance(svg := stored.get(k), str) else None) for s, k in zip(sketches, keys)]
    entries = {k: p.svg for k, p in zip(keys, plots)}
    if entries != stored:  # only this report's plots are kept
        write_cache(run.run_dir, PLOTS_CACHE, entries)
    return plots

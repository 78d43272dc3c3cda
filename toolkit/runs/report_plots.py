"""The report's plots, drawn with matplotlib (imported lazily, no pyplot: no global backend is touched).

Each plot is returned as an inline SVG string whose ids are prefixed so that several SVGs can share one HTML
page. Plots: per-document score distributions per system, a per-document scatter of each system against the
baseline (the first system), and summary length against score.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.runs.report_data import RunData, summary_words

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
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # RDF block with creator URLs
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{prefix}" ', 1)


def _known(xs: Sequence[float | None], ys: Sequence[float | None]) -> tuple[list[float], list[float]]:
    pairs = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
    return [float(p[0]) for p in pairs], [float(p[1]) for p in pairs]


def plot_distributions(run: RunData) -> Plot | None:
    """Box plot and points of the per-document scores of every system, one panel per metric."""
    metrics = [m for m in run.metrics if any(v is not None for s in run.systems for v in run.doc_scores(s, m))]
    if not metrics:
        return None
    from matplotlib import rc_context

    with rc_context(_RC):
        colours = _colours(run.systems)
        fig, axes = _panels(metrics)
        for ax, metric in zip(axes, metrics):
            for i, system in enumerate(run.systems):
                values = [v for v in run.doc_scores(system, metric) if v is not None]
                if not values:
                    continue
                if len(values) > 1:
                    ax.boxplot([values], positions=[i], widths=0.55, showfliers=False,
                               medianprops={"color": colours[system]}, boxprops={"color": "#666"},
                               whiskerprops={"color": "#666"}, capprops={"color": "#666"})
                offsets = [0.0] if len(values) == 1 else [(-0.18 + 0.36 * k / (len(values) - 1)) for k in range(len(values))]
                many = len(values) > 100
                ax.scatter([i + o for o in offsets], values, s=5 if many else 16, color=colours[system],
                           alpha=0.3 if many else 0.8, zorder=1 if many else 3, rasterized=len(values) > RASTER_ABOVE)
            ax.set_xticks(range(len(run.systems)), run.systems, rotation=20 if len(run.systems) > 2 else 0,
                          ha="right" if len(run.systems) > 2 else "center")
            ax.set_title(metric)
            ax.set_ylabel("score")
        svg = _to_svg(fig, "plot-dist")
    return Plot("plot-dist", "Score distributions",
                "Per-document scores of each system, one panel per metric (box: quartiles and median).", svg)


def plot_scatter(run: RunData, pair: tuple[str, str] | None = None, plot_id: str = "plot-scatter") -> Plot | None:
    """Per-document scores of two systems against each other, with the diagonal, one panel per metric.

    ``pair`` is ``(x system, y system)``; by default :func:`scatter_pair`. Only the documents farthest from the
    diagonal are labelled, so labels do not pile up.
    """
    pair = pair or scatter_pair(run)
    if pair is None:
        return None
    a, b = pair
    metrics = [m for m in run.metrics if _known(run.doc_scores(a, m), run.doc_scores(b, m))[0]]
    if not metrics:
        return None
    from matplotlib import rc_context

    with rc_context(_RC):
        fig, axes = _panels(metrics, height=3.1)
        for ax, metric in zip(axes, metrics):
            pairs = [(d, x, y) for d, x, y in zip(run.doc_ids, run.doc_scores(a, metric), run.doc_scores(b, metric))
                     if x is not None and y is not None]
            xs, ys = [p[1] for p in pairs], [p[2] for p in pairs]
            lo, hi = min(xs + ys), max(xs + ys)
            pad = (hi - lo) * 0.08 or 1.0
            ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="#999", lw=1, ls="--", zorder=1)
            ax.scatter(xs, ys, s=22, color="#1f77b4", zorder=3, rasterized=len(xs) > RASTER_ABOVE)
            for doc_id, x, y in sorted(pairs, key=lambda p: -abs(p[2] - p[1]))[:MAX_LABELLED_POINTS]:
                if x != y:
                    ax.annotate(str(doc_id)[:16], (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7)
            ax.set_xlim(lo - pad, hi + pad)
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_title(metric)
            ax.set_xlabel(a)
            ax.set_ylabel(b)
        svg = _to_svg(fig, plot_id)
    return Plot(plot_id, f"Per document: {b} against {a}",
                f"Each point is one document; above the dashed diagonal {b} scored higher than {a}. Labels name the "
                f"documents where the two differ most.", svg)


def plot_scatters(run: RunData) -> list[Plot]:
    """One per-document scatter for each system against the baseline (the first system).

    Example:
        >>> from toolkit.runs.report_data import load_run
        >>> [p.title for p in plot_scatters(load_run("tests/data/report/seed-demo"))]
        ['Per document: lead-3+norm against lead-3', 'Per document: smollm2-135m against lead-3']
    """
    if len(run.systems) < 2:
        return []
    baseline = run.systems[0]
    plots = [plot_scatter(run, (baseline, system), "plot-scatter" if i == 0 else f"plot-scatter-{i + 1}")
             for i, system in enumerate(run.systems[1:])]
    return [p for p in plots if p is not None]


def plot_length(run: RunData) -> Plot | None:
    """Summary length in words against score, one colour per system, one panel per metric."""
    metrics = []
    for metric in run.metrics:
        if any(_known([summary_words(run, s, d) for d in run.doc_ids], run.doc_scores(s, metric))[0]
               for s in run.systems):
            metrics.append(metric)
    if not metrics:
        return None
    from matplotlib import rc_context

    with rc_context(_RC):
        colours = _colours(run.systems)
        fig, axes = _panels(metrics)
        for ax, metric in zip(axes, metrics):
            for system in run.systems:
                xs, ys = _known([summary_words(run, system, d) for d in run.doc_ids], run.doc_scores(system, metric))
                if xs:
                    ax.scatter(xs, ys, s=18, color=colours[system], alpha=0.85, label=system,
                               rasterized=len(xs) > RASTER_ABOVE)
            ax.set_title(metric)
            ax.set_xlabel("summary length (words)")
            ax.set_ylabel("score")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4), frameon=False)
        svg = _to_svg(fig, "plot-length")
    return Plot("plot-length", "Summary length vs score",
                "Each point is one summary; length counts whitespace-separated words.", svg)


def render_plots(run: RunData) -> list[Plot]:
    """Every plot the run's data allows (none without per-document scores).

    Example:
        >>> from toolkit.runs.report_data import load_run
        >>> [p.id for p in render_plots(load_run("tests/data/report/seed-demo"))]
        ['plot-dist', 'plot-scatter', 'plot-scatter-2', 'plot-length']
    """
    plots = [plot_distributions(run), *plot_scatters(run), plot_length(run)]
    return [p for p in plots if p is not None]

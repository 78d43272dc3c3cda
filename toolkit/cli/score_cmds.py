"""CLI subcommands ``score`` and ``compare`` over ``toolkit.scoring``.

Input files hold one segment a line (as sacreBLEU), or are JSONL: hypotheses ``{"id", "text"}``, references
``{"id", "references": [...]}`` or ``{"id", "text"}``, sources ``{"id", "text"}``, matched by id. A newline
inside a JSONL text separates sentences (for rougeLsum and ``rouge155``). A blank line in a plain reference
file means "no reference from this file for that segment"; a segment left with no reference is an error.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from collections.abc import Callable
from typing import Annotated, Any, Optional, TypeVar

import click
import typer

from toolkit.cli import options as opt
from toolkit.inputs import Segments, align_systems, read_hypotheses, read_references, read_sources

__all__ = ["Segments", "read_hypotheses", "read_references", "read_sources", "register", "render_comparison",
           "render_report"]

T = TypeVar("T")

_EPILOG_SCORE = (
    "Examples:  toolkit score --hyp sys.en --ref ref.en --metrics bleu,chrf,ter --target-lang en\n\n"
    "toolkit score --hyp summaries.jsonl --ref refs.jsonl --metrics rouge --stem --format json --segments"
)
_DEFAULTS_HELP = "rouge1,rouge2,rougeL,rougeLsum,bleu,chrf,ter (+terms with --glossary)"
_EPILOG_COMPARE = "Example:  toolkit compare --ref ref.en base.en sysA.en sysB.en --metrics bleu,chrf,rougeL"


def _load_glossary(path: str | None) -> Any:
    if path is None:
        return None
    from toolkit.terminology import load_glossary

    return load_glossary(path)


def _metrics_arg(metrics: str | None, glossary: str | None) -> list[str]:
    from toolkit.scoring.registry import DEFAULT_METRICS, resolve_metrics

    if metrics:
        return resolve_metrics(metrics)
    return [*DEFAULT_METRICS, "terms"] if glossary else list(DEFAULT_METRICS)


def _fmt(value: float | None, width: int = 2) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:.{width}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h) for k, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
    return "\n".join(lines)


def _echoing_warnings(call: Callable[[], T]) -> T:
    """``call()``, with every warning it raises printed to stderr as one ``warning: ...`` line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    return result


def render_report(report: Any, *, segments: bool) -> str:
    """Plain-text table of a ``ScoreReport`` (score, 95% CI, signature), and per-segment values on request."""
    rows = []
    for name, r in report.corpus.items():
        ci = f"[{_fmt(r.ci[0])}, {_fmt(r.ci[1])}]" if r.ci else "-"
        rows.append([name, _fmt(r.score), ci, r.signature])
    out = _table(["metric", "score", "95% CI", "signature"], rows)
    if segments:
        names = list(report.corpus)
        seg_rows = [[str(row["id"]), *(_fmt(row.get(n)) for n in names)] for row in report.segments]
        out += "\n\n" + _table(["id", *names], seg_rows)
    return out


def render_comparison(comparison: Any) -> str:
    """Plain-text table of a ``Comparison`` with p-values (and Holm-adjusted ones for 3+ systems)."""
    holm = any(len(rows) > 2 for rows in comparison.rows.values())
    header = ["metric", "system", "score", "95% CI", "delta", "p"] + (["p (Holm)"] if holm else []) + ["vs baseline"]
    rows = []
    for name, metric_rows in comparison.rows.items():
        for r in metric_rows:
            ci = f"[{_fmt(r.ci[0])}, {_fmt(r.ci[1])}]" if r.ci else "-"
            cells = [name, r.system + (" (baseline)" if r.baseline else ""), _fmt(r.score), ci,
                     "-" if r.baseline else f"{r.delta:+.2f}",
                     "-" if r.p_value is None else f"{r.p_value:.4f}"]
            if holm:
                cells.append("-" if r.p_holm is None else f"{r.p_holm:.4f}")
            cells.append("-" if r.baseline else (r.verdict or "no direction"))
            rows.append(cells)
    test = "paired bootstrap resampling" if comparison.method == "bootstrap" else "approximate randomisation"
    rule = "sacreBLEU's p-value rule" if comparison.p_value_rule == "sacrebleu" else "ties count as extreme"
    sigs = "\n".join(f"  {name}: {sig}" for name, sig in comparison.signatures.items())
    return (f"{_table(header, rows)}\n\n{test}, {comparison.resamples} samples, seed {comparison.seed}, {rule}; "
            f"better/worse: p{' (Holm)' if holm else ''} < 0.05 in the metric's direction\nsignatures:\n{sigs}")


def _labels(paths: list[str]) -> list[str]:
    """System labels: file names, else the paths as given; a file given twice is ``name#2`` the second time.

    Example:
        >>> _labels(["a/x.txt", "b/y.txt"]), _labels(["a/x.txt", "b/x.txt"]), _labels(["x.txt", "x.txt"])
        (['x.txt', 'y.txt'], ['a/x.txt', 'b/x.txt'], ['x.txt', 'x.txt#2'])
    """
    labels = [Path(p).name for p in paths]
    if len(set(labels)) != len(labels):
        labels = list(paths)
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return out


def register(app: typer.Typer) -> None:
    """Add ``score`` and ``compare`` to ``app``."""

    @app.command("score", epilog=_EPILOG_SCORE)
    def score_cmd(
        hyp: str = typer.Option(..., "--hyp", help="Hypotheses: one segment a line, or JSONL {id, text} ('-' = stdin)."),
        ref: opt.Refs = ...,
        metrics: Annotated[Optional[str], typer.Option("--metrics", help=opt.metrics_help(_DEFAULTS_HELP))] = None,
        rouge_mode: opt.RougeMode = None,
        stem: opt.Stem = None,
        multi_ref: opt.MultiRef = None,
        lsum_split: opt.LsumSplit = None,
        glossary: opt.Glossary = None,
        source: opt.Source = None,
        target_lang: opt.TargetLang = None,
        term_protocol: opt.TermProtocol = None,
        bootstrap: opt.Resamples = None,
        seed: opt.Seed = None,
        segments: bool = typer.Option(False, "--segments", help="Also print per-segment scores."),
        fmt: opt.Format = "table",
    ) -> None:
        """Score hypotheses against references: ROUGE, BLEU/chrF/TER, term accuracy, diagnostics."""
        from toolkit.scoring import score

        names = _metrics_arg(metrics, glossary)
        hyps = read_hypotheses(hyp)
        refs = read_references(list(ref), hyps)
        sources = read_sources(source, hyps) if source else None
        settings = opt.scoring_settings(rouge_mode=rouge_mode, stem=stem, multi_ref=multi_ref, lsum_split=lsum_split,
                                        target_lang=target_lang, term_protocol=term_protocol, resamples=bootstrap,
                                        seed=seed)
        report = _echoing_warnings(lambda: score(predictions=hyps.texts, references=refs, metrics=names, sources=sources,
                                                 glossary=_load_glossary(glossary), settings=settings, ids=hyps.ids))
        if fmt == "json":
            click.echo(json.dumps(report.to_dict(segments=segments), ensure_ascii=False, indent=2))
        else:
            click.echo(render_report(report, segments=segments))

    @app.command("compare", epilog=_EPILOG_COMPARE)
    def compare_cmd(
        systems: list[str] = typer.Argument(..., help="System outputs, baseline first (lines or JSONL {id, text})."),
        ref: opt.Refs = ...,
        metrics: Annotated[Optional[str], typer.Option("--metrics", help=opt.metrics_help(_DEFAULTS_HELP))] = None,
        method: opt.Method = None,
        resamples: opt.Resamples = None,
        seed: opt.Seed = None,
        p_value: opt.PValue = None,
        rouge_mode: opt.RougeMode = None,
        stem: opt.Stem = None,
        multi_ref: opt.MultiRef = None,
        lsum_split: opt.LsumSplit = None,
        glossary: opt.Glossary = None,
        source: opt.Source = None,
        target_lang: opt.TargetLang = None,
        term_protocol: opt.TermProtocol = None,
        fmt: opt.Format = "table",
    ) -> None:
        """Paired significance tests of systems against the first one, with p-values (Holm for 3+ systems)."""
        if len(systems) < 2:
            raise typer.BadParameter("give at least two system files (baseline first)", param_hint="SYSTEMS")
        from toolkit.scoring import compare

        names = _metrics_arg(metrics, glossary)
        labels = _labels(systems)
        first, by_system = align_systems(systems, labels)
        refs = read_references(list(ref), first)
        sources = read_sources(source, first) if source else None
        settings = opt.scoring_settings(rouge_mode=rouge_mode, stem=stem, multi_ref=multi_ref, lsum_split=lsum_split,
                                        target_lang=target_lang, term_protocol=term_protocol, method=method,
                                        resamples=resamples, seed=seed, p_value=p_value)
        result = _echoing_warnings(lambda: compare(systems=by_system, references=refs, metrics=names, sources=sources,
                                                   glossary=_load_glossary(glossary), settings=settings, ids=first.ids))
        if fmt == "json":
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            click.echo(render_comparison(result))

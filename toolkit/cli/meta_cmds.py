"""CLI subcommand ``meta-evaluate``: correlate metrics with human judgments (``toolkit.metaeval``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from toolkit.cli import options as opt

_EPILOG = (
    "Examples: "
    "toolkit meta-evaluate --human items.jsonl --metrics rouge1,rouge2,rougeL --level both ; "
    "toolkit meta-evaluate --format summeval --human summeval_system_outputs.jsonl --documents summeval_documents.jsonl "
    "--references first --metrics rouge1,rouge2,rougeL --corr kendall ; "
    "toolkit meta-evaluate --format wmt --human newstest2021_zhen_system_outputs.jsonl --documents newstest2021_zhen_segments.jsonl "
    "--metrics bleu,chrf,ter --dimensions mqm --level all --compare chrf:bleu"
)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def meta_evaluate_command(
    human: Path = typer.Option(..., "--human", help="Items JSONL {id, system, text, references, human} or, with --format, the file with the human scores."),
    metrics: str = typer.Option(..., "--metrics", help="Comma-separated metric names, e.g. rouge1,rouge2,rougeL or bleu,chrf,ter."),
    level: str = typer.Option("both", "--level", help="system, summary, both (system + summary), global (all items at once) or all."),
    corr: str = typer.Option("kendall,spearman,pearson", "--corr", help="Comma-separated coefficients: kendall (tau-b), spearman, pearson."),
    format: str = typer.Option("items", "--format", help="Input layout: items, summeval, realsumm, newsroom or wmt."),
    documents: Optional[Path] = typer.Option(None, "--documents", help="Documents file (--format summeval) or segments file (--format wmt)."),
    references: str = typer.Option("all", "--references", help="SummEval: all (11 references) or first (the CNN/DM highlights)."),
    dimensions: Optional[str] = typer.Option(None, "--dimensions", help="Comma-separated human dimensions."),
    resamples: int = typer.Option(1000, "--resamples", help="Bootstrap samples for 95% CIs and for paired tests; 0 for none."),
    resampling: str = typer.Option("inputs", "--resampling", help="What the CI bootstrap resamples: inputs (documents), systems or both."),
    seed: int = typer.Option(0, "--seed", help="Seed for all resampling."),
    compare: list[str] = typer.Option([], "--compare", help="A:B, test whether metric A correlates better than metric B (repeatable)."),
    test: str = typer.Option("perm-both", "--test", help="Paired test: perm-both, perm-inputs, perm-systems, boot-inputs, boot-systems, boot-both."),
    system_scores: str = typer.Option("mean", "--system-scores", help="System level uses the mean of item scores (mean) or the corpus score of each system, e.g. corpus BLEU (corpus; no CI)."),
    stem: opt.Stem = None,
    multi_ref: opt.MultiRef = None,
    rouge_mode: opt.RougeMode = None,
    lsum_split: opt.LsumSplit = None,
    target_lang: opt.TargetLang = None,
    term_protocol: opt.TermProtocol = None,
    output: Optional[Path] = typer.Option(None, "--output", help="Write the result as JSON here."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Write the table as CSV here (one row per metric, dimension, level, coefficient)."),
    write_items: Optional[Path] = typer.Option(None, "--write-items", help="Also write the converted items as JSONL here."),
    no_ci: bool = typer.Option(False, "--no-ci", help="Print values only, without the [low, high] intervals."),
) -> None:
    """Correlate per-item metric scores with human judgments (system and summary level, 95% bootstrap CIs)."""
    from toolkit.errors import InputError
    from toolkit.io import check_outputs_distinct, iter_jsonl, write_json, write_jsonl, write_text
    from toolkit.metaeval import convert, items_from_dicts, meta_evaluate

    check_outputs_distinct({"--output": output, "--csv": csv, "--write-items": write_items},
                           {"--human": human, "--documents": documents})
    if format == "items":
        items = items_from_dicts((obj for _, obj in iter_jsonl(human)), name=str(human))
    else:
        items = convert(format, human, documents=documents, references=references)
    pairs = []
    for spec in compare:
        a, sep, b = spec.partition(":")
        if not sep or not a or not b:
            raise InputError(f"--compare {spec!r}: expected A:B, e.g. rouge2:rouge1")
        pairs.append((a.strip(), b.strip()))
    if write_items is not None:
        write_jsonl(write_items, (item.to_dict() for item in items))
    result = meta_evaluate(
        items=items,
        metrics=_split(metrics),
        level=level,
        correlations=_split(corr),
        dimensions=_split(dimensions) or None,
        resamples=resamples,
        resampling=resampling,
        seed=seed,
        compare=pairs,
        test=test,
        scoring=opt.scoring_settings(rouge_mode=rouge_mode, stem=stem, multi_ref=multi_ref, lsum_split=lsum_split,
                                     target_lang=target_lang, term_protocol=term_protocol),
        system_scores=system_scores,
    )
    typer.echo(f"{result.n_items} items, {len(result.systems)} systems, {len(result.documents)} documents")
    typer.echo(result.to_markdown(ci=not no_ci), nl=False)
    typer.echo(f"signature: {result.signature}")
    if output is not None:
        write_json(output, result.to_dict())
    if csv is not None:
        write_text(csv, result.to_frame().to_csv(index=False))


def register(app: typer.Typer) -> None:
    """Add ``meta-evaluate`` to ``app``."""
    app.command("meta-evaluate", epilog=_EPILOG)(meta_evaluate_command)

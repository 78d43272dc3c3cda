"""CLI subcommand ``faithfulness``: what each summary says that its source does not support.

Inputs are read as ``toolkit score`` reads them (:func:`toolkit.cli.score_cmds.read_hypotheses` and
``read_sources``): plain files with one segment a line, or JSONL ``{"id", "text"}`` matched by id.
``--format table`` prints each document's support scores and its findings; ``--format jsonl`` one JSON
object per finding (``id``, ``kind``, ``start``, ``end``, ``text``, ``confidence``, ``evidence``...).
"""

from __future__ import annotations

import json

import click
import typer

_EPILOG = (
    "Examples:  toolkit faithfulness --hyp summaries.jsonl --source documents.jsonl\n\n"
    "toolkit faithfulness --hyp summaries.jsonl --source documents.jsonl --format jsonl --no-model > findings.jsonl"
)
_SCORES = ("faithfulness", "support_lexical", "support_entity")


def _short(text: str | None, width: int = 60) -> str:
    if not text:
        return "-"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def render_findings(ids: list[str], report: object, findings: list[list[object]],
                    nli_scores: list[float] | None = None) -> str:
    """Plain-text tables: support scores per document (and the NLI score if any), then one row per finding."""
    from toolkit.cli.score_cmds import _fmt, _table

    extra = ["nli (e-c)"] if nli_scores is not None else []
    rows = [[seg_id, *(_fmt(row[name], 1) for name in _SCORES), *([_fmt(nli_scores[k], 3)] if extra else []),
             str(len(found))]
            for k, (seg_id, row, found) in enumerate(zip(ids, report.segments, findings))]  # type: ignore[attr-defined]
    out = _table(["id", *_SCORES, *extra, "findings"], rows)
    found_rows = [[f.id, f.kind, f"{f.start}-{f.end}", f"{f.confidence:.2f}", _short(f.text, 50), _short(f.evidence)]
                  for doc in findings for f in doc]  # type: ignore[attr-defined]
    if found_rows:
        out += "\n\n" + _table(["id", "kind", "span", "conf", "text", "closest source evidence"], found_rows)
    else:
        out += "\n\nno unsupported names, numbers, dates or sentences found"
    corpus = report.corpus["faithfulness"]  # type: ignore[attr-defined]
    out += f"\n\nsignature: {corpus.signature}"
    return out


def register(app: typer.Typer) -> None:
    """Add ``faithfulness`` to ``app``."""

    @app.command("faithfulness", epilog=_EPILOG)
    def faithfulness_cmd(
        hyp: str = typer.Option(..., "--hyp", help="Summaries: one a line, or JSONL {id, text} ('-' = stdin)."),
        source: str = typer.Option(..., "--source", help="Source documents: one a line, or JSONL {id, text} matched by id."),
        glossary: str = typer.Option(None, "--glossary", help="Glossary: a canonical name supports its variants and calques."),
        fmt: str = typer.Option("table", "--format", help="Output format: table or jsonl (one finding a line)."),
        model: bool = typer.Option(True, "--model/--no-model", help="Align sentences with the bundled MiniLM encoder (default) or by word overlap only."),
        threshold: float = typer.Option(0.5, "--threshold", help="Flag a sentence whose best support (0-1) by a source sentence is below this."),
        nli_model: str = typer.Option(None, "--nli-model", help="Optional local NLI model folder (entailment labels, safetensors): sentences aligned SummaC-style."),
        nli_batch_size: int = typer.Option(16, "--nli-batch-size", help="Sentence pairs per NLI forward pass."),
    ) -> None:
        """Flag the names, numbers, dates and sentences of each summary that its source does not support."""
        if fmt not in ("table", "jsonl"):
            raise typer.BadParameter(f"'{fmt}' is not one of table, jsonl", param_hint="--format")
        if not 0.0 <= threshold <= 1.0:
            raise typer.BadParameter(f"{threshold} is not between 0 and 1", param_hint="--threshold")
        from toolkit.cli.score_cmds import _load_glossary, read_hypotheses, read_sources
        from toolkit.scoring import score
        from toolkit.scoring.faith_findings import find_unsupported

        hyps = read_hypotheses(hyp)
        sources = read_sources(source, hyps)
        terms = _load_glossary(glossary)
        from toolkit.scoring.nli_support import load_nli

        nli = load_nli(nli_model, batch_size=nli_batch_size)
        findings = find_unsupported(predictions=hyps.texts, sources=sources, ids=hyps.ids, glossary=terms,
                                    model=model, threshold=threshold, nli=nli)
        if fmt == "jsonl":
            for doc in findings:
                for finding in doc:
                    click.echo(json.dumps(finding.to_dict(), ensure_ascii=False))
            return
        report = score(predictions=hyps.texts, references=[[s] for s in sources], sources=sources,
                       metrics=list(_SCORES), glossary=terms, bootstrap=0, ids=hyps.ids)
        nli_scores = nli.scores(hyps.texts, sources) if nli is not None else None
        click.echo(render_findings(hyps.ids, report, findings, nli_scores))

"""CLI subcommands ``summarize`` and ``models`` over ``toolkit.summarization``.

``toolkit summarize INPUT --model NAME -o OUT.jsonl`` reads a JSONL file of ``{"id", "text"}`` objects or a
plain text file (one document), summarises every document, and writes one JSON object a line:
``{"id", "text", "model", "model_hash", "fingerprint", "settings", "tokens_in", "tokens_out", "chunked",
"truncated", "n_chunks", "seconds", "precision"}`` (earlier versions wrote ``summary``; readers accept both).
"""

from __future__ import annotations

import json
from typing import Any

import typer

from toolkit.summarization.batching import FAST_MIN_BATCH
from toolkit.summarization.records import GenerationSettings
from toolkit.summarization.registry import DEFAULT_MODEL

_D = GenerationSettings()  # the defaults: declared once, in GenerationSettings
_EPILOG = (
    "Examples:  toolkit summarize docs.jsonl --model smollm2-135m -o summaries.jsonl\n\n"
    "toolkit summarize article.txt --model lead-3 -o -\n\n"
    "toolkit summarize docs.jsonl --text-field document --model facebook/bart-large-cnn --num-beams 4 -o out.jsonl\n\n"
    "toolkit summarize docs.jsonl --precision fast -o summaries.jsonl"
)


def summarize_command(
    input_path: str = typer.Argument(..., metavar="INPUT", help="JSONL of {\"id\", \"text\"} objects, a text file, or - for stdin."),
    model: str = typer.Option(DEFAULT_MODEL, "--model", "-m", help="Built-in name (see `toolkit models`), lead-K, folder, .gguf file or hub id owner/name."),
    output: str = typer.Option(..., "--output", "-o", help="Output JSONL (- for stdout)."),
    text_field: str = typer.Option("text", "--text-field", help="JSONL field holding the document."),
    id_field: str = typer.Option("id", "--id-field", help="JSONL field holding the id."),
    max_new_tokens: int = typer.Option(_D.max_new_tokens, "--max-new-tokens", help="Longest summary in model tokens."),
    min_new_tokens: int = typer.Option(_D.min_new_tokens, "--min-new-tokens", help="Shortest summary in model tokens."),
    num_beams: int = typer.Option(_D.num_beams, "--num-beams", help="1 = greedy; more = beam search."),
    length_penalty: float = typer.Option(_D.length_penalty, "--length-penalty", help="Beam-search length penalty."),
    no_repeat_ngram_size: int = typer.Option(_D.no_repeat_ngram_size, "--no-repeat-ngram-size", help="Block repeated n-grams of this size; 0 = off."),
    repetition_penalty: float = typer.Option(_D.repetition_penalty, "--repetition-penalty", help="1.0 = off."),
    do_sample: bool = typer.Option(_D.do_sample, "--do-sample", help="Sample instead of greedy/beam search (reproducible with --seed)."),
    temperature: float = typer.Option(_D.temperature, "--temperature", help="Sampling temperature."),
    top_p: float = typer.Option(_D.top_p, "--top-p", help="Nucleus sampling mass."),
    seed: int = typer.Option(_D.seed, "--seed", help="Seed set before each generation batch."),
    batch_size: int = typer.Option(_D.batch_size, "--batch-size", help="Documents generated together; does not change outputs (precision exact); greedy SmolLM2 on a CPU runs fastest at 32."),
    dtype: str = typer.Option(_D.dtype, "--dtype", help="auto, float32 or bfloat16. auto = float32."),
    prompt: str = typer.Option(_D.prompt, "--prompt", help="Prompt template name or text with {document} (chat models)."),
    max_input_tokens: int = typer.Option(0, "--max-input-tokens", help="Input context override; longer documents are chunked. 0 = the model's own."),
    k: int = typer.Option(_D.k, "--k", help="Sentences kept by extractive models."),
    redundancy: float = typer.Option(_D.redundancy, "--redundancy", help="Redundancy penalty of minilm-centrality, in [0, 1)."),
    device: str = typer.Option("", "--device", help="cpu, cuda, cuda:1... Empty = cuda when available, else cpu."),
    precision: str = typer.Option("exact", "--precision", help="exact (float32, outputs independent of batch size) or fast (the fastest path that passed its quality proof, eval/fast_quality.md: today float32 with batches of >= " f"{FAST_MIN_BATCH})."),
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code", help="Let a model run its own code (off by default)."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Accept pickle (*.bin) weights (off by default)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on stderr."),
) -> None:
    """Summarise documents with a model; one JSON line per document, in input order."""
    import toolkit.io as io
    from toolkit.summarization import GenerationSettings, load_summarizer

    settings = GenerationSettings.from_mapping(
        {
            "max_new_tokens": max_new_tokens, "min_new_tokens": min_new_tokens, "num_beams": num_beams,
            "length_penalty": length_penalty, "no_repeat_ngram_size": no_repeat_ngram_size,
            "repetition_penalty": repetition_penalty, "do_sample": do_sample, "temperature": temperature,
            "top_p": top_p, "seed": seed, "batch_size": batch_size, "dtype": dtype, "prompt": prompt,
            "max_input_tokens": max_input_tokens or None, "k": k, "redundancy": redundancy,
        }
    )
    io.check_outputs_distinct({"-o": output}, {"INPUT": input_path})  # -o docs.jsonl would destroy the input
    docs = io.read_documents(input_path, id_field=id_field, text_field=text_field)
    empty = [doc.id for doc in docs if not doc.text.strip()]
    if empty:  # before loading the model: name the file and the id, not a list index
        from toolkit.errors import InputError

        raise InputError(f"{input_path}: document '{empty[0]}' is empty or whitespace only"
                         f"{f' (and {len(empty) - 1} more)' if len(empty) > 1 else ''}; remove it or give it some text")
    if output != "-":
        io.check_writable(output)  # fail before summarising, not after
    summarizer = load_summarizer(
        model, settings=settings, trust_remote_code=trust_remote_code, allow_pickle=allow_pickle,
        device=device or None, precision=precision,
    )
    texts = [doc.text for doc in docs]
    summaries = _run_with_progress(summarizer, texts, batch_size, progress and output != "-")
    fingerprint = summarizer.fingerprint
    rows = []
    for doc, summary in zip(docs, summaries):
        record = summary.to_dict()
        row: dict[str, Any] = {"id": doc.id, "text": record.pop("text")}  # "text", as in a run's summaries/
        row.update(record)
        row["fingerprint"] = fingerprint
        row["precision"] = summarizer.precision
        rows.append(row)
    io.write_jsonl(output, rows)
    if output != "-":
        chunked = sum(s.chunked for s in summaries)
        typer.echo(
            f"{len(rows)} summaries -> {output} (model {summarizer.name}, fingerprint {fingerprint}, "
            f"{chunked} chunked, {sum(s.truncated for s in summaries)} truncated)",
            err=True,
        )


def _run_with_progress(summarizer: Any, texts: list[str], batch_size: int, show: bool) -> list[Any]:
    if not show:
        return summarizer.summarize(texts, batch_size=batch_size)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (
        TextColumn("summarize {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(summarizer.name, total=len(texts))
        done = [0.0]

        def advance(_index: int, share: float) -> None:  # per document, and per chunk of a long one
            done[0] += share
            bar.update(task, completed=round(done[0], 6))

        return summarizer.summarize(texts, batch_size=batch_size, on_document=advance)


def models_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the built-in summarisation models and whether each is available offline here."""
    from toolkit.summarization import list_models

    infos = list_models()
    if as_json:
        typer.echo(json.dumps([m.to_dict() for m in infos], indent=2))
        return
    width = max(len(m.name) for m in infos)
    typer.echo(f"{'name':<{width}}  {'kind':<10}  {'offline':<7}  how to get / description")
    for m in infos:
        state = "yes" if m.available_offline else "no"
        typer.echo(f"{m.name:<{width}}  {m.kind:<10}  {state:<7}  {m.how_to_get}; {m.description}")
    typer.echo("Also: lead-K (any K), a local folder, a .gguf file, or a hub id owner/name (cached or online).")


def register(app: typer.Typer) -> None:
    """Add ``summarize`` and ``models`` to ``app``."""
    app.command("summarize", epilog=_EPILOG)(summarize_command)
    app.command("models", epilog="Examples:  toolkit models\n\ntoolkit models --json")(models_command)

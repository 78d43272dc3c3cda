"""``toolkit summarize`` and ``toolkit models``, run in-process through ``toolkit.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.cli import main


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_summarize_jsonl_with_lead3(tmp_path: Path, capsys) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "One. Two. Three. Four."}) + "\n"
        + json.dumps({"id": "b", "text": "Alpha beta. Gamma."}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(src), "--model", "lead-3", "-o", str(out)]) == 0
    rows = read_rows(out)
    assert [(r["id"], r["text"]) for r in rows] == [("a", "One. Two. Three."), ("b", "Alpha beta. Gamma.")]
    assert rows[0]["model"] == "lead-3" and rows[0]["n_chunks"] == 1 and len(rows[0]["fingerprint"]) == 16
    err = capsys.readouterr().err
    assert "2 summaries ->" in err and "2/2" in err  # summary line and the progress bar's count


def test_summarize_plain_text_file_to_stdout(tmp_path: Path, capsys) -> None:
    src = tmp_path / "article.txt"
    src.write_text("First sentence here. Second one. Third one. Fourth.\n", encoding="utf-8")
    assert main(["summarize", str(src), "--model", "lead-2", "-o", "-"]) == 0
    row = json.loads(capsys.readouterr().out.strip())
    assert (row["id"], row["text"]) == ("article", "First sentence here. Second one.")


def test_summarize_text_field_option(tmp_path: Path, capsys) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "x", "document": "A b. C d."}) + "\n", encoding="utf-8")
    assert main(["summarize", str(src), "--model", "lead-1", "--text-field", "document", "-o", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["text"] == "A b."


@pytest.mark.parametrize(
    "args,message",
    [
        (["--model", "smollm-135m"], "error: model 'smollm-135m' not found. Did you mean 'smollm2-135m'?"),
        (["--num-beams", "0"], "error: num_beams: must be an integer >= 1 (got 0)"),
        (["--model", "no-org/no-model"], "error: model 'no-org/no-model' is not available"),
    ],
)
def test_errors_are_one_line_exit_1(tmp_path: Path, capsys, monkeypatch, args: list[str], message: str) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    src = tmp_path / "a.txt"
    src.write_text("Some text. More.", encoding="utf-8")
    assert main(["summarize", str(src), "-o", str(tmp_path / "o.jsonl"), *args]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(message) and "\n" not in err


def test_models_lists_builtins(capsys) -> None:
    assert main(["models", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["lead-3", "minilm-centrality", "smollm2-135m"]
    assert all(r["available_offline"] for r in rows)
    assert main(["models"]) == 0
    assert "smollm2-135m" in capsys.readouterr().out


def test_summarize_with_a_tiny_model_folder(tmp_path: Path, capsys) -> None:
    from helpers.tiny_models import DOCS, build_model

    folder = build_model("bart", tmp_path / "bart")
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(DOCS[:3])), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(src), "--model", str(folder), "--max-new-tokens", "6", "--batch-size", "2",
                 "--dtype", "float32", "--device", "cpu", "-o", str(out)]) == 0
    rows = read_rows(out)
    assert [r["id"] for r in rows] == ["0", "1", "2"]
    assert all(0 < r["tokens_out"] <= 6 and r["settings"]["max_new_tokens"] == 6 for r in rows)


def test_summarize_option_defaults_are_the_generation_settings_defaults() -> None:
    """One source of truth: every generation option of ``toolkit summarize`` defaults to GenerationSettings'."""
    import dataclasses
    import inspect

    from toolkit.cli.summarize_cmds import summarize_command
    from toolkit.summarization import DEFAULT_MODEL, GenerationSettings

    defaults = GenerationSettings()
    options = {name: p.default.default for name, p in inspect.signature(summarize_command).parameters.items()}
    shared = [f.name for f in dataclasses.fields(GenerationSettings) if f.name in options]
    assert len(shared) >= 15
    for name in shared:
        if name == "max_input_tokens":  # the CLI spells "unset" as 0
            assert options[name] == 0 and defaults.max_input_tokens is None
            continue
        assert options[name] == getattr(defaults, name), name
    assert options["model"] == DEFAULT_MODEL

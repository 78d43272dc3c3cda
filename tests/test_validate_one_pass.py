"""``toolkit validate`` makes every check a run makes before its first stage and reports them all in one
call; ``toolkit run`` stops on the same list before doing any work (issue 20)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.errors import ConfigError
from toolkit.runs.validate import model_problems, validate_run

BROKEN = """\
name: broken
metrix: [rougeL]
limit: 0
executor: slurm
data: {path: docs.jsonl}
glossary: {path: terms.tsv}
metrics: [rougeL, blue]
systems:
  - {name: lead, model: lead-3, generation: {max_new_token: 9, num_beams: 0}}
  - {name: hub, model: someone/not-cached-model}
  - {name: local, model: missing.gguf}
  - {name: outputs, file: outputs.jsonl}
"""

EVERY_PROBLEM = [
    # schema
    "limit: Input should be greater than 0 (got 0)",
    "executor: Input should be 'local' or 'ray' (got 'slurm')",
    "metrix: unknown key; did you mean 'metrics'?",
    # metric names
    "metrics[1]: metric 'blue' not found. Did you mean 'bleu'?",
    # data fields, from the first rows
    "data: docs.jsonl:1: missing text field 'text' (set data.text_field in the config)",
    # glossary
    "glossary -> path: terms.tsv:3: entry 'Panlin': type 'city' not allowed; use one of person, place, org, other",
    # generation settings: the unknown key and the bad value, together
    "systems[0] -> generation -> max_new_token: unknown generation setting; did you mean 'max_new_tokens'?",
    "systems[0] -> generation -> num_beams: must be an integer >= 1 (got 0)",
    # models here, offline
    "systems[1] -> model: model 'someone/not-cached-model' is not available (not in the local HF cache and HF_HUB_OFFLINE is set)",
    "systems[2] -> model: file missing.gguf not found",
    # a system's precomputed outputs
    "systems[3] -> file: outputs.jsonl does not exist (relative paths start from the current folder)",
]


@pytest.fixture()
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rows = [{"id": "a", "body": "One. Two.", "references": ["One."]}, {"id": "b", "body": "Three.", "references": ["Three."]}]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "terms.tsv").write_text("canonical\ttype\nJin Xiangjun\tperson\nPanlin\tcity\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return tmp_path / "broken.yaml"


def _matches(problems: list[str], expected: list[str]) -> bool:
    return len(problems) == len(expected) and all(p.startswith(e) for p, e in zip(problems, expected))


def test_every_level_in_one_call(broken: Path) -> None:
    with pytest.raises(ConfigError) as info:
        validate_run(broken.name)
    assert _matches(info.value.problems, EVERY_PROBLEM), "\n".join(info.value.problems)


def test_validate_cli_lists_them_one_a_line(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", broken.name]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "broken.yaml: 11 problems"
    assert _matches([line.strip() for line in lines[1:]], EVERY_PROBLEM)
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: broken.yaml: limit:")


def test_fixing_the_list_leaves_nothing_new(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixed = (BROKEN.replace("metrix: [rougeL]\n", "").replace("limit: 0", "limit: 2").replace("slurm", "local")
             .replace("blue", "bleu").replace("max_new_token: 9, num_beams: 0", "max_new_tokens: 9")
             .replace("someone/not-cached-model", "lead-2").replace("missing.gguf", "lead-1")
             .replace("data: {path: docs.jsonl}", "data: {path: docs.jsonl, text_field: body}"))
    broken.write_text(fixed, encoding="utf-8")
    (broken.parent / "terms.tsv").write_text("canonical\ttype\nJin Xiangjun\tperson\n", encoding="utf-8")
    (broken.parent / "outputs.jsonl").write_text('{"id": "a", "text": "One."}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:  # the only problem left is one the first call could not see
        validate_run(broken.name)
    assert info.value.problems == ["systems[3] -> file: outputs.jsonl: no output for 1 of the first 2 documents (e.g. id 'b')"]
    (broken.parent / "outputs.jsonl").write_text('{"id": "a", "text": "One."}\n{"id": "b", "text": "Three."}\n', encoding="utf-8")
    assert validate_run(broken.name).limit == 2


def test_references_missing_in_the_first_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs.jsonl").write_text('{"id": "a", "text": "One."}\n', encoding="utf-8")
    (tmp_path / "c.yaml").write_text("name: c\ndata: {path: docs.jsonl}\nsystems: [{name: l, model: lead-1}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"data -> references_field: 1 of the first 1 documents have no reference"):
        validate_run("c.yaml")


def test_run_stops_before_any_work(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", broken.name, "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "metrics[1]: metric 'blue'" in err and "systems[2] -> model" in err
    assert not (broken.parent / "runs").exists()


def test_model_problems_read_files_only(tmp_path: Path) -> None:
    assert model_problems("lead-3") == [] and model_problems("minilm-centrality") == []
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}", encoding="utf-8")
    assert model_problems(str(tmp_path / "m")) == [f"model '{tmp_path / 'm'}': no weights (*.safetensors) found in {tmp_path / 'm'}"]
    assert model_problems("smolm2-135m")[0].startswith("model 'smolm2-135m' not found. Did you mean 'smollm2-135m'?")

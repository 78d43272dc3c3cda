"""Run config: validation with key paths, overrides, round-trip, and every shipped config validates."""

from pathlib import Path

import pytest

from toolkit.errors import ConfigError
from toolkit.runs.config import apply_overrides, config_from_dict, dump_config, load_config

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = {"name": "demo", "data": {"path": "docs.jsonl"}, "systems": [{"name": "lead", "model": "lead-3"}]}


def test_defaults_are_filled_in():
    cfg = config_from_dict(MINIMAL)
    assert cfg.metrics == ["rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "chrf"]
    assert (cfg.bootstrap.resamples, cfg.bootstrap.seed) == (None, 12345)  # unset: the method's own count
    settings = cfg.scoring_settings()
    assert (settings.ci_resamples, settings.samples(), settings.samples("ar")) == (1000, 1000, 10000)
    assert (settings.multi_ref_rule, settings.p_value) == ("best", "standard")
    assert cfg.run_dir == Path("runs/demo")
    assert cfg.executor == "local"


def test_every_error_is_reported_with_its_key_path():
    bad = {
        "name": "x",
        "data": {"path": "a", "fromat": "jsonl"},
        "systems": [{"name": "a", "model": "m", "file": "f"}, {"nme": "b", "model": "lead-3"}],
        "bootstrap": {"resamples": 0},
        "outptu_dir": "runs",
    }
    with pytest.raises(ConfigError) as info:
        config_from_dict(bad, source="bad.yaml")
    assert info.value.problems == [
        "data -> fromat: unknown key; did you mean 'format'?",
        "systems[0]: give exactly one of 'model' or 'file'",
        "systems[1] -> name: required key is missing",
        "systems[1] -> nme: unknown key; did you mean 'name'?",
        "bootstrap -> resamples: Input should be greater than or equal to 1 (got 0)",
        "outptu_dir: unknown key; did you mean 'output_dir'?",
    ]
    assert str(info.value).startswith("bad.yaml: data -> fromat")


def test_wrong_type_names_key_and_value():
    with pytest.raises(ConfigError, match=r"limit: Input should be a valid integer.*'ten'"):
        config_from_dict({**MINIMAL, "limit": "ten"})


def test_duplicate_system_names_are_refused():
    systems = [{"name": "a", "model": "lead-3"}, {"name": "a", "model": "lead-3"}]
    with pytest.raises(ConfigError, match="system names must be unique; repeated: a"):
        config_from_dict({**MINIMAL, "systems": systems})


def test_overrides_parse_yaml_scalars_and_list_indexes():
    data = {**MINIMAL, "systems": [{"name": "lead", "model": "lead-3", "generation": {}}]}
    out = apply_overrides(data, ["bootstrap.seed=7", "limit=3", "systems.0.generation.max_new_tokens=32", "glossary.path=g.tsv"])
    assert out["bootstrap"] == {"seed": 7}
    assert out["limit"] == 3
    assert out["systems"][0]["generation"] == {"max_new_tokens": 32}
    with pytest.raises(ConfigError, match="expected key=value"):
        apply_overrides(data, ["limit"])
    with pytest.raises(ConfigError, match="not a valid list index"):
        apply_overrides(data, ["systems.5.name=x"])


def test_round_trip_load_dump_load(tmp_path):
    cfg = load_config(ROOT / "configs" / "seed.yaml")
    path = tmp_path / "again.yaml"
    path.write_text(dump_config(cfg), encoding="utf-8")
    assert load_config(path) == cfg


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML at line 1"):
        load_config(path)


def test_empty_and_missing_config_files(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="file is empty"):
        load_config(empty)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize("path", sorted((ROOT / "configs").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_validate(path, monkeypatch):
    from toolkit.cli import main

    monkeypatch.chdir(ROOT)
    assert main(["validate", str(path.relative_to(ROOT))]) == 0

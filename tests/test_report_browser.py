"""Open the HTML report of the fixture run in headless Chromium: the DOM after rendering holds the results table,
the plots and the documents, and a screenshot shows them (non-blank, with the plots' colours).

Needs the Debian package ``chromium`` (``/usr/bin/chromium``); skipped with a reason where it is absent.
Offline: the page is a local file and the flags turn off Chromium's own background networking.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from toolkit.runs.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
FIXTURE = Path(__file__).parent / "data" / "report" / "seed-demo"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTH, HEIGHT = 1280, 2000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="headless Chromium not installed: apt-get install chromium (/usr/bin/chromium)"
)


def _chromium(args: list[str], workdir: Path) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir)
    try:
        return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=90, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(shutil.copytree(FIXTURE, tmp_path_factory.mktemp("browser") / "run"))
    return write_report(folder)[1]


class _Counter(HTMLParser):
    """Counts the elements the test looks for in the rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.results_rows = 0
        self.svgs = 0
        self.svg_paths = 0
        self.docs = 0
        self.marks: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("class") == "results":
            self.stack.append("results")
        elif tag == "tr" and self.stack and "tbody" in self.stack:
            self.results_rows += 1
        elif tag == "tbody" and self.stack:
            self.stack.append("tbody")
        elif tag == "svg":
            self.svgs += 1
        elif tag in ("path", "use") and self.svgs:
            self.svg_paths += 1
        elif tag == "details" and a.get("class") == "doc":
            self.docs += 1
        elif tag == "mark" and a.get("title"):
            self.marks[a.get("class") or ""] = self.marks.get(a.get("class") or "", 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("table", "tbody") and self.stack:
            self.stack.pop()


def test_rendered_dom_has_table_plots_and_documents(report: Path, tmp_path: Path) -> None:
    done = _chromium(["--dump-dom", report.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = _Counter()
    dom.feed(done.stdout)
    assert dom.results_rows == 3  # lead-3, lead-3+norm, smollm2-135m
    assert dom.svgs == 3  # distributions, per-document scatter, length vs score
    assert dom.svg_paths > 300  # the plots hold their drawing, not just empty <svg> boxes
    assert dom.docs == 4  # p1, p2, p5, p6
    assert dom.marks == {"old": 3, "edit": 3, "suspect": 7, "leak": 5, "term": 9}


def test_screenshot_shows_table_and_plots(report: Path, tmp_path: Path) -> None:
    from PIL import Image  # pillow comes with matplotlib

    shot = tmp_path / "report.png"
    done = _chromium([f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", report.as_uri()], tmp_path)
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    pixels = np.asarray(image, dtype=np.int16).reshape(-1, 3)
    inked = float(np.mean(pixels.min(axis=1) < 245))
    assert 0.05 < inked < 0.9  # neither blank nor a solid block
    rgb = pixels.astype(np.int32)
    packed = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    assert len(np.unique(packed)) > 200  # text, table and plot anti-aliasing (3013 colours when written)

    def near(colour: tuple[int, int, int]) -> int:
        return int(np.sum(np.all(np.abs(pixels - np.array(colour)) <= 25, axis=1)))

    # The first screen holds the results table and the distribution plot (its box medians and points use
    # matplotlib's tab10 colours, which nothing else on the page uses); significance letters are #b3261e.
    assert near((255, 127, 14)) > 100  # tab10 orange: lead-3+norm
    assert near((44, 160, 44)) > 100  # tab10 green: smollm2-135m
    assert near((179, 38, 30)) > 20

"""Open the HTML report of the fixture run in headless Chromium: the DOM after rendering holds the results table,
the plots and the documents, and a screenshot shows them (non-blank, with the plots' colours).

Needs the Debian package ``chromium`` (``/usr/bin/chromium``); skipped with a reason where it is absent.
Offline: the page is a local file and the flags turn off Chromium's own background networking.
"""

from __future__ import annotations

import os
import re
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
ROOT = Path(__file__).resolve().parents[1]
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
    here = os.getcwd()
    os.chdir(ROOT)  # the manifest names the data file (sources, references) relative to the repository root
    try:
        return write_report(folder)[1]
    finally:
        os.chdir(here)


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
        self.h4: list[str] = []
        self.figures: list[str] = []
        self.reference_items = 0
        self._in_h4 = False

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
        elif tag == "h4":
            self._in_h4 = True
            self.h4.append("")
        elif tag == "figure":
            self.figures.append(a.get("id") or "")
        elif tag == "li" and self.stack_refs:
            self.reference_items += 1
        if tag == "ol" and a.get("class") == "refs":
            self.stack_refs = True

    stack_refs = False

    def handle_data(self, data: str) -> None:
        if self._in_h4:
            self.h4[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("table", "tbody") and self.stack:
            self.stack.pop()
        if tag == "h4":
            self._in_h4 = False
        if tag == "ol":
            self.stack_refs = False


def test_rendered_dom_has_table_plots_and_documents(report: Path, tmp_path: Path) -> None:
    done = _chromium(["--dump-dom", report.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = _Counter()
    dom.feed(done.stdout)
    assert dom.results_rows == 3  # lead-3, lead-3+norm, smollm2-135m
    assert dom.svgs == 4  # distributions, a per-document scatter for each system against lead-3, length vs score
    assert dom.figures == ["plot-dist", "plot-scatter", "plot-scatter-2", "plot-length"]
    assert dom.svg_paths > 300  # the plots hold their drawing, not just empty <svg> boxes
    assert dom.docs == 4  # p1, p2, p5, p6
    assert dom.marks == {"old": 3, "edit": 3, "suspect": 7, "leak": 5, "term": 9}
    # every document shows its source and its reference (one each in the fixture's data file)
    assert dom.h4.count("Source") == 4 and dom.h4.count("References (1)") == 4 and dom.reference_items == 4


def _worst_order(dom: str) -> list[str]:
    table = re.search(r'<table class="worst">.*?</table>', dom, flags=re.S).group(0)
    return re.findall(r'href="#doc-\d+">([^<]+)<', table)


def _means(dom: str) -> list[float]:
    table = re.search(r'<table class="worst">.*?</table>', dom, flags=re.S).group(0)
    return [float(v) for v in re.findall(r'data-sort="([^"]+)"', table)[::4]]


def test_tables_sort_on_a_click(report: Path, tmp_path: Path) -> None:
    """The inline script sorts by a clicked header: numbers as numbers, a second click reverses."""
    page = report.read_text("utf-8")
    before = _chromium(["--dump-dom", report.as_uri()], tmp_path).stdout
    assert _means(before) == sorted(_means(before))  # worst (lowest mean rouge1) first
    clicks = ('<script>var h = document.querySelectorAll("table.worst thead th");'
              'h[1].click(); h[1].click();</script>')  # mean column twice: descending
    clicked = tmp_path / "clicked.html"
    clicked.write_text(page.replace("</body>", clicks + "</body>"), encoding="utf-8")
    done = _chromium(["--dump-dom", clicked.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _means(done.stdout) == sorted(_means(before), reverse=True)
    assert 'aria-sort="descending"' in done.stdout
    by_name = tmp_path / "by_name.html"
    by_name.write_text(page.replace("</body>", '<script>document.querySelector("table.worst thead th").click();'
                                               "</script></body>"), encoding="utf-8")
    done = _chromium(["--dump-dom", by_name.as_uri()], tmp_path)
    assert _worst_order(done.stdout) == sorted(_worst_order(before))


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

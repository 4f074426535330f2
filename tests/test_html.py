"""report.html: one self-contained file (figures embedded, nothing fetched), in English and Japanese, checked in a
real browser engine: headless Chromium prints it to PDF with every figure on its pages, and screenshots it.

The browser checks need Debian's `chromium` and `poppler-utils` (pdfimages); they skip without them, except
where FEASIBILITY_REQUIRE_BROWSER is set (as .ci/run sets it, after installing both)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from feasibility.reports.html import html_name
from feasibility.reports.outputs import markdown_name, write_outputs
from feasibility.run.pipeline import load_assessment

DATA = Path(__file__).parent / "data" / "example.json"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFIMAGES = shutil.which("pdfimages")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    result = load_assessment(DATA)
    write_outputs(result, folder, "en")
    write_outputs(result, folder, "ja")
    return folder


def figures_named(markdown: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", markdown)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_html_report_is_one_file_with_every_figure_inside(reports, lang):
    page = (reports / html_name(lang)).read_text(encoding="utf-8")
    named = figures_named((reports / markdown_name(lang)).read_text(encoding="utf-8"))
    assert len(named) == 8
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) == len(named) and all(src.startswith("data:image/png;base64,") for src in sources)
    assert not re.search(r"<script|<link|<iframe|(?:src|href)=\"(?!data:|#)", page)  # nothing fetched, nothing beside it
    assert f'<html lang="{lang}">' in page and "<table>" in page
    assert ("Decision." if lang == "en" else "結論") in page


def _browser_or_skip():
    if CHROMIUM and PDFIMAGES:
        return
    if os.environ.get("FEASIBILITY_REQUIRE_BROWSER"):
        pytest.fail("FEASIBILITY_REQUIRE_BROWSER is set but chromium or pdfimages is missing (apt-get install chromium poppler-utils)")
    pytest.skip("needs chromium and pdfimages (Debian: apt-get install chromium poppler-utils)")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_chromium_prints_the_report_with_every_figure_and_screenshots_it(reports, tmp_path, lang):
    _browser_or_skip()
    import matplotlib.image

    page = (reports / html_name(lang)).resolve()
    alone = tmp_path / "alone"  # the page alone, away from the PNG files beside it: it must need none of them
    alone.mkdir()
    shutil.copy(page, alone / page.name)
    url = (alone / page.name).as_uri()
    flags = [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    pdf, shot = tmp_path / "report.pdf", tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *flags, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url], check=True, capture_output=True, timeout=120)
    listed = subprocess.run([PDFIMAGES, "-list", str(pdf)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert len(listed) == len(figures_named((reports / markdown_name(lang)).read_text(encoding="utf-8")))  # every figure printed
    assert all(int(row.split()[3]) >= 600 for row in listed)  # at their own resolution, not a broken-image icon
    subprocess.run([CHROMIUM, *flags, "--window-size=1200,1600", f"--screenshot={shot}", url], check=True, capture_output=True, timeout=120)
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (1600, 1200)
    colours = {tuple(p) for p in (pixels[::8, ::8, :3] * 255).astype(int).reshape(-1, 3).tolist()}
    assert len(colours) > 50  # text, tables and plots: not a blank or an error page

"""Offline handouts, checked in Chromium with the network off.

Two lectures are built with ``python -m handouts`` (HTML page, reveal.js deck, PDF). Chromium then
opens them from ``file:`` addresses while every other request is refused and recorded: none may be
attempted. On the page, every formula must be typeset by MathJax (no raw ``$$`` left in the text)
and every figure of the notebook present and decoded; the deck must start, show its first slide,
and move to the next one. Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from chromium import open_profile
from ci import skip_or_fail
from lab_harness import REPO_ROOT

from handouts import build
from handouts.assets import MissingAsset

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LECTURES = ["02-neurons-and-activations", "06-backpropagation"]
MATH_TYPESET = build.MATH_TYPESET
# reveal.js is loaded by require.js, so it sets no global: read the deck's position from the page.
CURRENT_SLIDE = (
    "[...document.querySelectorAll('.reveal .slides > section')].findIndex(s => s.matches('.present'))"
)


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    """The output folder of one build of LECTURES in every format."""
    output = tmp_path_factory.mktemp("handouts")
    notebooks = [REPO_ROOT / "lectures" / f"{name}.ipynb" for name in LECTURES]
    try:
        written = build.build(notebooks, output, REPO_ROOT)
    except MissingAsset as error:
        skip_or_fail(str(error))
    expected = {f"{name}{suffix}" for name in LECTURES for suffix in build.SUFFIXES.values()}
    assert {path.name for path in written} == expected
    return output


@pytest.fixture
def offline_page(sync_playwright, tmp_path):
    """A Chromium page that may open file: addresses only; ``page.refused`` lists every other request."""
    with sync_playwright() as playwright:
        context = open_profile(playwright, tmp_path / "profile")
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(30_000)
            refused, errors = [], []

            def only_files(route):
                if route.request.url.startswith("file:"):
                    route.continue_()
                else:
                    refused.append(route.request.url)
                    route.abort()

            context.route("**/*", only_files)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.refused, page.errors = refused, errors
            yield page
        finally:
            context.close()


def png_outputs(name: str) -> int:
    notebook = nbformat.read(REPO_ROOT / "lectures" / f"{name}.ipynb", as_version=4)
    return sum(
        "image/png" in output.get("data", {}) for cell in notebook.cells for output in cell.get("outputs", [])
    )


def display_formulas(name: str) -> int:
    notebook = nbformat.read(REPO_ROOT / "lectures" / f"{name}.ipynb", as_version=4)
    return sum(cell.source.count("$$") // 2 for cell in notebook.cells if cell.cell_type == "markdown")


@pytest.mark.parametrize("name", LECTURES)
def test_the_html_handout_renders_math_and_figures_offline(handouts, offline_page, artifacts_dir, name):
    page = offline_page
    page.goto((handouts / f"{name}.html").as_uri(), wait_until="load")
    page.evaluate(MATH_TYPESET)
    assert page.refused == []
    # MathJax 2 replaces each formula by a rendered element; a display formula by a centred block.
    assert page.locator(".MathJax_Display").count() == display_formulas(name) > 0
    assert page.locator(".MathJax").count() > page.locator(".MathJax_Display").count()
    assert page.locator(".MathJax_Error, .merror").count() == 0
    text = page.locator("body").inner_text()
    assert "$$" not in text and not re.search(r"\\(frac|sum|partial)\b", text), "raw LaTeX left on the page"
    figures = page.locator("img[src^='data:image/png']")
    assert figures.count() == png_outputs(name) > 0
    assert all(
        figures.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(figures.count())
    )
    assert page.errors == []
    page.screenshot(path=artifacts_dir / f"handout-{name}.png")


def test_the_slides_start_and_advance_offline(handouts, offline_page, artifacts_dir):
    page = offline_page
    name = LECTURES[1]
    page.goto((handouts / f"{name}.slides.html").as_uri(), wait_until="load")
    page.wait_for_selector(".reveal.ready", state="attached")
    page.evaluate(MATH_TYPESET)
    assert page.refused == []
    assert page.locator(".reveal .slides > section").count() > 5
    first = page.locator(".reveal .slides section.present").first
    assert first.is_visible() and first.inner_text().strip()
    assert page.evaluate(CURRENT_SLIDE) == 0
    page.screenshot(path=artifacts_dir / f"slides-{name}-first.png")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{CURRENT_SLIDE} === 1")
    page.evaluate(MATH_TYPESET)
    assert page.locator(".reveal .slides section.present").first.is_visible()
    page.screenshot(path=artifacts_dir / f"slides-{name}-second.png")
    assert page.errors == []


def test_the_pdfs_are_printed(handouts):
    for name in LECTURES:
        pdf = (handouts / f"{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-")
        assert len(pdf) > 100_000  # text and embedded figures, not an empty page

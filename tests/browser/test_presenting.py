"""Presenting a lecture from the front of a hall: JupyterLab 4.6's Presentation Mode and figures
that stay sharp where the screen or the projector's zoom has two pixels per CSS pixel.

Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import shutil

import pytest
from lab_harness import REPO_ROOT, open_notebook, rendering_problems

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LECTURE = REPO_ROOT / "lectures" / "05-momentum-and-adaptive-optimizers.ipynb"


def toggle_presentation_mode(page) -> None:
    """View > Appearance > Presentation Mode, through the menus as an instructor would."""
    page.locator(".lm-MenuBar-itemLabel", has_text="View").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Appearance").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text="Presentation Mode").first.click()


def test_presentation_mode_enlarges_text_and_figures_keep_two_pixels_per_css_pixel(
    lab_root, lab_server, page, artifacts_dir
):
    shutil.copy(LECTURE, lab_root / LECTURE.name)
    open_notebook(page, lab_server, LECTURE.name)
    assert not rendering_problems(page)
    prose = page.locator(".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown p").first
    normal_text = prose.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")

    toggle_presentation_mode(page)
    page.wait_for_function("document.querySelector('.jp-mod-presentationMode') !== null")
    presented_text = prose.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert presented_text > 1.2 * normal_text, (normal_text, presented_text)

    figures = page.locator(".jp-Notebook .jp-Cell-outputArea img")
    assert figures.count() >= 3
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.scroll_into_view_if_needed()
        figure.wait_for(state="visible")
        natural, shown = figure.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
        assert natural >= 2 * shown - 1, f"figure {index}: {natural} px shown over {shown:.0f} CSS px"
    page.locator(".jp-Notebook .jp-Cell-outputArea img").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "presentation-mode.png"))

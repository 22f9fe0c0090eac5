"""The interactive explorers, checked the way a reader meets them: in JupyterLab, in a browser.

One test opens a notebook that shows several explorers, runs all cells from the Run menu, checks
that every widget rendered (no "Error displaying widget", no widget stuck "Loading", no traceback),
then moves the momentum explorer's learning-rate slider and waits until its figure changes.
"""

from __future__ import annotations

import re

import pytest
from lab_harness import (
    kernel_is_idle,
    rendering_problems,
    run_all_cells,
    stable_image_source,
    wait_for_quiet_notebook,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

# STAND-IN until nnlib.widgets lands.
SETUP = """
import numpy as np
from IPython.display import display
from ipywidgets import FloatSlider, interactive
from matplotlib.figure import Figure


def momentum_explorer():
    def draw(learning_rate=0.1, momentum=0.9):
        fig = Figure(figsize=(4, 3))
        ax = fig.subplots()
        x = np.linspace(0, 10, 50)
        ax.plot(x, np.exp(-learning_rate * x) * np.cos(momentum * x))
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        display(fig)
        return fig

    return interactive(
        draw,
        learning_rate=FloatSlider(value=0.1, min=0.01, max=1.0, step=0.01, description="learning rate"),
        momentum=FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="momentum"),
    )
"""
EXPLORER_CALLS = ["momentum_explorer()", "momentum_explorer()"]
SLIDER_LABEL = re.compile(r"learning rate|\blr\b", re.IGNORECASE)
NOTEBOOK = "explorers.ipynb"


def test_explorers_render_and_respond_to_a_slider(lab_root, lab_server, page, artifacts_dir):
    write_notebook(lab_root / NOTEBOOK, [SETUP, *EXPLORER_CALLS])

    page.goto(lab_server.url(f"lab/tree/{NOTEBOOK}"))
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(state="visible")
    wait_until(lambda: kernel_is_idle(lab_server), timeout=30, what="the notebook's kernel to start")

    run_all_cells(page)
    wait_for_quiet_notebook(page, lab_server)
    overview = artifacts_dir / "explorers-after-run-all.png"
    page.screenshot(path=overview)
    print(f"screenshot after Run All: {overview}")

    problems = rendering_problems(page)
    assert not problems, "\n\n".join(problems)

    cells = page.locator(".jp-Notebook .jp-CodeCell")
    for index, call in enumerate(EXPLORER_CALLS, start=1):
        output = cells.nth(index).locator(".jp-Cell-outputArea")
        assert output.locator(".jupyter-widgets").count() > 0, f"{call} showed no widget"
        assert output.locator("img").count() > 0, f"{call} showed no figure"

    momentum = cells.nth(1).locator(".jp-Cell-outputArea")
    slider = momentum.locator(".widget-slider", has=page.locator(".widget-label", has_text=SLIDER_LABEL))
    assert slider.count() == 1, "the momentum explorer has no (single) learning-rate slider"
    figure = momentum.locator("img").first
    readout = slider.locator(".widget-readout")
    before_value = readout.inner_text()
    before_figure = stable_image_source(figure)

    slider.locator(".noUi-handle").focus()
    for _ in range(3):
        slider.locator(".noUi-handle").press("ArrowRight")
    wait_until(lambda: readout.inner_text() != before_value, timeout=5, what="the slider's readout to change")
    wait_for_quiet_notebook(page, lab_server)
    problems = rendering_problems(page)
    assert not problems, "\n\n".join(problems)
    after_figure = stable_image_source(figure, differs_from=before_figure)

    moved = artifacts_dir / "momentum-explorer-after-slider.png"
    momentum.screenshot(path=moved)
    print(f"screenshot after moving the learning rate from {before_value} to {readout.inner_text()}: {moved}")
    assert after_figure != before_figure

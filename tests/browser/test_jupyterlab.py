"""The interactive explorers, checked the way a reader meets them: in JupyterLab, in a browser.

One test opens a notebook that shows every explorer, runs all cells from the Run menu, checks
that every widget rendered (no "Error displaying widget", no widget stuck "Loading", no traceback),
then moves the momentum explorer's learning-rate slider and waits until its figure changes.
"""

from __future__ import annotations

import re
import sys

import pytest
from lab_harness import (
    REPO_ROOT,
    kernel_is_idle,
    rendering_problems,
    run_all_cells,
    stable_image_source,
    unexecuted_cells,
    wait_for_quiet_notebook,
    write_notebook,
)
from polling import wait_until

pytestmark = pytest.mark.browser

# Every explorer of nnlib.widgets, in the order the lectures meet them.
EXPLORERS = [
    "gradient_descent_1d",
    "momentum_explorer",
    "optimizer_race",
    "neuron_explorer",
    "training_playground",
    "backprop_explorer",
    "capacity_explorer",
]
SLIDER_LABEL = re.compile(r"learning rate", re.IGNORECASE)
NOTEBOOK = "explorers.ipynb"


def test_explorers_render_and_respond_to_a_slider(lab_root, lab_server, page, artifacts_dir):
    # The kernel must run this Python and import the nnlib of this checkout.
    setup = (
        "import sys\n"
        "import nnlib.widgets\n"
        f"assert sys.prefix == {sys.prefix!r}, sys.prefix\n"
        f"assert nnlib.__file__.startswith({str(REPO_ROOT)!r}), nnlib.__file__"
    )
    sources = [setup] + [f"nnlib.widgets.{name}()" for name in EXPLORERS]
    write_notebook(lab_root / NOTEBOOK, sources)

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
    assert unexecuted_cells(page) == [], "Run All left cells unexecuted"

    outputs = {
        name: page.locator(".jp-Notebook .jp-CodeCell").nth(index).locator(".jp-Cell-outputArea")
        for index, name in enumerate(EXPLORERS, start=1)
    }
    for name, output in outputs.items():
        assert output.locator(".jupyter-widgets").count() > 0, f"{name}() showed no widget"
        assert output.locator("img").count() > 0, f"{name}() showed no figure"
        output.screenshot(path=artifacts_dir / f"{name}.png")
    print(f"a screenshot of each explorer: {artifacts_dir}/<explorer>.png")

    momentum = outputs["momentum_explorer"]
    slider = momentum.locator(".widget-slider", has=page.locator(".widget-label", has_text=SLIDER_LABEL))
    assert slider.count() == 1, "the momentum explorer has no (single) learning-rate slider"
    handle, readout = slider.locator(".noUi-handle"), slider.locator(".widget-readout")
    figure = momentum.locator("img").first
    lr_before, figure_before = readout.inner_text(), stable_image_source(figure)

    handle.focus()
    for _ in range(2):
        handle.press("ArrowRight")
    wait_until(lambda: readout.inner_text() != lr_before, timeout=5, what="the slider's readout to change")
    wait_for_quiet_notebook(page, lab_server)
    problems = rendering_problems(page)
    assert not problems, "\n\n".join(problems)
    figure_after = stable_image_source(figure, differs_from=figure_before)

    moved = artifacts_dir / "momentum_explorer-after-slider.png"
    momentum.screenshot(path=moved)
    print(f"screenshot after moving the learning rate from {lr_before} to {readout.inner_text()}: {moved}")
    assert figure_after != figure_before

    # The playground answers a change on its status line, visibly, before Train is pressed.
    playground = outputs["training_playground"]
    built = playground.locator(".widget-label", has_text="trained 100 epochs when built")
    wait_until(lambda: built.count() == 1, timeout=10, what="the playground's status line")
    slider = playground.locator(".widget-slider", has=page.locator(".widget-label", has_text=SLIDER_LABEL))
    handle = slider.locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    wait_for_quiet_notebook(page, lab_server)
    wait_until(
        lambda: playground.locator(".widget-label", has_text="learning rate set to").count() == 1,
        timeout=10,
        what="the playground's status line to answer the new learning rate",
    )
    playground.screenshot(path=artifacts_dir / "training_playground-after-slider.png")

"""Tests of nnlib.widgets.capacity: the slider shows the run's recorded fit and regime at each checkpoint."""

import numpy as np
from figure_checks import assert_axes_labelled, line

from nnlib import widgets


def test_curve_and_titles_at_a_checkpoint_are_the_runs():
    explorer = widgets.capacity_explorer(hidden=(8,), steps=30, lr=0.05, n_train=10, noise=0.3, seed=4)
    run = explorer.run
    step = run.checkpoints[6]
    explorer.controls["step"].value = step
    ax_fit, ax_loss = explorer.figure.axes
    np.testing.assert_array_equal(line(ax_fit, "model").get_ydata(), run.predictions[step])
    np.testing.assert_array_equal(line(ax_loss, "curve:train").get_ydata(), run.train_loss[1:])
    assert ax_fit.get_title() == f"after {step} steps: {run.regime(step)}"
    assert ax_loss.get_title() == f"train {run.train_loss[step]:.3f}, test {run.test_loss[step]:.3f}"
    assert_axes_labelled(explorer.figure)


def test_the_slider_offers_exactly_the_checkpoints():
    explorer = widgets.capacity_explorer(hidden=(4,), steps=40)
    assert list(explorer.controls["step"].options) == explorer.run.checkpoints


def test_default_explorer_walks_from_under_to_overfitting():
    explorer = widgets.capacity_explorer()
    run = explorer.run
    best = min(run.test_loss, key=run.test_loss.get)
    for step, regime in (
        (run.checkpoints[1], "underfitting"),
        (best, "good fit"),
        (run.checkpoints[-1], "overfitting"),
    ):
        explorer.controls["step"].value = step
        assert explorer.figure.axes[0].get_title() == f"after {step} steps: {regime}"

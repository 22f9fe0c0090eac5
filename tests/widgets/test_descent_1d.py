"""Tests of nnlib.widgets.descent_1d: the iterates drawn, against x_k = x0 (1 - 2 lr)^k."""

import numpy as np
import pytest
from figure_checks import assert_axes_labelled, line, texts

from nnlib import widgets


def test_iterates_drawn_follow_the_closed_form():
    explorer = widgets.gradient_descent_1d()
    with explorer.changing_several():
        explorer.controls["lr"].value = 0.3
        explorer.controls["start"].value = 1.5
        explorer.controls["steps"].value = 12
    drawn = line(explorer.figure.axes[0], "trajectory").get_xdata()
    np.testing.assert_allclose(drawn, 1.5 * (1 - 2 * 0.3) ** np.arange(13), rtol=1e-12)
    assert_axes_labelled(explorer.figure)


@pytest.mark.parametrize(
    ("lr", "regime"), [(0.01, "too small"), (0.3, "good"), (0.8, "oscillating"), (1.2, "diverging")]
)
def test_title_names_the_learning_rate_regime(lr, regime):
    explorer = widgets.gradient_descent_1d(lr=lr, start=2.0, steps=20)
    assert explorer.figure.axes[0].get_title() == f"lr = {lr:.3g}: {regime}"


def test_large_learning_rate_shows_the_step_it_diverged_at():
    explorer = widgets.gradient_descent_1d(lr=1.5, start=2.0, steps=20)
    # x_k = 2 (-2)^k first leaves |x| <= 10 at k = 3 (|x_3| = 16)
    assert "diverged at step 3" in texts(explorer.figure)
    assert len(line(explorer.figure.axes[0], "trajectory").get_xdata()) == 3  # the start and 2 steps


def test_start_at_the_minimum_is_not_an_error():
    explorer = widgets.gradient_descent_1d(start=0.0)
    assert explorer.figure.axes[0].get_title().endswith("at the minimum already")

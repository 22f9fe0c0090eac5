"""Tests of nnlib.widgets.conditioning: the marks sit at the closed-form optima; the run is optim.SGD's."""

import math

import numpy as np
import pytest
from figure_checks import assert_axes_labelled, line

from nnlib import widgets
from nnlib.widgets.conditioning import momentum_rate_explorer


def heavy_ball_distances(lr, momentum, curvatures, steps):
    """PyTorch-form heavy ball on (a x**2 + b y**2) / 2 from (1, 1), written out: |theta_t| per step."""
    theta, buffer = np.ones(2), np.zeros(2)
    distances = [np.linalg.norm(theta)]
    for t in range(steps):
        grad = np.array(curvatures) * theta
        buffer = grad if t == 0 else momentum * buffer + grad
        theta = theta - lr * buffer
        distances.append(np.linalg.norm(theta))
    return np.array(distances)


def test_marks_sit_at_the_closed_form_optima():
    explorer = momentum_rate_explorer(kappa=100.0)
    ax_map = explorer.figure.axes[0]
    # curvatures 0.1 and 10: sqrt(kappa) = 10
    best = line(ax_map, "mark:best momentum").get_xydata()[0]
    np.testing.assert_allclose(best, [4 / (math.sqrt(0.1) + math.sqrt(10)) ** 2, (9 / 11) ** 2], rtol=1e-12)
    np.testing.assert_allclose(line(ax_map, "mark:best without").get_xydata()[0], [2 / 10.1, 0.0], rtol=1e-12)
    assert "9/11" not in ax_map.get_title() and "κ = 100" in ax_map.get_title()


def test_the_run_drawn_is_heavy_ball_and_the_title_compares_with_the_formula():
    explorer = momentum_rate_explorer()
    with explorer.changing_several():
        explorer.controls["lr"].value = 0.15
        explorer.controls["momentum"].value = 0.5
    ax_run = explorer.figure.axes[1]
    expected = heavy_ball_distances(0.15, 0.5, (0.2, 10.0), 200)
    np.testing.assert_allclose(line(ax_run, "yours").get_ydata(), expected, rtol=1e-10)
    # the canyon at lr 0.15, beta 0.5: real roots of z**2 - 1.47 z + 0.5 for curvature 0.2
    rate = (1.47 + math.sqrt(1.47**2 - 2)) / 2
    assert ax_run.get_title() == f"measured rate {rate:.3f}, formula {rate:.3f}"
    assert_axes_labelled(explorer.figure)


def test_an_unstable_setting_is_reported():
    # gradient descent at lr 0.35 multiplies the steep coordinate by 1 - 0.35 * 10 = -2.5 per step
    explorer = momentum_rate_explorer(kappa=50.0, lr=0.35, momentum=0.0)
    assert explorer.figure.axes[1].get_title() == "no convergence: measured rate 2.500, formula 2.500"


def test_exported_by_the_package():
    assert widgets.momentum_rate_explorer is momentum_rate_explorer


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [(dict(kappa=0.5), "kappa"), (dict(lr=0.5), "lr"), (dict(momentum=1.0), "momentum")],
)
def test_arguments_outside_the_controls_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        momentum_rate_explorer(**kwargs)

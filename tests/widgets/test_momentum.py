"""Tests of nnlib.widgets.momentum: the path drawn is momentum SGD by hand; divergence is shown."""

import numpy as np
import pytest
from figure_checks import line, texts

from nnlib import widgets
from nnlib.landscapes import CANYON, MAX_LOSS


def sgd_momentum_by_hand(lr, momentum, nesterov, start, steps):
    """PyTorch's SGD with momentum, written out: v = beta v + g; step g + beta v (Nesterov) or v."""
    point, velocity = np.array(start, dtype=float), np.zeros(2)
    points = [point.copy()]
    for _ in range(steps):
        grad = np.array([0.2 * point[0], 10.0 * point[1]])  # gradient of 0.1 x^2 + 5 y^2
        velocity = momentum * velocity + grad
        point = point - lr * (grad + momentum * velocity if nesterov else velocity)
        points.append(point.copy())
    return np.array(points)


@pytest.mark.parametrize("nesterov", [False, True])
def test_path_drawn_equals_momentum_by_hand(nesterov):
    explorer = widgets.momentum_explorer()
    with explorer.changing_several():
        explorer.controls["lr"].value = 0.05
        explorer.controls["momentum"].value = 0.8
        explorer.controls["nesterov"].value = nesterov
        explorer.controls["start_x"].value = -8.0
        explorer.controls["start_y"].value = 3.0
        explorer.controls["steps"].value = 40
    ax_map, ax_loss = explorer.figure.axes
    drawn = np.column_stack(line(ax_map, "trajectory").get_data())
    expected = sgd_momentum_by_hand(0.05, 0.8, nesterov, (-8.0, 3.0), 40)
    np.testing.assert_allclose(drawn, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        ax_loss.lines[0].get_ydata(), 0.1 * expected[:, 0] ** 2 + 5 * expected[:, 1] ** 2, rtol=1e-12
    )
    assert ("Nesterov" in ax_map.get_title()) == nesterov


def test_divergence_is_shown_on_the_plot():
    explorer = widgets.momentum_explorer(lr=0.5, momentum=0.0, steps=60)
    x0, y0 = CANYON.start
    # plain SGD: x_k = x0 (1 - 0.2 lr)^k, y_k = y0 (1 - 10 lr)^k
    loss = lambda k: 0.1 * (x0 * 0.9**k) ** 2 + 5 * (y0 * (-4.0) ** k) ** 2
    step = next(k for k in range(1, 60) if loss(k) > MAX_LOSS)
    assert f"diverged at step {step}" in texts(explorer.figure)
    assert explorer.figure.axes[1].get_title() == f"diverged at step {step}"

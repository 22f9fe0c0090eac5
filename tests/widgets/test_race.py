"""Tests of nnlib.widgets.race: racers drawn as they run, landscape choice, divergence."""

import numpy as np
from figure_checks import OKABE_ITO, assert_axes_labelled, line
from matplotlib.colors import to_hex

from nnlib import viz, widgets
from nnlib.landscapes import CANYON, MAX_LOSS
from nnlib.simulations.optimizer_runs import RACE_OPTIMIZERS, race


def contrast_with_white(colour):
    """WCAG 2 contrast ratio of a colour against white: 1 (invisible) to 21 (black)."""
    channels = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(channels <= 0.03928, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = linear @ [0.2126, 0.7152, 0.0722]
    return 1.05 / (luminance + 0.05)


def test_race_draws_every_optimizer_as_it_runs():
    explorer = widgets.optimizer_race(steps=30)
    ax_map, _ = explorer.figure.axes
    for name, path in race("canyon", 30).items():
        drawn = np.column_stack(line(ax_map, f"trajectory:{name}").get_data())
        np.testing.assert_array_equal(drawn, path.points, err_msg=name)
    colours = {to_hex(line(ax_map, f"trajectory:{name}").get_color()) for name in RACE_OPTIMIZERS}
    assert len(colours) == 8  # eight racers, eight colours
    assert colours - {"#767676"} <= OKABE_ITO and viz.PALETTE["yellow"].lower() not in colours
    # each line stands out from the white background: yellow's contrast is 1.3, the faintest
    # colour kept (orange, sky blue) about 2.3, drawn as 1.8-point lines
    for colour in colours:
        assert contrast_with_white(colour) >= 2, colour
    assert_axes_labelled(explorer.figure)


def test_landscape_choice_sets_its_learning_rates_and_redraws():
    explorer = widgets.optimizer_race(steps=20)
    explorer.controls["landscape"].value = "rosenbrock"
    for name, lr in widgets.RACE_LEARNING_RATES["rosenbrock"].items():
        assert explorer.controls[f"lr_{name.lower()}"].value == lr
    ax_map = explorer.figure.axes[0]
    assert ax_map.get_title().startswith("Rosenbrock")
    np.testing.assert_array_equal(
        np.column_stack(line(ax_map, "trajectory:Adam").get_data()), race("rosenbrock", 20)["Adam"].points
    )


def test_a_racers_slider_changes_its_learning_rate():
    explorer = widgets.optimizer_race(steps=10)
    explorer.controls["lr_sgd"].value = 0.05
    x0, y0 = CANYON.start
    k = np.arange(11)  # plain SGD on the canyon: factors 1 - 0.2 lr and 1 - 10 lr per step
    np.testing.assert_allclose(
        np.column_stack(line(explorer.figure.axes[0], "trajectory:SGD").get_data()),
        np.column_stack([x0 * 0.99**k, y0 * 0.5**k]),
        rtol=1e-12,
    )


def test_legend_tells_which_racer_diverged_and_when():
    explorer = widgets.optimizer_race(steps=30)
    explorer.controls["lr_sgd"].value = 1.0
    x0, y0 = CANYON.start
    loss = lambda k: 0.1 * (x0 * 0.8**k) ** 2 + 5 * (y0 * (1 - 10.0) ** k) ** 2
    step = next(k for k in range(1, 30) if loss(k) > MAX_LOSS)
    legend = [text.get_text() for text in explorer.figure.axes[1].get_legend().get_texts()]
    assert f"SGD\n(diverged at step {step})" in legend

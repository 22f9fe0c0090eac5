"""Tests of nnlib.widgets.neuron: the boundary, the output image, and the leaky slope control."""

import numpy as np
import pytest
from figure_checks import assert_axes_labelled, line, texts

from nnlib import widgets
from nnlib.simulations.single_neuron import neuron_data


def test_boundary_is_the_line_w_x_plus_b_and_the_colours_its_output():
    explorer = widgets.neuron_explorer()
    w1, w2, b = 1.5, -0.5, 0.7
    with explorer.changing_several():
        explorer.controls["w1"].value = w1
        explorer.controls["w2"].value = w2
        explorer.controls["b"].value = b
    ax_plane = explorer.figure.axes[0]
    xs, ys = line(ax_plane, "boundary").get_data()
    np.testing.assert_allclose(w1 * np.asarray(xs) + w2 * np.asarray(ys) + b, 0, atol=1e-12)

    grid = np.linspace(-3, 3, 120)
    z = w1 * grid[None, :] + w2 * grid[:, None] + b
    np.testing.assert_allclose(ax_plane.images[0].get_array(), 1 / (1 + np.exp(-z)), rtol=1e-6)

    X, y = neuron_data()
    accuracy = np.mean((X @ np.array([w1, w2]) + b > 0) == y)
    assert ax_plane.get_title().endswith(f"accuracy {accuracy:.0%}")
    assert_axes_labelled(explorer.figure)


def test_leaky_slope_and_zero_weights():
    explorer = widgets.neuron_explorer(w1=2.0, w2=0.0, b=0.0, activation="leaky_relu")
    explorer.controls["negative_slope"].value = 0.25
    image = explorer.figure.axes[0].images[0].get_array()
    assert image.min() == pytest.approx(0.25 * (2.0 * -3.0))  # leaky_relu(z) = 0.25 z for z < 0
    with explorer.changing_several():
        explorer.controls["w1"].value = 0.0
        explorer.controls["w2"].value = 0.0
    ax_plane = explorer.figure.axes[0]
    assert not [drawn for drawn in ax_plane.lines if drawn.get_gid() == "boundary"]
    assert "w = 0: no boundary" in texts(explorer.figure)


def test_the_leaky_slope_is_enabled_only_for_leaky_relu():
    explorer = widgets.neuron_explorer(activation="sigmoid")
    slope = explorer.controls["negative_slope"]
    assert slope.disabled
    for activation, disabled in (
        ("leaky_relu", False),
        ("relu", True),
        ("leaky_relu", False),
        ("tanh", True),
    ):
        explorer.controls["activation"].value = activation
        assert slope.disabled is disabled, activation
    assert widgets.neuron_explorer(activation="leaky_relu").controls["negative_slope"].disabled is False

"""Tests of nnlib.simulations.single_neuron: the line w . x + b = 0 and the output g(w . x + b)."""

import numpy as np
import pytest

from nnlib.simulations.single_neuron import boundary_line, neuron_accuracy, neuron_data, neuron_output


@pytest.mark.parametrize(
    ("w1", "w2", "b"), [(1.5, -0.5, 0.7), (0.2, 2.0, -1.0), (1.0, 0.0, 0.5), (0.0, -1.0, 2.0)]
)
def test_boundary_points_satisfy_the_line_equation_and_span_the_window(w1, w2, b):
    xs, ys = boundary_line(w1, w2, b)
    np.testing.assert_allclose(w1 * xs + w2 * ys + b, 0, atol=1e-12)
    # the line crosses the window from edge to edge along its steeper axis
    assert (xs.tolist() == [-3.0, 3.0]) or (ys.tolist() == [-3.0, 3.0])


def test_zero_weights_have_no_boundary():
    assert boundary_line(0.0, 0.0, 1.0) is None


def test_output_is_the_activation_of_the_pre_activation():
    x, y = np.meshgrid(np.linspace(-3, 3, 5), np.linspace(-3, 3, 4))
    z = 1.5 * x - 0.5 * y + 0.7
    np.testing.assert_allclose(
        neuron_output(x, y, 1.5, -0.5, 0.7, "sigmoid"), 1 / (1 + np.exp(-z)), rtol=1e-12
    )
    np.testing.assert_allclose(neuron_output(x, y, 1.5, -0.5, 0.7, "tanh"), np.tanh(z), rtol=1e-12)
    np.testing.assert_allclose(neuron_output(x, y, 1.5, -0.5, 0.7, "relu"), np.maximum(z, 0))
    leaky = neuron_output(x, y, 1.5, -0.5, 0.7, "leaky_relu", negative_slope=0.25)
    np.testing.assert_allclose(leaky, np.where(z > 0, z, 0.25 * z))
    # the slope changes only leaky_relu
    np.testing.assert_array_equal(
        neuron_output(x, y, 1.0, 1.0, 0.0, "relu", 0.3), neuron_output(x, y, 1.0, 1.0, 0.0, "relu", 0.0)
    )


def test_accuracy_counts_points_on_their_side():
    X, y = neuron_data()
    assert X.shape == (100, 2) and sorted(np.unique(y)) == [0, 1]
    by_hand = sum(int((1.0 * a + 1.0 * b > 0) == label) for (a, b), label in zip(X, y)) / 100
    assert neuron_accuracy(X, y, 1.0, 1.0, 0.0) == by_hand
    assert neuron_accuracy(X, y, -1.0, -1.0, 0.0) == pytest.approx(1 - by_hand)  # w flipped: sides swap


def test_an_unknown_activation_is_named():
    with pytest.raises(ValueError, match="activation must be one of .*got 'softplus'"):
        neuron_output(np.zeros(1), np.zeros(1), 1.0, 1.0, 0.0, "softplus")

"""One artificial neuron ``g(w1 x1 + w2 x2 + b)`` over the plane, and the two classes it separates."""

import numpy as np

from nnlib import activations, data

__all__ = ["ACTIVATIONS", "NEURON_BOUNDS", "boundary_line", "neuron_accuracy", "neuron_data", "neuron_output"]

NEURON_BOUNDS = ((-3.0, 3.0), (-3.0, 3.0))
"""The window ``((xmin, xmax), (ymin, ymax))`` the neuron is shown in."""

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
"""The activations a neuron can use; only leaky_relu takes a ``negative_slope``."""


def neuron_data():
    """The two classes the neuron explorer shows: 100 points in two blobs, shape (100, 2) and (100,)."""
    return data.make_blobs(n_samples=100, centers=[[-1.0, -0.8], [1.2, 1.0]], noise=0.6, seed=3)


def neuron_output(points_x, points_y, w1, w2, b, activation="sigmoid", negative_slope=0.01):
    """The neuron's output ``g(w1 x + w2 y + b)`` at points, elementwise.

    Parameters
    ----------
    points_x, points_y : ndarrays of one shape
    w1, w2, b : float
    activation : str
        One of :data:`ACTIVATIONS`.
    negative_slope : float
        Slope of leaky_relu for negative inputs; ignored by the other activations.

    Returns
    -------
    ndarray of the points' shape
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    kwargs = {"negative_slope": negative_slope} if activation == "leaky_relu" else {}
    return getattr(activations, activation)(
        w1 * np.asarray(points_x) + w2 * np.asarray(points_y) + b, **kwargs
    )


def neuron_accuracy(X, y, w1, w2, b):
    """The fraction of points of shape (n, 2) on their class's side: class 1 where w . x + b > 0."""
    return float(np.mean(y == (X @ np.array([w1, w2]) + b > 0)))


def boundary_line(w1, w2, b, bounds=NEURON_BOUNDS):
    """Two points of the line w1 x + w2 y + b = 0 spanning ``bounds``, or None when w = 0.

    Returns
    -------
    (xs, ys) : two ndarrays of shape (2,), or None
    """
    (xmin, xmax), (ymin, ymax) = bounds
    if w1 == 0 and w2 == 0:
        return None
    if abs(w2) >= abs(w1):
        xs = np.array([xmin, xmax])
        return xs, -(b + w1 * xs) / w2
    ys = np.array([ymin, ymax])
    return -(b + w2 * ys) / w1, ys

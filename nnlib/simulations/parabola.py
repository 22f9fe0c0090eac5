"""Gradient descent on the parabola f(x) = x**2: the learning rate's regimes in one dimension.

On f(x) = x**2 (curvature 2) a step of gradient descent multiplies x by ``q = 1 - 2 lr``: for a
small lr, q is near 1 and x crawls; for 0 < q < 1 it converges; for -1 < q < 0 it jumps across
the minimum; for |q| > 1 (lr > 1) it diverges.
"""

import math
import numbers

import numpy as np

from nnlib import optim
from nnlib.tensor import NonFiniteError, Tensor

__all__ = ["ESCAPE_RADIUS", "REGIME_HINTS", "WINDOW", "descend_1d", "learning_rate_regime", "parabola"]

WINDOW = 2.5
"""The pictures show x in [-WINDOW, WINDOW]."""

ESCAPE_RADIUS = 4 * WINDOW
"""An iterate with |x| beyond this counts as diverged."""

REGIME_HINTS = {
    "diverging": "lr too large: each step overshoots further",
    "oscillating": "lr large: jumps across the minimum",
    "too small": "lr too small: still far from the minimum",
    "good": "lr good: reaches the minimum",
    "at the minimum already": "the start is the minimum",
}
"""A short explanation of each regime :func:`learning_rate_regime` names."""


def parabola(x):
    """f(x) = x**2, for floats, arrays or Tensors (curvature 2, minimum at 0)."""
    return x**2


def descend_1d(lr, start, steps):
    """Gradient descent on f(x) = x**2 with ``nnlib.optim.SGD``, the gradient by backpropagation.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    start : float
        The starting point x0.
    steps : int
        Number of steps, >= 0.

    Returns
    -------
    points : ndarray of shape (k + 1,)
        The start and the iterates kept.
    diverged_at : int or None
        The first step that left ``|x| <= ESCAPE_RADIUS`` (or was not finite); it is not in
        ``points``, so then ``len(points) == diverged_at``.
    """
    if not (isinstance(lr, numbers.Real) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    if not (isinstance(start, numbers.Real) and math.isfinite(start)):
        raise ValueError(f"start must be a finite number, got {start!r}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    x = Tensor(np.array([start], dtype=np.float64), requires_grad=True)
    optimizer = optim.SGD([x], lr=float(lr))
    points = [float(start)]
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            optimizer.zero_grad()
            try:
                parabola(x).sum().backward()
            except NonFiniteError:
                return np.array(points), step
            optimizer.step()
            value = float(x.data[0])
            if not math.isfinite(value) or abs(value) > ESCAPE_RADIUS:
                return np.array(points), step
            points.append(value)
    return np.array(points), None


def learning_rate_regime(points, diverged_at):
    """Name what a 1-D descent towards 0 did.

    Parameters
    ----------
    points : ndarray of shape (k + 1,)
    diverged_at : int or None
        As returned by :func:`descend_1d`.

    Returns
    -------
    str
        "diverging" (it diverged or ended farther than it started), "at the minimum already"
        (it started at 0), "oscillating" (most steps crossed the minimum), "too small" (it ended
        farther than a tenth of its starting distance) or "good"; a key of :data:`REGIME_HINTS`.
    """
    distance = np.abs(points)
    if diverged_at is not None or distance[-1] > distance[0]:
        return "diverging"
    if distance[0] == 0:
        return "at the minimum already"
    signs = np.sign(points[1:]) * np.sign(points[:-1])
    if len(signs) and np.mean(signs < 0) > 0.5:
        return "oscillating"
    if distance[-1] > 0.1 * distance[0]:
        return "too small"
    return "good"

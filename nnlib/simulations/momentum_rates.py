"""How fast gradient descent and heavy-ball momentum converge on a quadratic, in closed form and measured.

On a quadratic whose Hessian has eigenvalues (curvatures) from ``lowest`` to ``highest``, the
error along each eigenvector evolves independently. Gradient descent multiplies it by
``1 - lr * curvature`` per step; heavy-ball momentum (PyTorch's form, ``b = beta * b + g``,
``theta = theta - lr * b``) obeys the two-term recurrence

    e[t+1] = (1 + beta - lr * curvature) * e[t] - beta * e[t-1],

whose characteristic roots ``z`` solve ``z**2 - (1 + beta - lr * curvature) * z + beta = 0``.
The **convergence rate** is the largest ``|z|`` over the curvatures; the error shrinks like
``rate**t``, and for these methods the slowest direction is always the lowest or the highest
curvature. With the condition number ``kappa = highest / lowest``, the best settings are
(Polyak 1964; Goh, "Why Momentum Really Works", Distill 2017):

=====================  ==================================================  ===========================
method                 best learning rate and momentum                     rate
=====================  ==================================================  ===========================
gradient descent       ``lr = 2 / (lowest + highest)``                     ``(kappa - 1) / (kappa + 1)``
heavy-ball momentum    ``lr = 4 / (sqrt(lowest) + sqrt(highest))**2``,     ``(sqrt(kappa) - 1) /
                       ``beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))**2``  (sqrt(kappa) + 1)``
=====================  ==================================================  ===========================

:func:`measured_rate` runs :class:`nnlib.optim.SGD` on such a quadratic and reads the rate off
the distance to the minimum, for comparison with :func:`momentum_rate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnlib import landscapes, optim
from nnlib.validation import check_int, check_real

__all__ = [
    "Optimum",
    "gradient_descent_rate",
    "measured_rate",
    "momentum_rate",
    "optimal_gradient_descent",
    "optimal_momentum",
    "rate_map",
]


@dataclass(frozen=True)
class Optimum:
    """The best learning rate and momentum for a range of curvatures, and the rate they give."""

    lr: float
    momentum: float
    rate: float


def _curvatures(curvatures, owner):
    """``(lowest, highest)`` as floats, checked: 0 < lowest <= highest."""
    try:
        lowest, highest = (float(c) for c in curvatures)
    except (TypeError, ValueError):
        raise ValueError(
            f"{owner}: curvatures must be a pair (lowest, highest) of numbers, got {curvatures!r}"
        ) from None
    if not (0 < lowest <= highest < math.inf):
        raise ValueError(
            f"{owner}: curvatures must satisfy 0 < lowest <= highest (a bowl with a minimum), "
            f"got {curvatures!r}"
        )
    return lowest, highest


def momentum_rate(lr, momentum, curvatures, nesterov=False):
    """Convergence rate of heavy-ball momentum: the largest ``|z|`` of the recurrence over the curvatures.

    Parameters
    ----------
    lr, momentum : float or ndarray
        Learning rate (> 0) and momentum in [0, 1); arrays broadcast against each other,
        e.g. a grid from ``np.meshgrid``.
    curvatures : (float, float)
        The lowest and highest curvature of the quadratic.
    nesterov : bool, default False
        Nesterov momentum instead, whose recurrence along a curvature ``c`` is
        ``e[t+1] = (1 + beta) (1 - lr c) e[t] - beta (1 - lr c) e[t-1]``.

    Returns
    -------
    float or ndarray
        The rate, shaped like ``lr`` and ``momentum`` broadcast; >= 1 means no convergence.
        With ``momentum = 0`` it is :func:`gradient_descent_rate`.
    """
    curvatures = _curvatures(curvatures, "momentum_rate")
    lr, momentum = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(momentum, dtype=float))
    rates = []
    for curvature in curvatures:
        # the roots of z**2 - s z + p: both have |z| = sqrt(p) when they are complex (s**2 < 4 p)
        if nesterov:
            s = (1 + momentum) * (1 - lr * curvature)
            p = momentum * (1 - lr * curvature)
        else:
            s, p = 1 + momentum - lr * curvature, momentum
        discriminant = s * s - 4 * p
        root = np.sqrt(np.abs(discriminant))
        real_roots = np.maximum(np.abs(s + root), np.abs(s - root)) / 2
        rates.append(np.where(discriminant >= 0, real_roots, np.sqrt(np.abs(p))))
    rate = np.maximum(*rates)
    return float(rate) if rate.ndim == 0 else rate


def gradient_descent_rate(lr, curvatures):
    """Convergence rate of gradient descent, ``max |1 - lr * curvature|`` over the two curvatures."""
    lowest, highest = _curvatures(curvatures, "gradient_descent_rate")
    lr = np.asarray(lr, dtype=float)
    rate = np.maximum(np.abs(1 - lr * lowest), np.abs(1 - lr * highest))
    return float(rate) if rate.ndim == 0 else rate


def optimal_gradient_descent(curvatures):
    """The learning rate ``2 / (lowest + highest)`` and its rate ``(kappa - 1) / (kappa + 1)``.

    Returns
    -------
    Optimum
        With ``momentum = 0``.
    """
    lowest, highest = _curvatures(curvatures, "optimal_gradient_descent")
    kappa = highest / lowest
    return Optimum(lr=2 / (lowest + highest), momentum=0.0, rate=(kappa - 1) / (kappa + 1))


def optimal_momentum(curvatures):
    """The best heavy-ball settings and their rate ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``.

    Returns
    -------
    Optimum
        ``lr = 4 / (sqrt(lowest) + sqrt(highest))**2`` and ``momentum = rate**2``.
    """
    lowest, highest = _curvatures(curvatures, "optimal_momentum")
    root_kappa = math.sqrt(highest / lowest)
    rate = (root_kappa - 1) / (root_kappa + 1)
    return Optimum(lr=4 / (math.sqrt(lowest) + math.sqrt(highest)) ** 2, momentum=rate**2, rate=rate)


def rate_map(curvatures, lrs, momenta, nesterov=False):
    """:func:`momentum_rate` on the grid ``lrs`` x ``momenta``.

    Parameters
    ----------
    curvatures : (float, float)
    lrs : ndarray of shape (n,)
    momenta : ndarray of shape (m,)
    nesterov : bool, default False

    Returns
    -------
    ndarray of shape (m, n)
        ``rates[i, j]`` is the rate at ``momenta[i]``, ``lrs[j]`` (rows are momenta, as an
        image with momentum up the vertical axis).
    """
    lr_grid, momentum_grid = np.meshgrid(np.asarray(lrs, dtype=float), np.asarray(momenta, dtype=float))
    return momentum_rate(lr_grid, momentum_grid, curvatures, nesterov)


def measured_rate(lr, momentum, curvatures, steps=200, start=(1.0, 1.0), nesterov=False):
    """Run ``nnlib.optim.SGD`` on ``(lowest x**2 + highest y**2) / 2`` and measure its rate.

    The rate is read off the distance ``d_t`` to the minimum as ``(d_T / d_{T/2}) ** (2 / T)``,
    a geometric mean over the second half of the run, where the slowest direction dominates.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    momentum : float
        In [0, 1); 0 is plain gradient descent.
    curvatures : (float, float)
    steps : int, default 200
        An even number >= 2.
    start : (float, float), default (1.0, 1.0)
        Should have both coordinates non-zero, so that both curvatures are excited.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0``).

    Returns
    -------
    rate : float
        ``inf`` if the run diverged.
    distances : ndarray of shape (steps + 1,)
        ``d_t`` per step (shorter if the run diverged).
    """
    lowest, highest = _curvatures(curvatures, "measured_rate")
    check_real(lr, "lr", "measured_rate", 0, math.inf, low_open=True)
    check_real(momentum, "momentum", "measured_rate", 0, 1)
    check_int(steps, "steps", "measured_rate", 2)
    if steps % 2:
        raise ValueError(f"measured_rate: steps must be even, got {steps!r}")
    bowl = landscapes.quadratic(curvatures=(lowest, highest), start=tuple(start))
    path = landscapes.optimize(
        bowl,
        lambda params: optim.SGD(params, lr=lr, momentum=momentum, nesterov=nesterov),
        steps=steps,
        max_loss=math.inf,
    )
    distances = np.linalg.norm(path.points, axis=1)
    if path.diverged or distances[steps // 2] == 0:
        return math.inf if path.diverged else 0.0, distances
    return float((distances[steps] / distances[steps // 2]) ** (2 / steps)), distances

"""Initialise a parameter in place, with the names and formulas of ``torch.nn.init``.

A deep network keeps its signal alive only if every layer passes on activations (forward) and
gradients (backward) of about the size it received. With weights of variance ``Var(w)`` a layer
with ``fan_in`` inputs multiplies the variance of its pre-activations by ``fan_in * Var(w)``, so:

- :func:`xavier_uniform_`, :func:`xavier_normal_` (Glorot and Bengio, 2010) choose
  ``Var(w) = gain^2 * 2 / (fan_in + fan_out)``, a compromise between the forward pass (``fan_in``)
  and the backward pass (``fan_out``), for sigmoid and tanh layers;
- :func:`kaiming_uniform_`, :func:`kaiming_normal_` (He et al., 2015) choose
  ``Var(w) = gain^2 / fan``, with ``gain^2 = 2`` for ReLU, which zeroes half of its inputs.

A uniform distribution on ``[-bound, bound]`` has variance ``bound^2 / 3``, hence the ``sqrt(3)``
in the uniform versions. Values are drawn from ``nnlib.random.get_rng()`` (reseed with
:func:`nnlib.manual_seed`), in float64 and then cast to the tensor's dtype.
"""

import math
import numbers

import numpy as np

from nnlib.random import get_rng
from nnlib.tensor import Tensor

__all__ = [
    "calculate_gain",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_MODES = ("fan_in", "fan_out")


def calculate_gain(nonlinearity, param=None):
    """The factor by which an activation's output standard deviation should be scaled back up.

    Parameters
    ----------
    nonlinearity : {"linear", "sigmoid", "tanh", "relu", "leaky_relu"}
    param : float, optional
        The negative slope of ``"leaky_relu"`` (0.01 if omitted).

    Returns
    -------
    float
        1 for linear and sigmoid, 5/3 for tanh, sqrt(2) for ReLU, sqrt(2 / (1 + slope^2)) for
        leaky ReLU (the values of ``torch.nn.init.calculate_gain``).
    """
    if nonlinearity in ("linear", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if not isinstance(slope, numbers.Real) or isinstance(slope, bool):
            raise ValueError(f"the negative slope of leaky_relu must be a number, got {slope!r}")
        return math.sqrt(2.0 / (1 + slope**2))
    raise ValueError(
        f"unknown nonlinearity {nonlinearity!r}; expected 'linear', 'sigmoid', 'tanh', 'relu' or 'leaky_relu'"
    )


def _fans(tensor):
    """(fan_in, fan_out) of a weight of shape (out_features, in_features)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"expected an nnlib.Tensor to initialise, got {type(tensor).__name__}")
    if tensor.ndim != 2:
        raise ValueError(
            f"fan in and fan out need a weight of shape (out_features, in_features), got shape {tensor.shape}"
        )
    fan_out, fan_in = tensor.shape
    return fan_in, fan_out


def _fill(tensor, values):
    tensor.data[...] = values.astype(tensor.dtype)
    return tensor


def normal_(tensor, mean=0.0, std=1.0):
    """Fill ``tensor`` with draws from N(mean, std^2), in place; returns ``tensor``."""
    if not std >= 0:
        raise ValueError(f"std must be at least 0, got {std!r}")
    return _fill(tensor, mean + std * get_rng().standard_normal(tensor.shape))


def zeros_(tensor):
    """Fill ``tensor`` with zeros, in place; returns ``tensor``."""
    return _fill(tensor, np.zeros(tensor.shape))


def xavier_uniform_(tensor, gain=1.0):
    """Glorot and Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)), in place.

    Parameters
    ----------
    tensor : Tensor of shape (out_features, in_features)
    gain : float
        E.g. ``calculate_gain("tanh")``.

    Returns
    -------
    Tensor
        ``tensor`` itself.
    """
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(tensor, get_rng().uniform(-bound, bound, size=tensor.shape))


def xavier_normal_(tensor, gain=1.0):
    """Glorot and Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)), in place."""
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in _MODES:
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan), in place.

    Parameters
    ----------
    tensor : Tensor of shape (out_features, in_features)
    a : float
        The negative slope of a leaky ReLU (0 gives the ReLU's gain, sqrt(2)).
    mode : {"fan_in", "fan_out"}
        Keep the forward pass's variance ("fan_in") or the backward pass's ("fan_out").
    nonlinearity : str
        See :func:`calculate_gain`; "relu" or "leaky_relu" as in the paper.

    Returns
    -------
    Tensor
        ``tensor`` itself.
    """
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. (2015): U(-b, b) with b = sqrt(3) gain / sqrt(fan), in place; see :func:`kaiming_normal_`."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return _fill(tensor, get_rng().uniform(-bound, bound, size=tensor.shape))

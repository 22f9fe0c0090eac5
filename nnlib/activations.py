"""Activation functions (non-linearities), each written next to its derivative.

Every function accepts a :class:`~nnlib.Tensor` and returns a Tensor that
remembers how to backpropagate, or accepts an ndarray and returns an ndarray
(handy for plotting a curve). All are numerically stable: no overflow
warnings for large inputs, no NaN from ``inf - inf``.

=============  ===================================  ====================================
function       value                                derivative (``y`` is the value)
=============  ===================================  ====================================
sigmoid        ``1 / (1 + exp(-x))``                ``y * (1 - y)``
tanh           ``tanh(x)``                          ``1 - y**2``
relu           ``max(x, 0)``                        ``1 if x > 0 else 0`` (0 at x = 0)
leaky_relu     ``x if x > 0 else a * x``            ``1 if x > 0 else a``
softmax        ``exp(x_i) / sum_j exp(x_j)``        ``y_i * (g_i - sum_j g_j y_j)``
log_softmax    ``x_i - log sum_j exp(x_j)``         ``g_i - exp(y_i) * sum_j g_j``
=============  ===================================  ====================================

For softmax and log_softmax the last column is the vector-Jacobian product
with the incoming gradient ``g``, which is what backpropagation needs; the
full Jacobian is never built.
"""

import numbers

import numpy as np

from nnlib.tensor import Tensor, dtype_for

__all__ = ["leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "tanh"]


def _as_float_array(x):
    """Non-tensor input as a floating ndarray (integers and lists become the default dtype)."""
    x = np.asarray(x)
    return x.astype(dtype_for(x), copy=False)


def _check_axis(name, x, axis):
    if not isinstance(axis, numbers.Integral) or not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"{name}: axis={axis!r} is not valid for an input of shape {x.shape}; "
            f"expected an integer in [{-x.ndim}, {x.ndim})"
        )


# ------------------------------------------------------------------- sigmoid
def _sigmoid(x):
    # exp(-|x|) is at most 1, so neither branch can overflow.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, squashing any real number into (0, 1).

    Parameters
    ----------
    x : Tensor or array_like, any shape

    Returns
    -------
    Tensor or ndarray, same shape as ``x``
    """
    if not isinstance(x, Tensor):
        return _sigmoid(_as_float_array(x))
    y = _sigmoid(x.data)
    return Tensor.from_op(y, "sigmoid", (x, lambda g: g * y * (1 - y)))


# ---------------------------------------------------------------------- tanh
def tanh(x):
    """Hyperbolic tangent, squashing into (-1, 1); a sigmoid centred at 0: ``2 sigmoid(2x) - 1``.

    Parameters
    ----------
    x : Tensor or array_like, any shape

    Returns
    -------
    Tensor or ndarray, same shape as ``x``
    """
    if not isinstance(x, Tensor):
        return np.tanh(_as_float_array(x))
    y = np.tanh(x.data)
    return Tensor.from_op(y, "tanh", (x, lambda g: g * (1 - y * y)))


# ---------------------------------------------------------------------- relu
def relu(x):
    """Rectified linear unit ``max(x, 0)``; its derivative at 0 is taken to be 0 (as in PyTorch).

    Parameters
    ----------
    x : Tensor or array_like, any shape

    Returns
    -------
    Tensor or ndarray, same shape as ``x``
    """
    if not isinstance(x, Tensor):
        return np.maximum(_as_float_array(x), 0)
    y = np.maximum(x.data, 0)
    return Tensor.from_op(y, "relu", (x, lambda g: g * (y > 0)))


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU: ``x`` for positive inputs, ``negative_slope * x`` otherwise.

    The small slope keeps a gradient flowing through negative inputs, so a
    unit cannot "die" the way a ReLU unit stuck at 0 can.

    Parameters
    ----------
    x : Tensor or array_like, any shape
    negative_slope : float, default 0.01

    Returns
    -------
    Tensor or ndarray, same shape as ``x``
    """
    if not isinstance(negative_slope, numbers.Real) or not np.isfinite(negative_slope):
        raise ValueError(f"leaky_relu: negative_slope must be a finite number, got {negative_slope!r}")
    a = float(negative_slope)  # a Python float keeps float32 arrays float32
    if not isinstance(x, Tensor):
        x = _as_float_array(x)
        return np.where(x > 0, x, a * x)
    positive = x.data > 0
    y = np.where(positive, x.data, a * x.data)
    return Tensor.from_op(y, "leaky_relu", (x, lambda g: np.where(positive, g, a * g)))


# ------------------------------------------------------------------- softmax
def _log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)  # the largest exponent is exp(0) = 1: no overflow
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x, axis=-1):
    """Softmax along ``axis``: non-negative values that sum to 1, e.g. class probabilities from logits.

    Computed as ``exp(x - max(x)) / sum(exp(x - max(x)))``, which equals the
    textbook formula but cannot overflow.

    Parameters
    ----------
    x : Tensor or array_like, shape (..., C, ...)
    axis : int, default -1
        The axis along which the values sum to 1 (the class axis).

    Returns
    -------
    Tensor or ndarray, same shape as ``x``
    """
    if not isinstance(x, Tensor):
        x = _as_float_array(x)
        _check_axis("softmax", x, axis)
        return np.exp(_log_softmax(x, axis))
    _check_axis("softmax", x.data, axis)
    y = np.exp(_log_softmax(x.data, axis))
    return Tensor.from_op(y, "softmax", (x, lambda g: y * (g - (g * y).sum(axis=axis, keepdims=True))))


def log_softmax(x, axis=-1):
    """Logarithm of :func:`softmax`, computed directly as ``x - max - log(sum(exp(x - max)))``.

    Taking the log of a softmax that underflowed to 0 would give ``-inf``; this
    form stays finite, which is why losses use it.

    Parameters
    ----------
    x : Tensor or array_like, shape (..., C, ...)
    axis : int, default -1

    Returns
    -------
    Tensor or ndarray, same shape as ``x``
    """
    if not isinstance(x, Tensor):
        x = _as_float_array(x)
        _check_axis("log_softmax", x, axis)
        return _log_softmax(x, axis)
    _check_axis("log_softmax", x.data, axis)
    y = _log_softmax(x.data, axis)
    return Tensor.from_op(y, "log_softmax", (x, lambda g: g - np.exp(y) * g.sum(axis=axis, keepdims=True)))

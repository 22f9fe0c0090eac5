"""Check backpropagation against the definition of the derivative.

The derivative of a scalar function ``f`` with respect to one number ``x_i``
can be estimated without any calculus by central differences::

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

whose error shrinks like ``eps**2``. It needs two evaluations of ``f`` per
number, far too many to train with, but it is the independent referee for
every derivative that autograd (or a student) computes:
:func:`numerical_grad` estimates the gradient, :func:`gradcheck` compares it
with the one :meth:`Tensor.backward` computes and reports the worst mismatch.

Both work in float64: in float32 the rounding error of ``f`` divided by
``2 eps`` would swamp the estimate.
"""

from dataclasses import dataclass, field

import numpy as np

from nnlib.tensor import Tensor, no_grad

__all__ = ["GradcheckReport", "gradcheck", "numerical_grad"]


def _is_floating(x):
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return data.dtype.kind == "f"


def _float64_copy(x):
    """A float64 copy of a floating input (a Tensor stays a Tensor); other inputs unchanged."""
    if isinstance(x, Tensor):
        return Tensor(np.array(x.data, dtype=np.float64)) if _is_floating(x) else x
    return np.array(x, dtype=np.float64) if _is_floating(x) else x


def _scalar(value):
    """The single number ``f`` returned, as a Python float."""
    data = value.data if isinstance(value, Tensor) else np.asarray(value)
    if data.size != 1:
        raise ValueError(
            f"f must return a single number (a scalar Tensor or a float), got shape {data.shape}; "
            "reduce it with .sum() or .mean()"
        )
    return float(data.reshape(()))


def _central_differences(f, args, index, eps):
    """Gradient of ``f(*args)`` with respect to ``args[index]``, one element at a time.

    ``args[index]`` (a float64 array or Tensor) is perturbed in place and restored.
    """
    values = args[index].data if isinstance(args[index], Tensor) else args[index]
    grad = np.zeros_like(values)
    with no_grad():
        for i in np.ndindex(values.shape):
            original = values[i]
            values[i] = original + eps
            f_plus = _scalar(f(*args))
            values[i] = original - eps
            f_minus = _scalar(f(*args))
            values[i] = original
            grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _check_eps(eps):
    if not (isinstance(eps, (int, float)) and 0 < eps < 1):
        raise ValueError(f"eps must be a small positive step such as 1e-6, got {eps!r}")


def numerical_grad(f, *inputs, eps=1e-6):
    """Estimate the gradient of a scalar function by central differences, in float64.

    Parameters
    ----------
    f : callable
        ``f(*inputs)`` returns one number: a scalar Tensor, or a float.
    *inputs : Tensor, ndarray or float
        Where to differentiate. Floating inputs are copied to float64 and
        varied one element at a time (the originals are not touched); integer
        inputs, such as class labels, are passed to ``f`` unchanged.
    eps : float, default 1e-6
        The step. Smaller steps cut the truncation error (``~eps**2``) but
        raise the rounding error (``~1e-16 / eps``).

    Returns
    -------
    ndarray or tuple
        For a single input, its gradient: a float64 array of the input's
        shape. For several, a tuple with one such array per input (``None``
        for integer inputs).

    Examples
    --------
    >>> numerical_grad(lambda x: (x**2).sum(), np.array([1.0, -2.0]))  # doctest: +SKIP
    array([ 2., -4.])
    """
    _check_eps(eps)
    args = [_float64_copy(x) for x in inputs]
    grads = tuple(
        _central_differences(f, args, i, eps) if _is_floating(x) else None for i, x in enumerate(args)
    )
    return grads[0] if len(grads) == 1 else grads


@dataclass
class GradcheckReport:
    """What :func:`gradcheck` found. True in a boolean context when the check passed.

    Attributes
    ----------
    ok : bool
        Whether every element's relative error is at most ``rtol``.
    max_rel_error : float
        The largest relative error over all checked elements (see :func:`gradcheck`).
    input_index : int
        Position, among the inputs of ``f``, of the input holding that element.
    element_index : tuple of int or None
        Index of that element within its input (``None`` if the checked inputs are empty).
    analytic, numerical : list of (ndarray or None)
        Per input of ``f``, the gradient from backpropagation and from central
        differences (``None`` for inputs that were not checked).
    atol, rtol : float
        The tolerances used.
    """

    ok: bool
    max_rel_error: float
    input_index: int
    element_index: tuple | None
    analytic: list = field(repr=False)
    numerical: list = field(repr=False)
    atol: float = 1e-5
    rtol: float = 1e-3

    def __bool__(self):
        return self.ok

    def __str__(self):
        if self.element_index is None:
            return "gradcheck passed: the checked inputs are empty, nothing to compare"
        where = f"input {self.input_index}, element {self.element_index}"
        a = self.analytic[self.input_index][self.element_index]
        n = self.numerical[self.input_index][self.element_index]
        if self.ok:
            return f"gradcheck passed: largest relative error {self.max_rel_error:.1e} (at {where})"
        return (
            f"gradcheck FAILED at {where}: backpropagation gives {a:.6g} but central differences give "
            f"{n:.6g} (relative error {self.max_rel_error:.1e} > rtol={self.rtol:g})"
        )


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Compare the gradients from :meth:`Tensor.backward` with central differences.

    For every checked element, with ``a`` the gradient from backpropagation
    and ``n`` the numerical estimate, the relative error is::

        |a - n| / max(|a|, |n|, atol / rtol)

    Gradients smaller than ``atol / rtol`` (1e-2 by default) are thus compared
    in absolute terms: the check passes when every relative error is at most
    ``rtol``, i.e. when ``|a - n| <= max(rtol * max(|a|, |n|), atol)``.

    Parameters
    ----------
    f : callable
        ``f(*tensors)`` returns a scalar Tensor built from nnlib operations.
    *inputs : Tensor, ndarray or float
        Floating inputs are copied to float64 leaf tensors that require grad
        and are checked, except Tensors created with ``requires_grad=False``,
        which (like integer inputs) are passed to ``f`` unchanged.
    eps : float, default 1e-6
        Step of the central differences.
    atol, rtol : float, default 1e-5 and 1e-3
        Absolute and relative tolerance (as in ``torch.autograd.gradcheck``).

    Returns
    -------
    GradcheckReport
        ``print`` it for a one-line verdict; ``assert gradcheck(...)`` works too.

    Examples
    --------
    >>> report = gradcheck(lambda x, w: (x @ w).exp().sum(), x, w)  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    gradcheck passed: largest relative error 3.1e-10 (at input 1, element (2, 0))
    """
    _check_eps(eps)
    if not (atol >= 0 and rtol > 0):
        raise ValueError(f"tolerances must satisfy atol >= 0 and rtol > 0, got atol={atol!r}, rtol={rtol!r}")
    checked = [_is_floating(x) and not (isinstance(x, Tensor) and not x.requires_grad) for x in inputs]
    if not any(checked):
        raise ValueError(
            "gradcheck found nothing to check: pass floating arrays, or Tensors with requires_grad=True"
        )
    args = [
        Tensor(np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64), requires_grad=True)
        if check
        else x
        for x, check in zip(inputs, checked)
    ]

    out = f(*args)
    _scalar(out)
    if isinstance(out, Tensor) and out.requires_grad:
        out.backward()
    analytic = [
        (np.zeros_like(x.data) if x.grad is None else x.grad) if check else None
        for x, check in zip(args, checked)
    ]
    numerical = [_central_differences(f, args, i, eps) if check else None for i, check in enumerate(checked)]

    worst = (-1.0, checked.index(True), None)  # stays so only if every checked input is empty
    for i, check in enumerate(checked):
        if not check or analytic[i].size == 0:
            continue
        a, n = analytic[i], numerical[i]
        difference = np.abs(a - n)
        scale = np.maximum(np.maximum(np.abs(a), np.abs(n)), atol / rtol)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.asarray(difference / scale)
        rel[difference == 0] = 0.0  # equal values, even where the scale is 0 (atol=0)
        rel[np.isnan(rel)] = np.inf  # a NaN gradient is as wrong as it gets
        j = np.unravel_index(np.argmax(rel), rel.shape)
        if rel[j] > worst[0]:
            worst = (float(rel[j]), i, tuple(int(k) for k in j))
    max_rel_error, input_index, element_index = worst
    max_rel_error = max(max_rel_error, 0.0)
    return GradcheckReport(
        ok=max_rel_error <= rtol,
        max_rel_error=max_rel_error,
        input_index=input_index,
        element_index=element_index,
        analytic=analytic,
        numerical=numerical,
        atol=atol,
        rtol=rtol,
    )

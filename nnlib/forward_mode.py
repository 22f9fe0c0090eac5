"""Forward-mode differentiation with dual numbers.

A dual number ``a + b ε`` carries a value ``a`` and a derivative ``b``, with
the rule ``ε**2 = 0``. Then ``f(a + ε) = f(a) + f'(a) ε`` for every function
built from the operations below: evaluating ``f`` once on ``Dual(x, 1)``
yields ``f(x)`` *and* ``f'(x)``, the derivative travelling forward alongside
the value, with no graph to store.

The price shows with many inputs. One forward pass gives the derivative along
*one* direction (:func:`jvp`), so a gradient with respect to ``n`` inputs needs
``n`` passes (:func:`gradient_forward`), while reverse mode
(:meth:`nnlib.Tensor.backward`) gets all ``n`` partial derivatives from one
backward pass. A network has one loss and millions of parameters, which is
why training uses reverse mode.

=====================  =================================================
operation              derivative carried along
=====================  =================================================
``u + v``, ``u - v``   ``u' + v'``, ``u' - v'``
``u * v``              ``u' v + u v'``
``u / v``              ``(u' v - u v') / v**2``
``u ** p``             ``p u**(p-1) u'``; with a dual exponent also ``u**v ln(u) v'``
``exp(u)``             ``exp(u) u'``
``log(u)``             ``u' / u``
``sin(u)``, ``cos(u)`` ``cos(u) u'``, ``-sin(u) u'``
``tanh(u)``            ``(1 - tanh(u)**2) u'``
``sigmoid(u)``         ``s (1 - s) u'`` with ``s = sigmoid(u)``
``sqrt(u)``            ``u' / (2 sqrt(u))``
``relu(u)``            ``u'`` where ``u > 0``, else 0
=====================  =================================================

Values and derivatives may be floats or ndarrays of one shape (many dual
numbers at once). The functions :func:`exp`, :func:`log`, ... accept plain
numbers too, so one definition of ``f`` serves both.
"""

import numbers

import numpy as np

__all__ = [
    "Dual",
    "cos",
    "derivative",
    "exp",
    "gradient_forward",
    "jvp",
    "log",
    "relu",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
]


class Dual:
    """A dual number ``value + derivative * ε`` with ``ε**2 = 0``.

    Parameters
    ----------
    value : float or ndarray
        The value of the expression.
    derivative : float or ndarray, default 0.0
        Its derivative with respect to the chosen input (1 for the input itself,
        0 for a constant).

    Examples
    --------
    >>> x = Dual(3.0, 1.0)
    >>> x * x + 2 * x  # value 15, derivative 2*3 + 2 = 8
    Dual(value=15.0, derivative=8.0)
    """

    __slots__ = ("value", "derivative")
    __array_ufunc__ = None  # make ``np.float64(2.0) * Dual`` call Dual.__rmul__

    def __init__(self, value, derivative=0.0):
        if isinstance(value, Dual) or isinstance(derivative, Dual):
            raise TypeError("the value and derivative of a Dual must be numbers or arrays, not Duals")
        self.value = value
        self.derivative = derivative

    def __repr__(self):
        return f"Dual(value={self.value!r}, derivative={self.derivative!r})"

    @staticmethod
    def _lift(other):
        """A number becomes a constant: derivative 0."""
        if isinstance(other, Dual):
            return other
        if isinstance(other, (numbers.Real, np.ndarray)):
            return Dual(other, 0.0)
        return NotImplemented

    # ---------------------------------------------------------- arithmetic
    def __add__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return other
        return Dual(self.value + other.value, self.derivative + other.derivative)

    def __sub__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return other
        return Dual(self.value - other.value, self.derivative - other.derivative)

    def __mul__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return other
        return Dual(self.value * other.value, self.derivative * other.value + self.value * other.derivative)

    def __truediv__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return other
        value = self.value / other.value
        return Dual(value, (self.derivative - value * other.derivative) / other.value)

    def __pow__(self, exponent):
        if isinstance(exponent, Dual):
            value = self.value**exponent.value
            # d(u**v) = v u**(v-1) u' + u**v ln(u) v'; the log term only when v varies
            derivative = exponent.value * self.value ** (exponent.value - 1) * self.derivative
            if np.any(exponent.derivative != 0):
                derivative = derivative + value * np.log(self.value) * exponent.derivative
            return Dual(value, derivative)
        if isinstance(exponent, (numbers.Real, np.ndarray)):
            return Dual(self.value**exponent, exponent * self.value ** (exponent - 1) * self.derivative)
        return NotImplemented

    def __neg__(self):
        return Dual(-self.value, -self.derivative)

    def __pos__(self):
        return self

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        other = self._lift(other)
        return other if other is NotImplemented else other - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        other = self._lift(other)
        return other if other is NotImplemented else other / self

    def __rpow__(self, base):
        base = self._lift(base)
        return base if base is NotImplemented else base**self

    # Comparisons look at the values only, so that ``if x > 0`` and max() work in f.
    def __lt__(self, other):
        return self.value < (other.value if isinstance(other, Dual) else other)

    def __le__(self, other):
        return self.value <= (other.value if isinstance(other, Dual) else other)

    def __gt__(self, other):
        return self.value > (other.value if isinstance(other, Dual) else other)

    def __ge__(self, other):
        return self.value >= (other.value if isinstance(other, Dual) else other)


# ------------------------------------------------------ elementary functions
# Each works on a Dual (value and derivative) and on a plain number or array (value only).
def exp(x):
    """``e**x``; derivative ``e**x``."""
    if isinstance(x, Dual):
        value = np.exp(x.value)
        return Dual(value, value * x.derivative)
    return np.exp(x)


def log(x):
    """Natural logarithm; derivative ``1 / x``."""
    if isinstance(x, Dual):
        return Dual(np.log(x.value), x.derivative / x.value)
    return np.log(x)


def sin(x):
    """Sine; derivative ``cos(x)``."""
    if isinstance(x, Dual):
        return Dual(np.sin(x.value), np.cos(x.value) * x.derivative)
    return np.sin(x)


def cos(x):
    """Cosine; derivative ``-sin(x)``."""
    if isinstance(x, Dual):
        return Dual(np.cos(x.value), -np.sin(x.value) * x.derivative)
    return np.cos(x)


def tanh(x):
    """Hyperbolic tangent; derivative ``1 - tanh(x)**2``."""
    if isinstance(x, Dual):
        value = np.tanh(x.value)
        return Dual(value, (1 - value**2) * x.derivative)
    return np.tanh(x)


def _sigmoid(x):
    # 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) for x < 0: neither exponential can overflow
    e = np.exp(-np.abs(x))
    return np.where(np.asarray(x) >= 0, 1 / (1 + e), e / (1 + e))[()]


def sigmoid(x):
    """The logistic function ``1 / (1 + e**-x)``; derivative ``s (1 - s)``."""
    if isinstance(x, Dual):
        value = _sigmoid(x.value)
        return Dual(value, value * (1 - value) * x.derivative)
    return _sigmoid(x)


def sqrt(x):
    """Square root; derivative ``1 / (2 sqrt(x))``."""
    if isinstance(x, Dual):
        value = np.sqrt(x.value)
        return Dual(value, x.derivative / (2 * value))
    return np.sqrt(x)


def relu(x):
    """``max(x, 0)``; derivative 1 where ``x > 0``, else 0 (0 at ``x = 0``, as nnlib and torch)."""
    if isinstance(x, Dual):
        positive = np.asarray(x.value) > 0
        return Dual(np.where(positive, x.value, 0.0)[()], np.where(positive, x.derivative, 0.0)[()])
    return np.maximum(x, 0.0)


# ------------------------------------------------------------ derivatives
def _derivative_of(result):
    """The derivative part of f's result; a result that is not a Dual did not depend on the input."""
    return result.derivative if isinstance(result, Dual) else 0.0


def derivative(f, x):
    """``f'(x)`` from one forward pass of ``f`` on the dual number ``x + ε``.

    Parameters
    ----------
    f : callable
        A function of one number, built from the operations of this module.
    x : float or ndarray
        Where to differentiate (elementwise for an array).

    Examples
    --------
    >>> derivative(lambda x: x**3, 2.0)
    12.0
    """
    return _derivative_of(f(Dual(x, 1.0)))


def jvp(f, xs, direction):
    """The directional derivative of ``f(*xs)`` along ``direction``, from one forward pass.

    Seeds every input ``xs[i]`` with the derivative ``direction[i]``; the
    result is ``sum_i df/dx_i * direction[i]``, a Jacobian-vector product.

    Parameters
    ----------
    f : callable
        ``f(x_1, ..., x_n)`` returning one number.
    xs : sequence of n floats
        The point.
    direction : sequence of n floats
        The direction.
    """
    xs, direction = list(xs), list(direction)
    if len(xs) != len(direction):
        raise ValueError(
            f"direction must have one entry per input: {len(xs)} inputs, {len(direction)} entries"
        )
    return _derivative_of(f(*(Dual(x, d) for x, d in zip(xs, direction))))


def gradient_forward(f, xs):
    """The gradient of ``f(*xs)`` in forward mode: one pass of ``f`` per input.

    Pass ``i`` seeds ``x_i`` with derivative 1 and every other input with 0,
    which gives ``df/dx_i``; so ``f`` runs ``len(xs)`` times, where reverse
    mode needs one forward and one backward pass whatever the number of inputs.

    Parameters
    ----------
    f : callable
        ``f(x_1, ..., x_n)`` returning one number.
    xs : sequence of n floats
        The point.

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> gradient_forward(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])  # two passes
    array([2., 5.])
    """
    xs = list(xs)
    basis = np.eye(len(xs))
    return np.array([jvp(f, xs, basis[i]) for i in range(len(xs))], dtype=np.float64)

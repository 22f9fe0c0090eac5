"""Reverse-mode automatic differentiation on numpy arrays.

A :class:`Tensor` wraps a numpy array. Every operation on tensors that need
gradients records a node of a computational graph: the op's name, its inputs,
and for each input a function that maps the gradient of the output to the
gradient of that input (the local derivative, applied by the chain rule).
:meth:`Tensor.backward` visits the graph in reverse topological order and
accumulates gradients, which is backpropagation.

Each op below is written next to its derivative, so the file reads as a table
of derivatives. Broadcasting is handled once, in :func:`_unbroadcast`, for all
ops.
"""

from __future__ import annotations

import contextlib

import numpy as np

_DEFAULT_DTYPE = np.dtype(np.float32)
_GRAD_ENABLED = True


class NonFiniteError(FloatingPointError):
    """Raised by :meth:`Tensor.backward` when the value to differentiate is NaN or inf.

    Catching it lets a training loop (or a widget) report "diverged" instead
    of writing NaN into the parameters.
    """


def set_default_dtype(dtype):
    """Set the floating dtype of new tensors and parameters (``float32`` or ``float64``)."""
    global _DEFAULT_DTYPE
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"default dtype must be float32 or float64, got {dtype}")
    _DEFAULT_DTYPE = dtype


def get_default_dtype():
    """Return the floating dtype of new tensors (``float32`` unless changed)."""
    return _DEFAULT_DTYPE


@contextlib.contextmanager
def no_grad():
    """Context manager (or decorator) in which no graph is recorded, as ``torch.no_grad``."""
    global _GRAD_ENABLED
    previous, _GRAD_ENABLED = _GRAD_ENABLED, False
    try:
        yield
    finally:
        _GRAD_ENABLED = previous


def is_grad_enabled():
    """Return True unless inside :func:`no_grad`."""
    return _GRAD_ENABLED


def _as_array(data, dtype):
    """A new ndarray holding ``data``; floating arrays keep their dtype, the rest become the default.

    The values are copied (as ``torch.tensor`` does), so that an optimizer updating a parameter
    in place never changes the array the parameter was made from.
    """
    if dtype is None and not (isinstance(data, (np.ndarray, np.floating)) and data.dtype.kind == "f"):
        dtype = _DEFAULT_DTYPE
    return np.array(data, dtype=dtype)


def _unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _broadcast_error(op, a, b):
    return ValueError(
        f"'{op}': shapes {a.shape} and {b.shape} do not broadcast; each dimension, "
        "compared from the right, must be equal or 1"
    )


class Tensor:
    """An n-dimensional array that can record operations for backpropagation.

    Parameters
    ----------
    data : array_like
        The values, copied. Floating numpy arrays keep their dtype; everything else
        (Python numbers, lists, integer arrays) becomes the default dtype,
        float32 unless :func:`set_default_dtype` changed it.
    requires_grad : bool, default False
        Whether :meth:`backward` should compute ``.grad`` for this tensor.
    dtype : dtype, optional
        Force a dtype, e.g. ``np.float64``.

    Attributes
    ----------
    data : ndarray
        The values.
    grad : ndarray or None
        The gradient of the last differentiated output with respect to this
        tensor, same shape and dtype as ``data``. On leaves it accumulates over
        calls to :meth:`backward` (call ``zero_grad`` between steps); on
        intermediate results it holds the gradient of the latest pass, so that
        graphs can be drawn with their gradients.
    op : str
        Name of the operation that produced this tensor ("" for leaves).
    inputs : tuple of Tensor
        The tensors the operation read (empty for leaves).
    """

    __slots__ = ("data", "grad", "requires_grad", "op", "inputs", "_grad_fns", "label")
    __array_ufunc__ = None  # make ``ndarray + Tensor`` call Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None, label=""):
        if isinstance(data, Tensor):
            data = data.data
        self.data = _as_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating tensors can require gradients, got dtype {self.data.dtype}")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.op = ""
        self.inputs = ()
        self._grad_fns = None
        self.label = label

    # ------------------------------------------------------------------ graph
    @classmethod
    def from_op(cls, data, op, *edges):
        """Build the result of an op.

        Parameters
        ----------
        data : ndarray
            The op's output value.
        op : str
            The op's name, shown when the graph is drawn.
        *edges : (Tensor, callable) pairs
            Each input with the function that maps the output's gradient
            (shape of ``data``) to that input's gradient. The function is only
            called when the input requires a gradient.
        """
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out.label = ""
        out.requires_grad = _GRAD_ENABLED and any(t.requires_grad for t, _ in edges)
        if out.requires_grad:
            out.op = op
            out.inputs = tuple(t for t, _ in edges)
            out._grad_fns = tuple(fn for _, fn in edges)
        else:
            out.op, out.inputs, out._grad_fns = "", (), None
        return out

    @property
    def is_leaf(self):
        """True for tensors made by the user rather than by an op."""
        return not self.inputs

    def backward(self, grad=None, retain_graph=False):
        """Backpropagate: accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires it.

        Parameters
        ----------
        grad : array_like, optional
            Gradient of some scalar with respect to this tensor, same shape as
            ``self``. May be omitted only when ``self`` holds a single value.
        retain_graph : bool, default False
            Keep the derivative functions so that ``backward`` can run again.

        Raises
        ------
        RuntimeError
            If this tensor does not require grad, if ``grad`` is missing for a
            non-scalar tensor, or if the graph was already freed.
        NonFiniteError
            If ``self`` is a single value that is NaN or infinite.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() called on a tensor that does not require grad: "
                "create the inputs with requires_grad=True (and not inside no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without grad= works only for a single value, but this tensor has "
                    f"shape {self.data.shape}; reduce it (e.g. .sum()) or pass grad= of that shape"
                )
            if not np.isfinite(self.data).all():
                raise NonFiniteError(
                    f"cannot backpropagate from a non-finite value ({self.data.item()}); "
                    "the optimisation diverged: lower the learning rate"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad, dtype=self.data.dtype)
            if grad.shape != self.data.shape:
                raise ValueError(
                    f"grad has shape {grad.shape}, expected the tensor's shape {self.data.shape}"
                )

        order = self._topological_order()
        grads = {id(self): grad}
        private = set()  # ids of nodes whose gradient is a new array that nothing else refers to
        for node in order:
            g = grads.pop(id(node))
            if node.is_leaf:
                # A private gradient is kept as it is; a shared one (e.g. passed on by '+') is copied.
                g = g.astype(node.data.dtype, copy=node.grad is None and id(node) not in private)
                node.grad = g if node.grad is None else node.grad + g
                continue
            node.grad = g
            if node._grad_fns is None:
                raise RuntimeError(
                    f"trying to backward through the graph a second time (at op '{node.op}'): "
                    "its intermediate values were freed; use backward(retain_graph=True) the first time"
                )
            for parent, grad_fn in zip(node.inputs, node._grad_fns):
                if not parent.requires_grad:
                    continue
                pg = _unbroadcast(grad_fn(g), parent.data.shape)
                key = id(parent)
                if key in grads:
                    grads[key] = grads[key] + pg
                    private.add(key)
                else:
                    grads[key] = pg
                    if pg is not g and pg.base is None:  # neither g passed on nor a view
                        private.add(key)
            if not retain_graph:
                node._grad_fns = None

    def _topological_order(self):
        """Nodes that require grad, each before the nodes it was computed from."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # iterative DFS: deep graphs must not hit Python's recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.inputs if p.requires_grad and id(p) not in seen)
        return order[::-1]

    # --------------------------------------------------------------- basics
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def __len__(self):
        return len(self.data)

    def item(self):
        """The single value as a Python number."""
        return self.data.item()

    def numpy(self):
        """The values as an ndarray (shared, not copied)."""
        return self.data

    def detach(self):
        """A tensor with the same values and no history."""
        return Tensor(self.data)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        return f"Tensor({body}{grad})"

    def _lift(self, other):
        """Turn numbers and arrays into constant tensors of this tensor's dtype."""
        if isinstance(other, Tensor):
            return other
        floating = isinstance(other, np.ndarray) and other.dtype.kind == "f"
        return as_tensor(other, dtype=None if floating else self.data.dtype)

    # ------------------------------------------------ arithmetic and derivatives
    def __add__(self, other):
        other = self._lift(other)
        try:
            out = self.data + other.data
        except ValueError:
            raise _broadcast_error("+", self, other) from None
        return Tensor.from_op(out, "+", (self, lambda g: g), (other, lambda g: g))

    def __mul__(self, other):
        other = self._lift(other)
        try:
            out = self.data * other.data
        except ValueError:
            raise _broadcast_error("*", self, other) from None
        return Tensor.from_op(out, "*", (self, lambda g: g * other.data), (other, lambda g: g * self.data))

    def __sub__(self, other):
        other = self._lift(other)
        try:
            out = self.data - other.data
        except ValueError:
            raise _broadcast_error("-", self, other) from None
        return Tensor.from_op(out, "-", (self, lambda g: g), (other, lambda g: -g))

    def __truediv__(self, other):
        other = self._lift(other)
        try:
            out = self.data / other.data
        except ValueError:
            raise _broadcast_error("/", self, other) from None
        return Tensor.from_op(
            out, "/", (self, lambda g: g / other.data), (other, lambda g: -g * out / other.data)
        )

    def __pow__(self, exponent):
        exponent = self._lift(exponent)
        out = self.data**exponent.data
        return Tensor.from_op(
            out,
            "**",
            (self, lambda g: g * exponent.data * self.data ** (exponent.data - 1)),
            (exponent, lambda g: g * out * np.log(self.data)),
        )

    def __neg__(self):
        return Tensor.from_op(-self.data, "neg", (self, lambda g: -g))

    def __radd__(self, other):
        return self._lift(other) + self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __rpow__(self, other):
        return self._lift(other) ** self

    def __matmul__(self, other):
        other = self._lift(other)
        a, b = self.data, other.data
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(
                f"'@': expected 2-D operands (n, k) @ (k, m), got {a.shape} @ {b.shape}"
                + (f": inner sizes {a.shape[-1]} and {b.shape[0]} differ" if a.ndim and b.ndim else "")
            )
        return Tensor.from_op(a @ b, "@", (self, lambda g: g @ b.T), (other, lambda g: a.T @ g))

    def __rmatmul__(self, other):
        return self._lift(other) @ self

    def maximum(self, other):
        """Elementwise maximum; where both are equal the gradient is split evenly."""
        other = self._lift(other)
        try:
            out = np.maximum(self.data, other.data)
        except ValueError:
            raise _broadcast_error("maximum", self, other) from None
        self_wins = (self.data > other.data) + 0.5 * (self.data == other.data)
        self_wins = self_wins.astype(out.dtype)
        return Tensor.from_op(
            out, "max", (self, lambda g: g * self_wins), (other, lambda g: g * (1 - self_wins))
        )

    def exp(self):
        out = np.exp(self.data)
        return Tensor.from_op(out, "exp", (self, lambda g: g * out))

    def log(self):
        return Tensor.from_op(np.log(self.data), "log", (self, lambda g: g / self.data))

    # ------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims=False):
        out = self.data.sum(axis=axis, keepdims=keepdims)
        return Tensor.from_op(out, "sum", (self, lambda g: self._expand(g, axis, keepdims)))

    def mean(self, axis=None, keepdims=False):
        out = self.data.mean(axis=axis, keepdims=keepdims)
        count = self.data.size // max(out.size, 1)
        return Tensor.from_op(out, "mean", (self, lambda g: self._expand(g, axis, keepdims) / count))

    def max(self, axis=None, keepdims=False):
        """Maximum over ``axis``; ties share the gradient evenly (as ``torch.amax``)."""
        out = self.data.max(axis=axis, keepdims=keepdims)

        def grad_fn(g):
            peak = self._expand(out, axis, keepdims)
            winners = (self.data == peak).astype(self.data.dtype)
            winners /= winners.sum(axis=axis, keepdims=True)
            return self._expand(g, axis, keepdims) * winners

        return Tensor.from_op(out, "max", (self, grad_fn))

    def _expand(self, g, axis, keepdims):
        """Broadcast a reduced gradient back to this tensor's shape."""
        if not keepdims and axis is not None:
            g = np.expand_dims(g, axis)
        return np.broadcast_to(g, self.data.shape)

    # ----------------------------------------------------------------- shapes
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            out = self.data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {self.shape} ({self.size} values) into {shape}"
            ) from None
        return Tensor.from_op(out, "reshape", (self, lambda g: g.reshape(self.data.shape)))

    @property
    def T(self):
        return Tensor.from_op(self.data.T, "T", (self, lambda g: g.T))

    def __getitem__(self, index):
        if isinstance(index, Tensor):
            index = index.data
        out = self.data[index]

        def grad_fn(g):
            full = np.zeros_like(self.data)
            np.add.at(full, index, g)  # add.at: repeated indices must add up
            return full

        return Tensor.from_op(out, "index", (self, grad_fn))


def tensor(data, requires_grad=False, dtype=None):
    """Create a :class:`Tensor` (the spelling of ``torch.tensor``)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data, dtype=None):
    """``data`` as a Tensor without copying where possible (the spelling of ``torch.as_tensor``).

    A Tensor of the right dtype (or one that requires grad) is returned as it is; an ndarray of
    the right dtype is wrapped, sharing its memory, as a constant without history. Library code
    uses this for inputs it only reads (batches of data, targets), so no batch is copied per step.

    Parameters
    ----------
    data : Tensor or array_like
    dtype : dtype, optional
        Wanted dtype; by default floating arrays keep theirs and everything else gets the default.
    """
    if isinstance(data, Tensor):
        if dtype is None or data.dtype == dtype or data.requires_grad:  # converting would cut the graph
            return data
        data = data.data
    if dtype is None and not (isinstance(data, (np.ndarray, np.floating)) and data.dtype.kind == "f"):
        dtype = _DEFAULT_DTYPE
    return Tensor.from_op(np.asarray(data, dtype=dtype), "")

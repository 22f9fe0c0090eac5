"""Reverse-mode automatic differentiation on numpy arrays.

A :class:`Tensor` wraps a numpy array. Every operation on tensors that need
gradients records a node of a computational graph: the op's name, its inputs,
and for each input a function that maps the gradient of the output to the
gradient of that input (the local derivative, applied by the chain rule).
:meth:`Tensor.backward` visits the graph in reverse topological order and
accumulates gradients, which is backpropagation.

Each op below is written next to its derivative, so the file reads as a table
of derivatives. Broadcasting is handled once for all ops: :func:`unbroadcast`
sums a gradient back to its input's shape.

The graph is public, so that it can be drawn and inspected: ``t.inputs`` are the
tensors ``t`` was computed from, ``t.input_grads(g)`` applies the chain rule at
``t`` (the gradient of each input, given the gradient ``g`` of ``t``), and
:func:`topological_order` lists every tensor of a graph, each before the ones it
was computed from.

Where nnlib differs from PyTorch on purpose
-------------------------------------------
- Intermediate results keep their ``.grad`` after ``backward`` (PyTorch keeps
  it only on leaves, or with ``retain_grad()``), so a graph can be drawn with
  its gradients.
- Only the ops a course on backpropagation needs exist; ``@`` takes 2-D operands only.
- ``maximum`` and ``max`` split the gradient evenly between ties, as ``torch.amax`` does.
- ``backward`` refuses to start from a NaN or infinite value (:class:`NonFiniteError`),
  so a diverging training loop stops with a message instead of filling the
  parameters with NaN.
"""

from __future__ import annotations

import contextlib

import numpy as np

_default_dtype = np.dtype(np.float32)
_grad_enabled = True


class NonFiniteError(FloatingPointError):
    """Raised by :meth:`Tensor.backward` when the value to differentiate is NaN or inf.

    Catching it lets a training loop (or a widget) report "diverged" instead
    of writing NaN into the parameters.
    """


# --------------------------------------------------------------- dtype policy
def set_default_dtype(dtype):
    """Set the floating dtype of new tensors and parameters (``float32`` or ``float64``)."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"default dtype must be float32 or float64, got {dtype}")
    _default_dtype = dtype


def get_default_dtype():
    """Return the floating dtype of new tensors (``float32`` unless changed)."""
    return _default_dtype


def dtype_for(data, dtype=None):
    """The dtype nnlib gives ``data``: the one asked for, a floating array's own, else the default.

    This is nnlib's one dtype rule: Python numbers, lists and integer arrays become
    the default dtype (float32 unless :func:`set_default_dtype` changed it), so
    ``tensor([1, 2])`` can take gradients; floating numpy arrays keep theirs.
    """
    if dtype is not None:
        return np.dtype(dtype)
    if isinstance(data, (np.ndarray, np.floating)) and data.dtype.kind == "f":
        return data.dtype
    return _default_dtype


# ---------------------------------------------------------------- grad mode
@contextlib.contextmanager
def no_grad():
    """Context manager (or decorator) in which no graph is recorded, as ``torch.no_grad``."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled():
    """Return True unless inside :func:`no_grad`."""
    return _grad_enabled


# ------------------------------------------------------------ graph helpers
def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``.

    If ``x`` of shape ``shape`` was broadcast to ``grad.shape`` in the forward
    pass, each of its values was used several times, so their gradients add up.
    """
    if grad.shape == shape:
        return grad
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


def topological_order(output):
    """Every tensor of the graph that computed ``output``, each before the tensors it was computed from.

    Parameters
    ----------
    output : Tensor

    Returns
    -------
    list of Tensor
        ``output`` first, leaves and constants last; each tensor once, even if
        read by several ops. Backpropagation visits the graph in this order,
        so a node's gradient is complete before it is passed on to its inputs.
    """
    order, seen, stack = [], set(), [(output, False)]
    while stack:  # iterative depth-first search: deep graphs must not hit Python's recursion limit
        node, expanded = stack.pop()
        if expanded:
            order.append(node)  # after all its inputs: post-order
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.inputs)
    return order[::-1]


def _owned(grad):
    """``grad``, or a copy if it is a view (a gradient stored on a tensor must not share memory)."""
    return grad.copy() if grad.base is not None else grad


class Tensor:
    """An n-dimensional array that can record operations for backpropagation.

    Parameters
    ----------
    data : array_like
        The values, copied. The dtype follows :func:`dtype_for`.
    requires_grad : bool, default False
        Whether :meth:`backward` should compute ``.grad`` for this tensor.
    dtype : dtype, optional
        Force a dtype, e.g. ``np.float64``.
    label : str, optional
        A name shown when the graph is drawn.

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
    grad_fns : tuple of callable or None
        For each input, the function mapping this tensor's gradient to that
        input's (before :func:`unbroadcast`); None for leaves and after
        ``backward`` freed the graph. :meth:`input_grads` applies them.
    """

    __slots__ = ("data", "grad", "requires_grad", "op", "inputs", "grad_fns", "label")
    __array_ufunc__ = None  # make ``ndarray + Tensor`` call Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None, label=""):
        if isinstance(data, Tensor):
            data = data.data
        self.data = np.array(data, dtype=dtype_for(data, dtype))  # a copy, as torch.tensor makes
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating tensors can require gradients, got dtype {self.data.dtype}")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.op, self.inputs, self.grad_fns = "", (), None
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
        out.data, out.grad, out.label = data, None, ""
        out.requires_grad = _grad_enabled and any(t.requires_grad for t, _ in edges)
        out.op, out.inputs, out.grad_fns = "", (), None
        if out.requires_grad:
            out.op = op
            out.inputs = tuple(t for t, _ in edges)
            out.grad_fns = tuple(fn for _, fn in edges)
        return out

    @property
    def is_leaf(self):
        """True for tensors made by the user rather than by an op."""
        return not self.inputs

    def input_grads(self, grad):
        """The chain rule at this node: the gradient of each input, given the gradient of this tensor.

        Parameters
        ----------
        grad : ndarray of this tensor's shape
            d(output)/d(self) for some output computed from ``self``.

        Returns
        -------
        list of (ndarray or None)
            One entry per ``self.inputs``: d(output)/d(input), of the input's shape,
            or None for an input that does not require a gradient. With ``grad``
            all ones and single-valued tensors, these are the local derivatives.
        """
        if self.grad_fns is None:
            raise RuntimeError(
                f"trying to backward through the graph a second time (at op '{self.op}'): "
                "its intermediate values were freed; use backward(retain_graph=True) the first time"
            )
        return [
            unbroadcast(grad_fn(grad), parent.data.shape) if parent.requires_grad else None
            for parent, grad_fn in zip(self.inputs, self.grad_fns)
        ]

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
        grads = {id(self): self._seed_grad(grad)}  # d(self)/d(node), complete once a node is reached
        for node in topological_order(self):
            if not node.requires_grad:
                continue
            grad = _owned(grads.pop(id(node)).astype(node.data.dtype, copy=False))
            if node.is_leaf:
                node.grad = grad if node.grad is None else node.grad + grad
                continue
            node.grad = grad
            for parent, parent_grad in zip(node.inputs, node.input_grads(grad)):
                if parent_grad is None:
                    continue
                if parent_grad is grad:  # passed on unchanged (e.g. by '+'): node.grad holds it too
                    parent_grad = grad.copy()
                key = id(parent)
                grads[key] = grads[key] + parent_grad if key in grads else parent_grad
            if not retain_graph:
                node.grad_fns = None

    def _seed_grad(self, grad):
        """The gradient ``backward`` starts from, checked: ones for a single value, else ``grad``."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward() called on a tensor that does not require grad: "
                "create the inputs with requires_grad=True (and not inside no_grad())"
            )
        if grad is not None:
            grad = np.array(grad, dtype=self.data.dtype)  # a copy: it becomes self.grad
            if grad.shape != self.data.shape:
                raise ValueError(f"grad has shape {grad.shape}, expected the tensor's {self.data.shape}")
            return grad
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
        return np.ones_like(self.data)

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
        """A tensor without history that shares this tensor's values (as in PyTorch, no copy).

        Changing the values of one changes the other; use ``t.detach().numpy().copy()``
        for a snapshot.
        """
        return as_tensor(self.data)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        return f"Tensor({body}{grad})"

    def _operands(self, other, op):
        """``self`` and ``other`` as tensors for a binary op, after checking that their shapes broadcast.

        Numbers and non-floating arrays become constants of this tensor's dtype, so
        ``x * 2`` stays float32 for a float32 ``x``.
        """
        if not isinstance(other, Tensor):
            floating = isinstance(other, np.ndarray) and other.dtype.kind == "f"
            other = as_tensor(other, dtype=None if floating else self.data.dtype)
        try:
            np.broadcast_shapes(self.data.shape, other.data.shape)
        except ValueError:
            raise ValueError(
                f"'{op}': shapes {self.data.shape} and {other.data.shape} do not broadcast; "
                "each dimension, compared from the right, must be equal or 1"
            ) from None
        return self, other

    # ------------------------------------------------ arithmetic and derivatives
    def __add__(self, other):
        a, b = self._operands(other, "+")
        return Tensor.from_op(a.data + b.data, "+", (a, lambda g: g), (b, lambda g: g))

    def __sub__(self, other):
        a, b = self._operands(other, "-")
        return Tensor.from_op(a.data - b.data, "-", (a, lambda g: g), (b, lambda g: -g))

    def __mul__(self, other):
        a, b = self._operands(other, "*")
        return Tensor.from_op(a.data * b.data, "*", (a, lambda g: g * b.data), (b, lambda g: g * a.data))

    def __truediv__(self, other):
        a, b = self._operands(other, "/")
        out = a.data / b.data
        return Tensor.from_op(out, "/", (a, lambda g: g / b.data), (b, lambda g: -g * out / b.data))

    def __pow__(self, exponent):
        a, b = self._operands(exponent, "**")
        out = a.data**b.data
        return Tensor.from_op(
            out,
            "**",
            (a, lambda g: g * b.data * a.data ** (b.data - 1)),
            (b, lambda g: g * out * np.log(a.data)),
        )

    def __neg__(self):
        return Tensor.from_op(-self.data, "neg", (self, lambda g: -g))

    def __radd__(self, other):
        return self._operands(other, "+")[1] + self

    def __rsub__(self, other):
        return self._operands(other, "-")[1] - self

    def __rmul__(self, other):
        return self._operands(other, "*")[1] * self

    def __rtruediv__(self, other):
        return self._operands(other, "/")[1] / self

    def __rpow__(self, other):
        return self._operands(other, "**")[1] ** self

    def __matmul__(self, other):
        other = as_tensor(other, dtype=self.data.dtype)
        a, b = self.data, other.data
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(
                f"'@': expected 2-D operands (n, k) @ (k, m), got {a.shape} @ {b.shape}"
                + (f": inner sizes {a.shape[-1]} and {b.shape[0]} differ" if a.ndim and b.ndim else "")
            )
        return Tensor.from_op(a @ b, "@", (self, lambda g: g @ b.T), (other, lambda g: a.T @ g))

    def __rmatmul__(self, other):
        return as_tensor(other, dtype=self.data.dtype) @ self

    def maximum(self, other):
        """Elementwise maximum; where both are equal the gradient is split evenly."""
        a, b = self._operands(other, "maximum")
        out = np.maximum(a.data, b.data)
        a_wins = ((a.data > b.data) + 0.5 * (a.data == b.data)).astype(out.dtype)
        return Tensor.from_op(out, "max", (a, lambda g: g * a_wins), (b, lambda g: g * (1 - a_wins)))

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
    return Tensor.from_op(np.asarray(data, dtype=dtype_for(data, dtype)), "")

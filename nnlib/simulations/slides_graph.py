"""The slides' computational graph e = (a + b)(b + 1), with c = a + b and d = b + 1.

At a = 2, b = 1: e = 6, and backpropagation gives de/da = d = 2 and de/db = d + c = 5.
"""

import numpy as np

from nnlib.tensor import Tensor

__all__ = ["backprop_graph", "slides_expression"]


def slides_expression(a=2.0, b=1.0):
    """Build e = (a + b)(b + 1) from float64 tensors labelled a, b, c, d, e; no backward pass yet.

    Returns
    -------
    Tensor
        e, a scalar; its graph reaches back to the leaves a and b.
    """
    a = Tensor(a, requires_grad=True, dtype=np.float64, label="a")
    b = Tensor(b, requires_grad=True, dtype=np.float64, label="b")
    c = a + b
    c.label = "c"
    d = b + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    return e


def backprop_graph(a=2.0, b=1.0):
    """:func:`slides_expression` backpropagated, keeping its derivative functions.

    The graph is kept (``retain_graph=True``) so that a drawing can label each edge with its
    local derivative.

    Returns
    -------
    Tensor
        e; its leaves a and b (``e.inputs[0].inputs``) hold their gradients.
    """
    e = slides_expression(a, b)
    e.backward(retain_graph=True)
    return e

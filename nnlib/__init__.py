"""nnlib: a small numpy library for learning neural networks, optimization and backpropagation.

Its names follow PyTorch's (``Tensor``, ``backward``, ``nn.Linear``, ``optim.SGD``), so what is
learned here carries over. The core imports only numpy, and so does ``nnlib.simulations`` (what
the explorers compute); ``nnlib.viz`` and ``nnlib.widgets`` (matplotlib, ipywidgets) are imported
explicitly by the notebooks that draw.
"""

from nnlib import activations, data, forward_mode, gradcheck, landscapes, losses, nn, optim
from nnlib.random import manual_seed
from nnlib.tensor import (
    NonFiniteError,
    Tensor,
    as_tensor,
    dtype_for,
    get_default_dtype,
    is_grad_enabled,
    no_grad,
    set_default_dtype,
    tensor,
    topological_order,
)

__version__ = "0.1.0"

__all__ = [
    "NonFiniteError",
    "Tensor",
    "activations",
    "as_tensor",
    "data",
    "dtype_for",
    "forward_mode",
    "get_default_dtype",
    "gradcheck",
    "is_grad_enabled",
    "landscapes",
    "losses",
    "manual_seed",
    "nn",
    "no_grad",
    "optim",
    "set_default_dtype",
    "tensor",
    "topological_order",
]

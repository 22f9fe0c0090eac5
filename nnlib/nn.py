"""Neural-network building blocks: modules that hold parameters and compute a forward pass.

A :class:`Module` is a function with parameters. Its ``forward`` is written
with tensor operations, so the backward pass comes for free from autograd.
Modules nest: a module's parameters are those of its attributes that are
tensors requiring gradients, modules, or lists of modules, found recursively.

Initialisation
--------------
Weights are drawn from ``nnlib.random.get_rng()`` (reseed with
:func:`nnlib.manual_seed` to reproduce a model) from a normal distribution
with zero mean, and biases start at zero. The standard deviation keeps the
variance of the signal roughly constant from layer to layer:

- ``init="he"`` (He et al., 2015), for ReLU-family layers:
  ``std = sqrt(2 / in_features)``; a ReLU zeroes half its inputs, which the
  factor 2 makes up for.
- ``init="xavier"`` (Glorot and Bengio, 2010), for sigmoid and tanh layers:
  ``std = sqrt(2 / (in_features + out_features))``, a compromise between the
  forward and the backward pass.

(PyTorch's ``nn.Linear`` draws from a uniform distribution instead; the
layer shapes and the computation ``y = x W^T + b`` are the same.) To choose
another scheme after construction, use ``nnlib.nn.init`` as ``torch.nn.init``:
``nn.init.xavier_uniform_(layer.weight)``.
"""

import numbers

import numpy as np

from nnlib import activations, init
from nnlib.random import get_rng
from nnlib.tensor import Tensor, as_tensor, get_default_dtype

__all__ = [
    "MLP",
    "LeakyReLU",
    "Linear",
    "Module",
    "Neuron",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "init",
]

_INITS = ("he", "xavier")


def _init_std(init, fan_in, fan_out):
    if init == "he":
        return np.sqrt(2.0 / fan_in)
    if init == "xavier":
        return np.sqrt(2.0 / (fan_in + fan_out))
    raise ValueError(f"init must be one of {_INITS}, got {init!r}")


def _normal_parameter(shape, std, dtype):
    """A parameter drawn from N(0, std^2): drawn in float64 so both dtypes see the same numbers."""
    values = get_rng().standard_normal(shape) * std
    return Tensor(values.astype(dtype), requires_grad=True)


def _check_size(owner, name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _resolve_dtype(dtype):
    dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


class Module:
    """Base class of layers and models, as ``torch.nn.Module``.

    Subclasses set their parameters and sub-modules as attributes in
    ``__init__`` and define ``forward``; calling the module calls ``forward``.
    """

    training = True

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    # ----------------------------------------------------------- structure
    def _members(self):
        """(name, value) of the attributes that are modules or parameters, in the order assigned.

        Lists and tuples are looked into: the items of ``self.blocks = [a, b]`` are "blocks.0", "blocks.1".
        """
        for name, value in vars(self).items():
            items = enumerate(value) if isinstance(value, (list, tuple)) else [(None, value)]
            for i, item in items:
                if isinstance(item, Module) or (isinstance(item, Tensor) and item.requires_grad):
                    yield (name if i is None else f"{name}.{i}"), item

    def named_children(self):
        """(name, module) pairs of the direct sub-modules, in the order they were assigned."""
        return [(name, value) for name, value in self._members() if isinstance(value, Module)]

    def named_parameters(self):
        """List of (dotted name, parameter) pairs, e.g. ``("0.weight", tensor)``; shared ones once."""
        found, seen = [], set()

        def collect(module, prefix):
            for name, value in module._members():
                if isinstance(value, Module):
                    collect(value, prefix + name + ".")
                elif id(value) not in seen:
                    seen.add(id(value))
                    found.append((prefix + name, value))

        collect(self, "")
        return found

    def parameters(self):
        """List of the tensors that training updates (each once, even if shared)."""
        return [param for _, param in self.named_parameters()]

    def zero_grad(self):
        """Forget the gradients of all parameters (set them to None, as PyTorch does by default)."""
        for param in self.parameters():
            param.grad = None

    def train(self, mode=True):
        """Switch this module and its sub-modules to training mode (or evaluation mode if False)."""
        self.training = bool(mode)
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode; the same as ``train(False)``."""
        return self.train(False)

    # ------------------------------------------------------------ printing
    def extra_repr(self):
        """The text inside the parentheses of this module's one-line description."""
        return ""

    def __repr__(self):
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"


# ---------------------------------------------------------------- layers
class Linear(Module):
    """Fully connected layer ``y = x W^T + b``, as ``torch.nn.Linear``.

    Parameters
    ----------
    in_features : int
        Size of each input sample.
    out_features : int
        Size of each output sample (the number of neurons).
    bias : bool, default True
        Whether to add a learnable bias.
    init : {"he", "xavier"}, default "he"
        Standard deviation of the normal initial weights (see the module docstring).
    dtype : float32 or float64, optional
        Default: :func:`nnlib.get_default_dtype`.

    Attributes
    ----------
    weight : Tensor, shape (out_features, in_features)
        Row ``j`` holds the weights of neuron ``j``.
    bias : Tensor, shape (out_features,), or None
        Starts at zero.
    """

    def __init__(self, in_features, out_features, bias=True, init="he", dtype=None):
        self.in_features = _check_size("Linear", "in_features", in_features)
        self.out_features = _check_size("Linear", "out_features", out_features)
        dtype = _resolve_dtype(dtype)
        std = _init_std(init, self.in_features, self.out_features)
        self.weight = _normal_parameter((self.out_features, self.in_features), std, dtype)
        self.bias = Tensor(np.zeros(self.out_features, dtype=dtype), requires_grad=True) if bias else None

    def forward(self, x):
        """Apply the layer to a batch.

        Parameters
        ----------
        x : Tensor or array_like, shape (n, in_features)

        Returns
        -------
        Tensor, shape (n, out_features)
        """
        x = self._check_input(x)
        weight, bias = self.weight, self.bias
        out = x.data @ weight.data.T
        if bias is not None:
            out += bias.data
        # One node for the whole layer; each function below is called only if
        # its input requires a gradient, so a batch of data costs no x-gradient.
        edges = [
            (x, lambda g: g @ weight.data),  # dL/dx = g W,   (n, out) @ (out, in)
            (weight, lambda g: g.T @ x.data),  # dL/dW = g^T x, (out, n) @ (n, in)
        ]
        if bias is not None:
            edges.append((bias, lambda g: g.sum(axis=0)))  # dL/db = sum of g over the batch
        return Tensor.from_op(out, "linear", *edges)

    def _check_input(self, x):
        dtype = self.weight.data.dtype
        if isinstance(x, Tensor) and x.requires_grad and x.data.dtype != dtype:
            raise TypeError(
                f"{self!r} has {dtype} parameters but got an input of dtype {x.data.dtype} "
                "that requires grad; convert one of them"
            )
        x = as_tensor(x, dtype)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            hint = "; for a single sample use x.reshape(1, -1)" if x.ndim == 1 else ""
            raise ValueError(
                f"{self!r} expected input with {self.in_features} features "
                f"(shape (n, {self.in_features})), got shape {x.shape}{hint}"
            )
        return x

    def extra_repr(self):
        return f"{self.in_features} -> {self.out_features}" + (
            "" if self.bias is not None else ", bias=False"
        )


class Neuron(Module):
    """A single artificial neuron: ``activation(sum_i w_i x_i + b)``.

    Written with elementwise tensor operations (not one fused node), so its
    computational graph shows every step of the formula.

    Parameters
    ----------
    n_inputs : int
    activation : {"sigmoid", "tanh", "relu", "leaky_relu", "linear"}, default "sigmoid"
        "linear" means no activation. The weights use Xavier initialisation for
        sigmoid, tanh and linear, He for the ReLU family; the bias starts at 0.
    dtype : float32 or float64, optional

    Attributes
    ----------
    weight : Tensor, shape (n_inputs,)
    bias : Tensor, shape ()
    """

    _ACTIVATIONS = {
        "sigmoid": activations.sigmoid,
        "tanh": activations.tanh,
        "relu": activations.relu,
        "leaky_relu": activations.leaky_relu,
        "linear": None,
    }

    def __init__(self, n_inputs, activation="sigmoid", dtype=None):
        self.n_inputs = _check_size("Neuron", "n_inputs", n_inputs)
        if not isinstance(activation, str) or activation not in self._ACTIVATIONS:
            raise ValueError(
                f"Neuron: activation must be one of {list(self._ACTIVATIONS)}, got {activation!r}"
            )
        self.activation = activation
        dtype = _resolve_dtype(dtype)
        init = "he" if "relu" in activation else "xavier"
        self.weight = _normal_parameter((self.n_inputs,), _init_std(init, self.n_inputs, 1), dtype)
        self.bias = Tensor(np.zeros((), dtype=dtype), requires_grad=True)

    def forward(self, x):
        """Parameters: x, shape (n_inputs,) or (n, n_inputs). Returns: Tensor, shape () or (n,)."""
        if not isinstance(x, Tensor):
            x = as_tensor(x, self.weight.dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.n_inputs:
            raise ValueError(
                f"{self!r} expected input of shape ({self.n_inputs},) or (n, {self.n_inputs}), "
                f"got shape {x.shape}"
            )
        pre_activation = (x * self.weight).sum(axis=-1) + self.bias
        act = self._ACTIVATIONS[self.activation]
        return pre_activation if act is None else act(pre_activation)

    def extra_repr(self):
        return f"{self.n_inputs} inputs, {self.activation}"


# ------------------------------------------------------------ activations
class ReLU(Module):
    """Applies :func:`nnlib.activations.relu` elementwise."""

    def forward(self, x):
        return activations.relu(x)


class LeakyReLU(Module):
    """Applies :func:`nnlib.activations.leaky_relu` elementwise with the given ``negative_slope``."""

    def __init__(self, negative_slope=0.01):
        activations.leaky_relu(np.zeros(1), negative_slope)  # validates the slope now, not at first use
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return activations.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """Applies :func:`nnlib.activations.sigmoid` elementwise."""

    def forward(self, x):
        return activations.sigmoid(x)


class Tanh(Module):
    """Applies :func:`nnlib.activations.tanh` elementwise."""

    def forward(self, x):
        return activations.tanh(x)


# ------------------------------------------------------------- containers
class Sequential(Module):
    """Modules applied one after the other: ``Sequential(f, g, h)(x) == h(g(f(x)))``.

    Its sub-modules are named "0", "1", ... (so parameters are "0.weight",
    "0.bias", ... as in PyTorch), and can be indexed and iterated over.
    """

    def __init__(self, *modules):
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(module).__name__}, not a Module")
        self.layers = list(modules)

    def _members(self):
        for i, module in enumerate(self.layers):
            yield str(i), module

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)


class MLP(Sequential):
    """Multi-layer perceptron: Linear layers with an activation between consecutive ones.

    The last layer has no activation: its outputs are the logits (or the
    regression values) that a loss such as :func:`nnlib.losses.cross_entropy`
    expects.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``[2, 16, 16, 2]``: 2 inputs,
        two hidden layers of 16 units, 2 outputs.
    activation : {"relu", "leaky_relu", "sigmoid", "tanh"} or Module class, default "relu"
        The hidden layers' activation. He initialisation is used for the ReLU
        family (and for other Module classes), Xavier for sigmoid and tanh.
    dtype : float32 or float64, optional

    Examples
    --------
    >>> MLP([2, 16, 2])
    MLP(
      (0): Linear(2 -> 16)
      (1): ReLU()
      (2): Linear(16 -> 2)
    )
    """

    _ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh}

    def __init__(self, sizes, activation="relu", dtype=None):
        try:
            sizes = list(sizes)
        except TypeError:
            sizes = None
        if sizes is None or len(sizes) < 2:
            raise ValueError(
                f"MLP: sizes must be a list of at least 2 layer widths, e.g. [2, 16, 2], got {sizes!r}"
            )
        sizes = [_check_size("MLP", f"sizes[{i}]", n) for i, n in enumerate(sizes)]
        activation_class = self._activation_class(activation)
        init = "xavier" if activation_class in (Sigmoid, Tanh) else "he"
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out, init=init, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(activation_class())
        super().__init__(*layers)
        self.sizes = sizes

    @classmethod
    def _activation_class(cls, activation):
        if isinstance(activation, type) and issubclass(activation, Module):
            return activation
        if isinstance(activation, str) and activation in cls._ACTIVATIONS:
            return cls._ACTIVATIONS[activation]
        raise ValueError(
            f"MLP: activation must be one of {list(cls._ACTIVATIONS)} or a Module class, got {activation!r}"
        )

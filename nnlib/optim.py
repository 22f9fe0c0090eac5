"""Gradient-based optimizers with the names, defaults and update rules of ``torch.optim``.

Every update rule is first a plain function of numpy arrays with one contract::

    new_theta = rule(theta, grad, state, lr=..., <hyper-parameters>)

``theta`` is left unchanged (a new array is returned); ``state`` is a dict,
empty before the first step, in which the rule keeps what it remembers between
steps, under the names torch uses ("momentum_buffer", "sum", "square_avg",
"acc_delta", "grad_avg", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step").
The rules are :func:`sgd_step`, :func:`momentum_step`, :func:`adagrad_step`,
:func:`adadelta_step`, :func:`rmsprop_step` and :func:`adam_step` (AMSGrad is
Adam's option); each writes its algorithm in its docstring, with ``t = 1, 2, ...``
counting the steps.

The classes apply a rule to every parameter of a model, as torch.optim does::

    optimizer = nnlib.optim.Adam(model.parameters(), lr=1e-3)
    for X, y in nnlib.data.batches(X_train, y_train, batch_size=32):
        optimizer.zero_grad()
        loss = nnlib.losses.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()

On each :meth:`Optimizer.step` a class passes the rule ``g = param.grad +
weight_decay * param`` (L2 regularisation) and the state ``optimizer.state[param]``,
and writes the result into ``param.data``. Hyper-parameters live in
``optimizer.param_groups``, a list of dicts; changing
``optimizer.param_groups[0]["lr"]`` between steps changes the next step, which
is how learning-rate schedules work. State and updates keep each parameter's
dtype: a float32 model stays float32.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from nnlib.tensor import Tensor
from nnlib.validation import check_real

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AMSGrad",
    "sgd_step",
    "momentum_step",
    "adagrad_step",
    "adadelta_step",
    "rmsprop_step",
    "adam_step",
    "lr_scheduler",
]


# ------------------------------------------------- hyper-parameters, documented once
_PARAMETERS = {
    "params": """params : iterable of Tensor or of dict
    Parameters or parameter groups, see :class:`Optimizer`.""",
    "theta": """theta, grad : ndarray, same shape and dtype
    The parameters and the gradient of the loss at ``theta``.""",
    "state": """state : dict
    What the rule remembers, updated in place; empty before the first step.""",
    "lr": """lr : float, default {default}
    Learning rate, >= 0.""",
    "momentum": """momentum : float, default {default}
    Momentum factor in [0, 1).""",
    "dampening": """dampening : float, default {default}
    Damping of the new gradient in the momentum buffer, in [0, 1]; not applied on the first step.""",
    "nesterov": """nesterov : bool, default {default}
    Use Nesterov momentum (Sutskever et al., 2013); needs ``momentum > 0`` and ``dampening == 0``.""",
    "lr_decay": """lr_decay : float, default {default}
    Learning-rate decay per step, >= 0.""",
    "initial_accumulator_value": """initial_accumulator_value : float, default {default}
    Starting value of the sum of squared gradients, >= 0.""",
    "rho": """rho : float, default {default}
    Decay of both moving averages, in [0, 1).""",
    "alpha": """alpha : float, default {default}
    Decay of the moving averages, in [0, 1).""",
    "centered": """centered : bool, default {default}
    Subtract the squared mean gradient inside the square root.""",
    "betas": """betas : (float, float), default {default}
    Decays of ``m`` and ``v``, each in [0, 1).""",
    "eps": """eps : float, default {default}
    Added to the denominator for numerical stability, > 0.""",
    "amsgrad": """amsgrad : bool, default {default}
    Use the running maximum of ``v`` (AMSGrad; Reddi, Kale and Kumar, 2018).""",
    "out": """out : ndarray, optional
    Where to write the new parameters, as numpy's ``out=``; ``out=theta`` updates
    ``theta`` in place (the optimizer classes do, to spare a copy). By default a new array.""",
    "weight_decay": """weight_decay : float, default {default}
    L2 penalty coefficient, >= 0 (added to the gradient before the rule, as in torch).""",
}


def _document(function_or_class):
    """Fill the "{parameters}" of a docstring from the shared descriptions, with the signature's defaults."""
    import inspect  # only needed while the module is imported

    signature = inspect.signature(function_or_class)
    lines = []
    for name, parameter in signature.parameters.items():
        if name in ("grad", "self"):
            continue
        text = _PARAMETERS[name].format(default=parameter.default)
        lines.extend(text.splitlines())
    if "theta" in signature.parameters:  # an update rule
        lines += ["", "Returns", "-------", "ndarray", "    The new parameters (``out``, if given)."]
    indent = "\n    "
    lines = [line.rstrip() for line in lines]
    function_or_class.__doc__ = function_or_class.__doc__.replace(
        "{parameters}", "Parameters" + indent + "----------" + indent + indent.join(lines)
    )
    return function_or_class


# ------------------------------------------------------------------ update rules
@_document
def sgd_step(theta, grad, state, lr=1e-3, *, out=None):
    """Gradient descent: ``theta - lr * g``.

    ``state`` is not used; it is there so that every rule is called the same way.

    {parameters}
    """
    return np.subtract(theta, lr * grad, out=out)


@_document
def momentum_step(theta, grad, state, lr=1e-3, momentum=0.9, dampening=0.0, nesterov=False, *, out=None):
    """Gradient descent with (Nesterov) momentum, in torch's form.

    Algorithm::

        b     = g                                    on the first step
        b     = momentum * b + (1 - dampening) * g   afterwards       (momentum_buffer)
        d     = g + momentum * b   if nesterov,   else b
        theta = theta - lr * d

    The textbook form ``v = momentum * v - lr * g; theta = theta + v`` gives the
    same steps (``v = -lr * b``) as long as ``lr`` stays constant; after a change
    of ``lr`` the textbook velocity still carries the old rate, torch's does not.

    {parameters}
    """
    buffer = state.get("momentum_buffer")
    if buffer is None:
        buffer = grad.copy()
    else:
        buffer = momentum * buffer + (1 - dampening) * grad
    state["momentum_buffer"] = buffer
    return np.subtract(theta, lr * (grad + momentum * buffer if nesterov else buffer), out=out)


@_document
def adagrad_step(
    theta, grad, state, lr=1e-2, eps=1e-10, lr_decay=0.0, initial_accumulator_value=0.0, *, out=None
):
    """Adagrad (Duchi, Hazan and Singer, 2011): a per-coordinate rate that shrinks with the gradients seen.

    Algorithm::

        s     = s + g**2                     (sum; starts at initial_accumulator_value)
        lr_t  = lr / (1 + (t - 1) * lr_decay)
        theta = theta - lr_t * g / (sqrt(s) + eps)

    Coordinates with large past gradients take small steps; rarely active ones
    keep large steps. Since ``s`` only grows, the steps shrink towards zero.

    {parameters}
    """
    state["step"] = t = state.get("step", 0) + 1
    squares = state.get("sum", initial_accumulator_value) + grad * grad
    state["sum"] = squares.astype(theta.dtype, copy=False)
    lr_t = lr / (1 + (t - 1) * lr_decay)
    return np.subtract(theta, lr_t * grad / (np.sqrt(squares) + eps), out=out)


@_document
def adadelta_step(theta, grad, state, lr=1.0, rho=0.9, eps=1e-6, *, out=None):
    """Adadelta (Zeiler, 2012): Adagrad with moving averages, and steps in the units of theta.

    Algorithm::

        v     = rho * v + (1 - rho) * g**2           (square_avg)
        d     = sqrt(u + eps) / sqrt(v + eps) * g
        u     = rho * u + (1 - rho) * d**2           (acc_delta: averages d, before lr)
        theta = theta - lr * d

    The ratio of the two root-mean-squares sets the step size, so the method
    works with ``lr=1``; torch keeps ``lr`` as an extra factor. ``eps`` also
    sets the size of the first steps.

    {parameters}
    """
    state["step"] = state.get("step", 0) + 1
    square_avg = rho * state.get("square_avg", 0.0) + (1 - rho) * grad * grad
    acc_delta = state.get("acc_delta", np.zeros_like(theta))
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    state["square_avg"] = square_avg
    state["acc_delta"] = rho * acc_delta + (1 - rho) * delta * delta
    return np.subtract(theta, lr * delta, out=out)


@_document
def rmsprop_step(
    theta, grad, state, lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, *, out=None
):
    """RMSprop (Hinton, 2012): divide the gradient by a moving root-mean-square of recent gradients.

    Algorithm::

        v     = alpha * v + (1 - alpha) * g**2          (square_avg)
        m     = alpha * m + (1 - alpha) * g             (grad_avg, centered only)
        r     = sqrt(v - m**2) + eps   if centered,   else sqrt(v) + eps
        b     = momentum * b + g / r                    (momentum_buffer, momentum > 0 only)
        theta = theta - lr * b         if momentum > 0, else theta - lr * g / r

    The centered variant (Graves, 2013) divides by an estimate of the standard
    deviation of the gradient instead of its root-mean-square.

    {parameters}
    """
    state["step"] = state.get("step", 0) + 1
    state["square_avg"] = square_avg = alpha * state.get("square_avg", 0.0) + (1 - alpha) * grad * grad
    if centered:
        state["grad_avg"] = grad_avg = alpha * state.get("grad_avg", 0.0) + (1 - alpha) * grad
        rms = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        rms = np.sqrt(square_avg) + eps
    if momentum > 0:
        state["momentum_buffer"] = buffer = momentum * state.get("momentum_buffer", 0.0) + grad / rms
        return np.subtract(theta, lr * buffer, out=out)
    return np.subtract(theta, lr * grad / rms, out=out)


@_document
def adam_step(theta, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, amsgrad=False, *, out=None):
    """Adam (Kingma and Ba, 2015): momentum on the gradient, RMSprop's scaling, and bias correction.

    Algorithm::

        m     = beta1 * m + (1 - beta1) * g             (exp_avg)
        v     = beta2 * v + (1 - beta2) * g**2          (exp_avg_sq)
        vmax  = max(vmax, v)                            (max_exp_avg_sq, amsgrad only;
                                                         then used in place of v below)
        theta = theta - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Dividing by ``1 - beta**t`` undoes the pull of the zero initial averages
    towards 0 in the first steps. This is Algorithm 1 of the paper; its
    "efficient" variant (used by Keras) adds eps to ``sqrt(v)`` before the
    correction, which differs when eps is not tiny. AMSGrad keeps a coordinate
    whose gradients were once large at small steps after its gradients shrink.

    {parameters}
    """
    beta1, beta2 = betas
    state["step"] = t = state.get("step", 0) + 1
    state["exp_avg"] = m = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * grad
    state["exp_avg_sq"] = v = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad * grad
    if amsgrad:
        state["max_exp_avg_sq"] = v = np.maximum(state.get("max_exp_avg_sq", 0.0), v)
    step = lr / (1 - beta1**t) * m / (np.sqrt(v) / math.sqrt(1 - beta2**t) + eps)
    return np.subtract(theta, step, out=out)


# ------------------------------------------------------------------ base class
class Optimizer:
    """Base class: holds parameter groups and per-parameter state; subclasses define ``step``.

    Parameters
    ----------
    params : iterable of Tensor or iterable of dict
        The tensors to optimize (leaves with ``requires_grad=True``, e.g.
        ``model.parameters()``), or parameter groups: dicts with a "params"
        entry and any hyper-parameters that should differ from ``defaults``
        for those tensors, e.g. ``[{"params": body}, {"params": head, "lr": 0.1}]``.
    defaults : dict
        Hyper-parameter values for groups that do not set their own.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group with "params" (list of Tensor) and every
        hyper-parameter. Values may be changed between steps.
    state : dict
        ``state[param]`` is a dict of what the rule remembers for ``param``
        (arrays of the parameter's shape and dtype, and the int "step").
    defaults : dict
        The constructor's hyper-parameters.
    """

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, (Tensor, dict)):
            raise TypeError(
                f"params given to {name} must be an iterable of Tensors or of dicts (parameter groups), "
                f"got a single {type(params).__name__}; wrap it in a list: [{type(params).__name__.lower()}]"
            )
        self.defaults = dict(defaults)
        self._check_options(self.defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError(
                f"{name} got an empty parameter list; pass model.parameters() or a list of Tensors "
                "created with requires_grad=True"
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group):
        """Add a group of parameters, e.g. layers unfrozen during fine-tuning.

        Parameters
        ----------
        group : dict
            "params" (a Tensor or an iterable of Tensors) and optional
            hyper-parameters; missing ones are taken from ``defaults``.
        """
        name = type(self).__name__
        if not isinstance(group, dict):
            raise TypeError(
                f"{name}: parameter groups must be dicts with a 'params' entry, got {type(group).__name__}; "
                "do not mix Tensors and dicts in one list"
            )
        if "params" not in group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry, got keys {sorted(group)}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for i, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"{name} can only optimize Tensors, but parameter {i} is a {type(param).__name__}"
                )
            if not param.requires_grad:
                raise ValueError(
                    f"{name}: parameter {i} (shape {param.shape}) does not require grad, so it would never "
                    "get a gradient; create it with requires_grad=True"
                )
            if not param.is_leaf:
                raise ValueError(
                    f"{name}: parameter {i} (shape {param.shape}) is the result of the op '{param.op}', "
                    "not a leaf tensor; optimize the tensors it was computed from"
                )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError(
                f"{name}: some parameters appear more than once; give each tensor to one group only"
            )

        full = {**self.defaults, **group, "params": params}
        self._check_options(full)
        self.param_groups.append(full)

    def _check_options(self, options):
        """Raise a clear error for a hyper-parameter out of its range (see ``_RANGES``)."""
        name = type(self).__name__
        for option, value in options.items():
            if option == "betas":
                if not isinstance(value, (tuple, list)) or len(value) != 2:
                    raise ValueError(
                        f"The 'betas' parameter of {name} must be a pair (beta1, beta2) of floats in [0, 1). "
                        f"Got {value!r} instead."
                    )
                check_real(value[0], "betas[0]", name, 0, 1)
                check_real(value[1], "betas[1]", name, 0, 1)
            elif option in _RANGES:
                check_real(value, option, name, *_RANGES[option])

    def zero_grad(self, set_to_none=True):
        """Forget the gradients before the next ``backward``, which would otherwise add to them.

        Parameters
        ----------
        set_to_none : bool, default True
            Set ``.grad`` to None (as torch does by default) rather than fill it
            with zeros; a parameter with ``grad=None`` is skipped by ``step``.
        """
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad[...] = 0

    def step(self):
        """Update every parameter that has a gradient, in place, by the optimizer's rule."""
        for param, grad, state, options in self._gradients():
            self.rule(param.data, grad, state, options, out=param.data)

    def rule(self, theta, grad, state, options, out):
        """Write the new value of one parameter into ``out``: ``update_rule`` with the group's ``options``.

        Every hyper-parameter but ``weight_decay`` (which :meth:`step` has applied) is passed on.
        """
        hyper = {name: options[name] for name in self.defaults if name != "weight_decay"}
        return type(self).update_rule(theta, grad, state, **hyper, out=out)

    def _gradients(self):
        """Yield ``(param, g, state, options)`` for each parameter whose ``.grad`` is set.

        ``g`` is ``param.grad`` (never modified in place) plus
        ``weight_decay * param`` when the group asks for weight decay; ``options``
        are the group's hyper-parameters as Python numbers.
        """
        for group in self.param_groups:
            options = _python_numbers(group)
            options.pop("params")
            weight_decay = options.get("weight_decay", 0.0)
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = np.asarray(param.grad, dtype=param.data.dtype)
                if grad.shape != param.data.shape:
                    raise ValueError(
                        f"{type(self).__name__}: a parameter of shape {param.data.shape} has a gradient "
                        f"of shape {grad.shape}; they must match"
                    )
                if weight_decay:
                    grad = grad + weight_decay * param.data
                yield param, grad, self.state[param], options

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params")
        return "\n".join(lines) + "\n)"


def _python_numbers(group):
    """The group's options with numpy scalars made Python numbers.

    Under numpy 2 an ``np.float64`` times a float32 array is float64, while a
    Python float keeps the array's dtype; this keeps float32 models float32 even
    when a schedule writes ``np.float64`` learning rates into ``param_groups``.
    """

    def plain(value):
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, tuple):
            return tuple(plain(v) for v in value)
        return value

    return {key: plain(value) for key, value in group.items()}


# The range of each hyper-parameter, as (low, high, low_open, high_open) for check_real.
_RANGES = {
    "lr": (0, math.inf),
    "weight_decay": (0, math.inf),
    "momentum": (0, 1),
    "dampening": (0, 1, False, False),
    "lr_decay": (0, math.inf),
    "initial_accumulator_value": (0, math.inf),
    "rho": (0, 1),
    "alpha": (0, 1),
    "eps": (0, math.inf, True),
}


# ------------------------------------------------------------------ optimizers
@_document
class SGD(Optimizer):
    """Stochastic gradient descent: :func:`sgd_step`, or :func:`momentum_step` when ``momentum > 0``.

    {parameters}
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay
        )
        super().__init__(params, defaults)

    def _check_options(self, options):
        super()._check_options(options)
        if options["nesterov"] and (options["momentum"] == 0 or options["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum needs momentum > 0 and dampening == 0; "
                f"got momentum={options['momentum']!r}, dampening={options['dampening']!r}"
            )

    def rule(self, theta, grad, state, options, out):
        if options["momentum"] == 0:
            return sgd_step(theta, grad, state, options["lr"], out=out)
        return momentum_step(
            theta,
            grad,
            state,
            options["lr"],
            options["momentum"],
            options["dampening"],
            options["nesterov"],
            out=out,
        )


@_document
class Adagrad(Optimizer):
    """Adagrad: :func:`adagrad_step` on every parameter.

    {parameters}
    """

    update_rule = adagrad_step

    def __init__(
        self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10
    ):
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        super().__init__(params, defaults)


@_document
class Adadelta(Optimizer):
    """Adadelta: :func:`adadelta_step` on every parameter.

    {parameters}
    """

    update_rule = adadelta_step

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))


@_document
class RMSprop(Optimizer):
    """RMSprop: :func:`rmsprop_step` on every parameter.

    {parameters}
    """

    update_rule = rmsprop_step

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        defaults = dict(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered
        )
        super().__init__(params, defaults)


@_document
class Adam(Optimizer):
    """Adam, or AMSGrad with ``amsgrad=True``: :func:`adam_step` on every parameter.

    {parameters}
    """

    update_rule = adam_step

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        super().__init__(
            params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        )


@_document
class AMSGrad(Adam):
    """AMSGrad: the same as ``Adam(params, ..., amsgrad=True)``, see :func:`adam_step`.

    {parameters}
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=True)


# Schedules live in their own module; importing it here makes ``nnlib.optim.lr_scheduler.StepLR``
# work as ``torch.optim.lr_scheduler.StepLR`` does. Last, since lr_scheduler needs Optimizer.
from nnlib import lr_scheduler  # noqa: E402

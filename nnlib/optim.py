"""Gradient-based optimizers with the names, defaults and update rules of ``torch.optim``.

An optimizer holds the parameters of a model and, on every :meth:`Optimizer.step`,
moves each one against its gradient ``param.grad``::

    optimizer = nnlib.optim.Adam(model.parameters(), lr=1e-3)
    for X, y in nnlib.data.batches(X_train, y_train, batch_size=32):
        optimizer.zero_grad()
        loss = nnlib.losses.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()

Every class below writes its update rule in its docstring and in ``step()``,
where ``g`` is the gradient plus ``weight_decay * theta`` (L2 regularisation)
and ``t = 1, 2, ...`` counts the steps taken. The numbers a rule remembers
between steps live in ``optimizer.state[param]`` under the names torch uses
("momentum_buffer", "sum", "square_avg", "acc_delta", "grad_avg", "exp_avg",
"exp_avg_sq", "max_exp_avg_sq", "step"), so they can be inspected and plotted.

Hyper-parameters live in ``optimizer.param_groups``, a list of dicts; changing
``optimizer.param_groups[0]["lr"]`` between steps changes the next step, which
is how learning-rate schedules work. State and updates keep each parameter's
dtype: a float32 model stays float32.
"""

from __future__ import annotations

import math
import numbers
from collections import defaultdict

import numpy as np

from nnlib.tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AMSGrad"]


# ----------------------------------------------------------------- validation
def _check_number(owner, name, value, low, high=math.inf, include_low=True, include_high=False):
    """Raise if ``value`` is not a real number in the interval from ``low`` to ``high``."""
    interval = f"{'[' if include_low else '('}{low:g}, {high:g}{']' if include_high else ')'}"
    message = f"The {name!r} parameter of {owner} must be a float in the range {interval}. Got {value!r}"
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{message} of type {type(value).__name__} instead.")
    above_low = value >= low if include_low else value > low
    below_high = value <= high if include_high else value < high
    if not (above_low and below_high):  # also rejects NaN
        raise ValueError(f"{message} instead.")


def _non_negative(owner, options, name):
    _check_number(owner, name, options[name], 0)


def _positive(owner, options, name):
    _check_number(owner, name, options[name], 0, include_low=False)


def _fraction(owner, options, name):
    """A decay or momentum factor: at least 0 and below 1, or the average never forgets."""
    _check_number(owner, name, options[name], 0, 1)


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

    return {key: plain(value) for key, value in group.items() if key != "params"}


def _buffer(state, name, like, fill=0.0):
    """``state[name]``, created on first use as an array shaped and typed like ``like``."""
    buffer = state.get(name)
    if buffer is None:
        buffer = state[name] = np.full_like(like, fill)
    return buffer


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
        """Raise a clear error for hyper-parameters out of range (subclasses add their own)."""
        _non_negative(type(self).__name__, options, "lr")

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
        """Update every parameter that has a gradient (defined by each optimizer)."""
        raise NotImplementedError(f"{type(self).__name__} does not define step()")

    def _gradients(self):
        """Yield ``(param, g, state, options)`` for each parameter whose ``.grad`` is set.

        ``g`` is ``param.grad`` (never modified in place) plus
        ``weight_decay * param`` when the group asks for weight decay; ``options``
        are the group's hyper-parameters as Python numbers.
        """
        for group in self.param_groups:
            options = _python_numbers(group)
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


# ------------------------------------------------------------------ optimizers
class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Update rule (torch's form)::

        b     = g                                 on the first step
        b     = momentum * b + (1 - dampening) * g   afterwards
        d     = g + momentum * b   if nesterov,   else b   (d = g without momentum)
        theta = theta - lr * d

    The textbook form ``v = momentum * v - lr * g; theta = theta + v`` gives the
    same steps (``v = -lr * b``) as long as ``lr`` stays constant; after a change
    of ``lr`` the textbook velocity still carries the old rate, torch's does not.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups, see :class:`Optimizer`.
    lr : float, default 1e-3
        Learning rate, >= 0.
    momentum : float, default 0
        Momentum factor in [0, 1).
    dampening : float, default 0
        Damping of the new gradient in the momentum buffer, in [0, 1]; not
        applied on the first step.
    nesterov : bool, default False
        Use Nesterov momentum (Sutskever et al., 2013); needs ``momentum > 0``
        and ``dampening == 0``.
    weight_decay : float, default 0
        L2 penalty coefficient, >= 0.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay
        )
        super().__init__(params, defaults)

    def _check_options(self, options):
        super()._check_options(options)
        name = type(self).__name__
        _fraction(name, options, "momentum")
        _check_number(name, "dampening", options["dampening"], 0, 1, include_high=True)
        _non_negative(name, options, "weight_decay")
        if options["nesterov"] and (options["momentum"] == 0 or options["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum needs momentum > 0 and dampening == 0; "
                f"got momentum={options['momentum']!r}, dampening={options['dampening']!r}"
            )

    def step(self):
        """Take one step: ``theta -= lr * d`` with ``d`` as in the class docstring."""
        for param, grad, state, group in self._gradients():
            momentum = group["momentum"]
            if momentum:
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = grad.copy()
                else:
                    buffer *= momentum
                    buffer += (1 - group["dampening"]) * grad
                grad = grad + momentum * buffer if group["nesterov"] else buffer
            param.data -= group["lr"] * grad


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011): a per-coordinate rate that shrinks with the gradients seen.

    Update rule::

        s     = s + g**2                     (s starts at initial_accumulator_value)
        lr_t  = lr / (1 + (t - 1) * lr_decay)
        theta = theta - lr_t * g / (sqrt(s) + eps)

    Coordinates with large past gradients take small steps; rarely active ones
    keep large steps. Since ``s`` only grows, the steps shrink towards zero.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups, see :class:`Optimizer`.
    lr : float, default 1e-2
        Learning rate, >= 0.
    lr_decay : float, default 0
        Learning-rate decay per step, >= 0.
    weight_decay : float, default 0
        L2 penalty coefficient, >= 0.
    initial_accumulator_value : float, default 0
        Starting value of the sum of squared gradients, >= 0.
    eps : float, default 1e-10
        Added to the denominator (outside the square root), > 0.
    """

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

    def _check_options(self, options):
        super()._check_options(options)
        name = type(self).__name__
        for option in ("lr_decay", "weight_decay", "initial_accumulator_value"):
            _non_negative(name, options, option)
        _positive(name, options, "eps")

    def step(self):
        """Take one step: ``theta -= lr_t * g / (sqrt(s) + eps)``."""
        for param, grad, state, group in self._gradients():
            state["step"] = t = state.get("step", 0) + 1
            squares = _buffer(state, "sum", param.data, group["initial_accumulator_value"])
            squares += grad * grad
            lr_t = group["lr"] / (1 + (t - 1) * group["lr_decay"])
            denom = np.sqrt(squares)
            denom += group["eps"]
            param.data -= lr_t * grad / denom


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): Adagrad with moving averages, and steps in the units of theta.

    Update rule::

        v     = rho * v + (1 - rho) * g**2           (square_avg)
        d     = sqrt(u + eps) / sqrt(v + eps) * g
        u     = rho * u + (1 - rho) * d**2           (acc_delta: averages d, before lr)
        theta = theta - lr * d

    The ratio of the two root-mean-squares sets the step size, so the method
    works with ``lr=1``; torch keeps ``lr`` as an extra factor.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups, see :class:`Optimizer`.
    lr : float, default 1.0
        Factor applied to ``d``, >= 0.
    rho : float, default 0.9
        Decay of both moving averages, in [0, 1).
    eps : float, default 1e-6
        Added inside both square roots, > 0; it also sets the size of the first steps.
    weight_decay : float, default 0
        L2 penalty coefficient, >= 0.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def _check_options(self, options):
        super()._check_options(options)
        name = type(self).__name__
        _fraction(name, options, "rho")
        _positive(name, options, "eps")
        _non_negative(name, options, "weight_decay")

    def step(self):
        """Take one step: ``theta -= lr * sqrt(u + eps) / sqrt(v + eps) * g``."""
        for param, grad, state, group in self._gradients():
            rho, eps = group["rho"], group["eps"]
            state["step"] = state.get("step", 0) + 1
            square_avg = _buffer(state, "square_avg", param.data)
            acc_delta = _buffer(state, "acc_delta", param.data)
            square_avg *= rho
            square_avg += (1 - rho) * grad * grad
            delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
            acc_delta *= rho
            acc_delta += (1 - rho) * delta * delta
            param.data -= group["lr"] * delta


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012): divide the gradient by a moving root-mean-square of recent gradients.

    Update rule::

        v     = alpha * v + (1 - alpha) * g**2          (square_avg)
        m     = alpha * m + (1 - alpha) * g             (grad_avg, centered only)
        r     = sqrt(v - m**2) + eps   if centered,   else sqrt(v) + eps
        b     = momentum * b + g / r                    (momentum_buffer, momentum > 0 only)
        theta = theta - lr * b         if momentum > 0, else theta - lr * g / r

    The centered variant (Graves, 2013) divides by an estimate of the standard
    deviation of the gradient instead of its root-mean-square.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups, see :class:`Optimizer`.
    lr : float, default 1e-2
        Learning rate, >= 0.
    alpha : float, default 0.99
        Decay of the moving averages, in [0, 1).
    eps : float, default 1e-8
        Added to the denominator (outside the square root), > 0.
    weight_decay : float, default 0
        L2 penalty coefficient, >= 0.
    momentum : float, default 0
        Momentum factor in [0, 1).
    centered : bool, default False
        Subtract the squared mean gradient inside the square root.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        defaults = dict(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered
        )
        super().__init__(params, defaults)

    def _check_options(self, options):
        super()._check_options(options)
        name = type(self).__name__
        _fraction(name, options, "alpha")
        _positive(name, options, "eps")
        _non_negative(name, options, "weight_decay")
        _fraction(name, options, "momentum")

    def step(self):
        """Take one step: ``theta -= lr * g / r`` (or ``lr * b`` with momentum)."""
        for param, grad, state, group in self._gradients():
            alpha = group["alpha"]
            state["step"] = state.get("step", 0) + 1
            square_avg = _buffer(state, "square_avg", param.data)
            square_avg *= alpha
            square_avg += (1 - alpha) * grad * grad
            if group["centered"]:
                grad_avg = _buffer(state, "grad_avg", param.data)
                grad_avg *= alpha
                grad_avg += (1 - alpha) * grad
                rms = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                rms = np.sqrt(square_avg)
            rms += group["eps"]
            if group["momentum"] > 0:
                buffer = _buffer(state, "momentum_buffer", param.data)
                buffer *= group["momentum"]
                buffer += grad / rms
                param.data -= group["lr"] * buffer
            else:
                param.data -= group["lr"] * grad / rms


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum on the gradient, RMSprop's scaling, and bias correction.

    Update rule::

        m     = beta1 * m + (1 - beta1) * g             (exp_avg)
        v     = beta2 * v + (1 - beta2) * g**2          (exp_avg_sq)
        vmax  = max(vmax, v)                            (max_exp_avg_sq, amsgrad only;
                                                         then used in place of v below)
        theta = theta - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Dividing by ``1 - beta**t`` undoes the pull of the zero initial averages
    towards 0 in the first steps. This is Algorithm 1 of the paper; its
    "efficient" variant (used by Keras) adds eps to ``sqrt(v)`` before the
    correction, which differs when eps is not tiny.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups, see :class:`Optimizer`.
    lr : float, default 1e-3
        Learning rate, >= 0.
    betas : (float, float), default (0.9, 0.999)
        Decays of ``m`` and ``v``, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator (outside the square root), > 0.
    weight_decay : float, default 0
        L2 penalty coefficient, >= 0 (added to the gradient, as in torch's
        Adam; AdamW's decoupled decay is not provided).
    amsgrad : bool, default False
        Use the running maximum of ``v`` (Reddi, Kale and Kumar, 2018), see :class:`AMSGrad`.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        super().__init__(
            params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        )

    def _check_options(self, options):
        super()._check_options(options)
        name = type(self).__name__
        betas = options["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(
                f"The 'betas' parameter of {name} must be a pair (beta1, beta2) of floats in [0, 1). "
                f"Got {betas!r} instead."
            )
        _check_number(name, "betas[0]", betas[0], 0, 1)
        _check_number(name, "betas[1]", betas[1], 0, 1)
        _positive(name, options, "eps")
        _non_negative(name, options, "weight_decay")

    def step(self):
        """Take one step: ``theta -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``."""
        for param, grad, state, group in self._gradients():
            beta1, beta2 = group["betas"]
            state["step"] = t = state.get("step", 0) + 1
            exp_avg = _buffer(state, "exp_avg", param.data)
            exp_avg_sq = _buffer(state, "exp_avg_sq", param.data)
            exp_avg *= beta1
            exp_avg += (1 - beta1) * grad
            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * grad * grad
            if group["amsgrad"]:
                max_exp_avg_sq = _buffer(state, "max_exp_avg_sq", param.data)
                np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
                denom = np.sqrt(max_exp_avg_sq)
            else:
                denom = np.sqrt(exp_avg_sq)
            denom /= math.sqrt(1 - beta2**t)
            denom += group["eps"]
            step_size = group["lr"] / (1 - beta1**t)
            param.data -= step_size * exp_avg / denom


class AMSGrad(Adam):
    """AMSGrad (Reddi, Kale and Kumar, 2018): Adam that never lets ``v`` decrease.

    Same as ``Adam(params, ..., amsgrad=True)``: ``vmax = max(vmax, v)`` replaces
    ``v`` in the denominator, so a coordinate whose gradients were once large
    keeps small steps after its gradients shrink. See :class:`Adam` for the
    rule and the parameters.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=True)

"""Tests of nnlib.optim: hand-computed steps, bookkeeping, input checks, and torch.optim as the oracle."""

import inspect
import math

import numpy as np
import pytest

from nnlib import Tensor, optim

OPTIMIZERS = [optim.SGD, optim.Adagrad, optim.Adadelta, optim.RMSprop, optim.Adam, optim.AMSGrad]


def parameter(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


# --------------------------------------------------------------- a small problem
# Least squares for a linear model y = x W^T + b on 8 points, plus a fixed
# "minibatch noise" term that is large for the first steps and small afterwards,
# so that squared-gradient averages grow and then shrink (which separates
# AMSGrad from Adam). Gradients are computed here in float64 from each
# optimizer's own parameters, then cast to the parameters' dtype.
STEPS = 60
LR_CHANGE_STEP, LR_FACTOR = 30, 0.3  # an lr change mid-run, as a schedule would make
_rng = np.random.default_rng(12)
X, Y = _rng.normal(size=(8, 3)), _rng.normal(size=(8, 2))
W_START, B_START = _rng.normal(size=(2, 3)), _rng.normal(size=(2,))
NOISE_W, NOISE_B = _rng.normal(size=(STEPS, 2, 3)), _rng.normal(size=(STEPS, 2))
# beta2 = 0.9 forgets fast enough for v to shrink well below its maximum within the run
AMSGRAD_OPTIONS = dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3)


def problem_gradients(weight, bias, t):
    """Gradients (for W of shape (2, 3), b of shape (2,)) at step t = 0, 1, ..."""
    weight, bias = np.asarray(weight, dtype=np.float64), np.asarray(bias, dtype=np.float64)
    residual = X @ weight.T + bias - Y
    noise = 2.0 if t < 20 else 0.2
    return residual.T @ X / len(X) + noise * NOISE_W[t], residual.mean(axis=0) + noise * NOISE_B[t]


def nnlib_trajectory(make_optimizer, dtype, steps=STEPS):
    """Parameters and state after each step: a list of dicts name -> array ("step" -> int)."""
    # astype copies: the optimizer updates the parameters' arrays in place
    weight = Tensor(W_START.astype(dtype), requires_grad=True)
    bias = Tensor(B_START.astype(dtype), requires_grad=True)
    optimizer = make_optimizer([weight, bias])
    history = []
    for t in range(steps):
        if t == LR_CHANGE_STEP:
            optimizer.param_groups[0]["lr"] *= LR_FACTOR
        grad_w, grad_b = problem_gradients(weight.data, bias.data, t)
        weight.grad, bias.grad = grad_w.astype(dtype), grad_b.astype(dtype)
        optimizer.step()
        snapshot = {"weight": weight.data.copy(), "bias": bias.data.copy()}
        for name, param in (("weight", weight), ("bias", bias)):
            for key, value in optimizer.state[param].items():
                snapshot[f"{name}.{key}"] = value if key == "step" else value.copy()
        history.append(snapshot)
    return history


def torch_trajectory(name, kwargs, dtype, steps=STEPS):
    torch = pytest.importorskip("torch")
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    weight = torch.tensor(W_START, dtype=torch_dtype, requires_grad=True)
    bias = torch.tensor(B_START, dtype=torch_dtype, requires_grad=True)
    optimizer = getattr(torch.optim, name)([weight, bias], **kwargs)
    history = []
    for t in range(steps):
        if t == LR_CHANGE_STEP:
            optimizer.param_groups[0]["lr"] *= LR_FACTOR
        grad_w, grad_b = problem_gradients(weight.detach().numpy(), bias.detach().numpy(), t)
        weight.grad, bias.grad = (
            torch.from_numpy(grad_w.astype(dtype)),
            torch.from_numpy(grad_b.astype(dtype)),
        )
        optimizer.step()
        snapshot = {"weight": weight.detach().numpy().copy(), "bias": bias.detach().numpy().copy()}
        for param_name, param in (("weight", weight), ("bias", bias)):
            for key, value in optimizer.state.get(param, {}).items():
                if value is not None:
                    snapshot[f"{param_name}.{key}"] = int(value) if key == "step" else value.numpy().copy()
        history.append(snapshot)
    return history


def largest_relative_error(history, reference):
    """Max over steps and quantities of |ours - reference| / (largest |reference| of that quantity).

    Rounding errors are proportional to the magnitudes a quantity has passed
    through, so each error is measured against that quantity's own scale.
    """
    assert [sorted(s) for s in history] == [sorted(s) for s in reference], "different state entries"
    worst = 0.0
    for key in reference[0]:
        if key.endswith(".step"):
            assert [s[key] for s in history] == [s[key] for s in reference]
            continue
        scale = max(np.abs(s[key]).max() for s in reference)
        error = max(np.abs(ours[key] - ref[key]).max() for ours, ref in zip(history, reference))
        worst = max(worst, error / scale)
    return worst


# ----------------------------------------------------- one step, by hand
THETA = np.array([1.0, -2.0, 0.5, 0.0])
GRAD = np.array([0.3, -4.0, 0.0, 1e-4])

HAND_STEPS = {
    "SGD": (lambda p: optim.SGD(p, lr=0.1), lambda th, g: th - 0.1 * g),
    "SGD weight decay": (
        lambda p: optim.SGD(p, lr=0.1, weight_decay=0.01),
        lambda th, g: th - 0.1 * (g + 0.01 * th),
    ),
    # the first momentum step copies the gradient into the buffer: no dampening yet
    "SGD momentum dampening": (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.5),
        lambda th, g: th - 0.1 * g,
    ),
    "SGD nesterov": (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        lambda th, g: th - 0.1 * (g + 0.9 * g),
    ),
    "Adagrad": (
        lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.5, initial_accumulator_value=0.5, eps=1e-3),
        lambda th, g: th - 0.1 * g / (np.sqrt(0.5 + g**2) + 1e-3),
    ),
    "Adadelta": (
        lambda p: optim.Adadelta(p, lr=0.5, rho=0.8, eps=1e-3),
        lambda th, g: th - 0.5 * np.sqrt(1e-3) / np.sqrt(0.2 * g**2 + 1e-3) * g,
    ),
    "RMSprop": (
        lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-3),
        lambda th, g: th - 0.01 * g / (np.sqrt(0.1 * g**2) + 1e-3),
    ),
    # centered: v - m^2 = 0.1 g^2 - (0.1 g)^2 = 0.09 g^2
    "RMSprop centered momentum": (
        lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-3, centered=True, momentum=0.5),
        lambda th, g: th - 0.01 * g / (0.3 * np.abs(g) + 1e-3),
    ),
    # bias correction turns the first m and v into g and g^2
    "Adam": (
        lambda p: optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-3),
        lambda th, g: th - 0.05 * g / (np.abs(g) + 1e-3),
    ),
    "AMSGrad": (
        lambda p: optim.AMSGrad(p, lr=0.05, betas=(0.8, 0.99), eps=1e-3),
        lambda th, g: th - 0.05 * g / (np.abs(g) + 1e-3),
    ),
}


@pytest.mark.parametrize("case", HAND_STEPS)
def test_first_step_matches_the_formula(case):
    make, expected = HAND_STEPS[case]
    param = parameter(THETA)
    param.grad = GRAD.copy()
    make([param]).step()
    np.testing.assert_allclose(param.data, expected(THETA, GRAD), rtol=1e-12, atol=1e-15)


def test_sgd_momentum_second_step_dampens_the_new_gradient():
    param = parameter(THETA)
    optimizer = optim.SGD([param], lr=0.1, momentum=0.9, dampening=0.5)
    g1, g2 = GRAD, np.array([1.0, 1.0, -2.0, 0.5])
    param.grad = g1.copy()
    optimizer.step()
    param.grad = g2.copy()
    optimizer.step()
    buffer = 0.9 * g1 + 0.5 * g2
    np.testing.assert_allclose(optimizer.state[param]["momentum_buffer"], buffer, rtol=1e-12)
    np.testing.assert_allclose(param.data, THETA - 0.1 * g1 - 0.1 * buffer, rtol=1e-12)


def test_adagrad_decays_the_rate_from_the_second_step():
    param = parameter(THETA)
    optimizer = optim.Adagrad([param], lr=0.1, lr_decay=0.5, eps=1e-3)
    g1, g2 = GRAD, np.array([1.0, 1.0, -2.0, 0.5])
    for g in (g1, g2):
        param.grad = g.copy()
        optimizer.step()
    after_one = THETA - 0.1 * g1 / (np.abs(g1) + 1e-3)
    expected = after_one - 0.1 / 1.5 * g2 / (np.sqrt(g1**2 + g2**2) + 1e-3)
    np.testing.assert_allclose(param.data, expected, rtol=1e-12)


def test_sgd_with_autograd_reaches_the_least_squares_solution():
    rng = np.random.default_rng(3)
    inputs, targets = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    weight = Tensor(np.zeros((3, 1)), requires_grad=True)
    optimizer = optim.SGD([weight], lr=0.1, momentum=0.5)
    for _ in range(300):
        optimizer.zero_grad()
        loss = ((Tensor(inputs) @ weight - targets) ** 2).mean()
        loss.backward()
        optimizer.step()
    solution = np.linalg.lstsq(inputs, targets, rcond=None)[0]
    np.testing.assert_allclose(weight.data, solution, atol=1e-6)


# --------------------------------------------------------------- bookkeeping
ALL_OPTIONS = {
    "SGD": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    "Adagrad": lambda p: optim.Adagrad(p, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1),
    "Adadelta": lambda p: optim.Adadelta(p, weight_decay=0.1),
    "RMSprop": lambda p: optim.RMSprop(p, momentum=0.5, centered=True, weight_decay=0.1),
    "Adam": lambda p: optim.Adam(p, weight_decay=0.1, amsgrad=True),
}
STATE_NAMES = {
    "SGD": {"momentum_buffer"},
    "Adagrad": {"step", "sum"},
    "Adadelta": {"step", "square_avg", "acc_delta"},
    "RMSprop": {"step", "square_avg", "grad_avg", "momentum_buffer"},
    "Adam": {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
}


@pytest.mark.parametrize("name", ALL_OPTIONS)
def test_float32_parameters_keep_float32_state_and_updates(name):
    param = parameter(THETA, dtype=np.float32)
    optimizer = ALL_OPTIONS[name]([param])
    original = param.data
    for step in range(3):
        # a schedule computed with numpy writes np.float64 values into the groups
        optimizer.param_groups[0]["lr"] = np.float64(0.01) * (step + 1)
        optimizer.param_groups[0]["weight_decay"] = np.float64(0.1)
        param.grad = GRAD.astype(np.float32)
        optimizer.step()
    assert param.data is original, "the update must happen in place, so models see it"
    assert param.data.dtype == np.float32 and param.grad.dtype == np.float32
    for key, value in optimizer.state[param].items():
        assert key == "step" or value.dtype == np.float32, key
    assert not np.array_equal(param.data, THETA.astype(np.float32))


@pytest.mark.parametrize("name", ALL_OPTIONS)
def test_state_entries_have_torch_names(name):
    param = parameter(THETA)
    optimizer = ALL_OPTIONS[name]([param])
    for _ in range(2):
        param.grad = GRAD.copy()
        optimizer.step()
    assert set(optimizer.state[param]) == STATE_NAMES[name]
    if "step" in STATE_NAMES[name]:
        assert optimizer.state[param]["step"] == 2


@pytest.mark.parametrize("name", ALL_OPTIONS)
def test_step_does_not_change_the_gradient(name):
    param = parameter(THETA)
    optimizer = ALL_OPTIONS[name]([param])
    param.grad = GRAD.copy()
    optimizer.step()
    np.testing.assert_array_equal(param.grad, GRAD)


def test_amsgrad_is_adam_with_amsgrad():
    ours = nnlib_trajectory(lambda p: optim.AMSGrad(p, **AMSGRAD_OPTIONS), np.float64)
    adam = nnlib_trajectory(lambda p: optim.Adam(p, **AMSGRAD_OPTIONS, amsgrad=True), np.float64)
    plain = nnlib_trajectory(lambda p: optim.Adam(p, **AMSGRAD_OPTIONS), np.float64)
    assert largest_relative_error(ours, adam) == 0
    # on this problem the squared-gradient average shrinks, so the maximum matters
    final = ours[-1]
    assert np.all(final["weight.max_exp_avg_sq"] > 2 * final["weight.exp_avg_sq"])
    assert not np.allclose(ours[-1]["weight"], plain[-1]["weight"], rtol=1e-3)


def test_param_groups_take_their_own_options():
    a, b = parameter(THETA), parameter(-THETA)
    grouped = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.0}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in grouped.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in grouped.param_groups] == [0.9, 0.0]
    assert grouped.param_groups[1]["params"] == [b]
    a_alone, b_alone = parameter(THETA), parameter(-THETA)
    separate = [optim.SGD([a_alone], lr=0.1, momentum=0.9), optim.SGD([b_alone], lr=0.5)]
    for step in range(4):
        g = GRAD * (step + 1)
        a.grad, b.grad, a_alone.grad, b_alone.grad = g, -g, g, -g
        grouped.step()
        for optimizer in separate:
            optimizer.step()
    np.testing.assert_array_equal(a.data, a_alone.data)
    np.testing.assert_array_equal(b.data, b_alone.data)


def test_changing_lr_between_steps_takes_effect():
    param = parameter(THETA)
    optimizer = optim.Adam([param], lr=0.1)
    param.grad = GRAD.copy()
    optimizer.param_groups[0]["lr"] = 0.0
    optimizer.step()
    np.testing.assert_array_equal(param.data, THETA)
    optimizer.param_groups[0]["lr"] = 0.1
    optimizer.step()
    assert not np.array_equal(param.data, THETA)


def test_add_param_group_fills_defaults():
    first, second = parameter(THETA), parameter(THETA)
    optimizer = optim.RMSprop([first], lr=0.1, alpha=0.9)
    optimizer.add_param_group({"params": [second], "lr": 0.2})
    assert optimizer.param_groups[1]["lr"] == 0.2 and optimizer.param_groups[1]["alpha"] == 0.9


def test_zero_grad_sets_gradients_to_none_or_zero():
    params = [parameter(THETA), parameter(THETA, dtype=np.float32)]
    optimizer = optim.SGD(params, lr=0.1)
    for p in params:
        p.grad = np.ones_like(p.data)
    optimizer.zero_grad(set_to_none=False)
    for p in params:
        assert p.grad.dtype == p.data.dtype
        np.testing.assert_array_equal(p.grad, 0)
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


@pytest.mark.parametrize("name", ALL_OPTIONS)
def test_parameters_without_gradient_are_skipped(name):
    used, unused = parameter(THETA), parameter(THETA)
    optimizer = ALL_OPTIONS[name]([used, unused])
    used.grad = GRAD.copy()
    optimizer.step()
    np.testing.assert_array_equal(unused.data, THETA)
    assert not optimizer.state.get(unused)
    assert not np.array_equal(used.data, THETA)


def test_repr_lists_the_options():
    text = repr(optim.Adam([parameter(THETA)], lr=0.01))
    assert "Adam" in text and "lr: 0.01" in text and "betas: (0.9, 0.999)" in text


# --------------------------------------------------------------- bad input
def make_with(cls, **kwargs):
    return lambda: cls([parameter(THETA)], **kwargs)


def non_leaf():
    leaf = parameter(THETA)
    return leaf * 2


BAD_INPUTS = [
    *[(make_with(cls, lr=-0.1), ValueError, "'lr' parameter of " + cls.__name__) for cls in OPTIMIZERS],
    (
        make_with(optim.SGD, lr=float("nan")),
        ValueError,
        "'lr' parameter of SGD must be a float in the range [0, inf)",
    ),
    (make_with(optim.SGD, lr="0.1"), TypeError, "'lr' parameter of SGD must be a float"),
    (
        make_with(optim.SGD, momentum=1.0),
        ValueError,
        "'momentum' parameter of SGD must be a float in the range [0, 1)",
    ),
    (make_with(optim.SGD, momentum=0.5, dampening=1.5), ValueError, "'dampening'"),
    (make_with(optim.SGD, weight_decay=-1e-4), ValueError, "'weight_decay' parameter of SGD"),
    (make_with(optim.SGD, nesterov=True), ValueError, "Nesterov momentum needs momentum > 0"),
    (make_with(optim.SGD, nesterov=True, momentum=0.9, dampening=0.1), ValueError, "dampening == 0"),
    (make_with(optim.RMSprop, momentum=-0.1), ValueError, "'momentum' parameter of RMSprop"),
    (
        make_with(optim.RMSprop, alpha=1.0),
        ValueError,
        "'alpha' parameter of RMSprop must be a float in the range [0, 1)",
    ),
    (
        make_with(optim.Adadelta, rho=1.0),
        ValueError,
        "'rho' parameter of Adadelta must be a float in the range [0, 1)",
    ),
    (
        make_with(optim.Adam, betas=(0.9, 1.0)),
        ValueError,
        "'betas[1]' parameter of Adam must be a float in the range",
    ),
    (make_with(optim.Adam, betas=(-0.1, 0.999)), ValueError, "'betas[0]' parameter of Adam"),
    (make_with(optim.AMSGrad, betas=0.9), ValueError, "'betas' parameter of AMSGrad must be a pair"),
    (make_with(optim.Adagrad, lr_decay=-0.1), ValueError, "'lr_decay' parameter of Adagrad"),
    (make_with(optim.Adagrad, initial_accumulator_value=-1.0), ValueError, "'initial_accumulator_value'"),
    *[
        (
            make_with(cls, eps=eps),
            ValueError,
            f"'eps' parameter of {cls.__name__} must be a float in the range (0, inf)",
        )
        for cls in OPTIMIZERS[1:]
        for eps in (0.0, -1e-8)
    ],
    (lambda: optim.SGD([]), ValueError, "SGD got an empty parameter list"),
    (lambda: optim.Adam(p for p in []), ValueError, "Adam got an empty parameter list"),
    (lambda: optim.SGD(parameter(THETA)), TypeError, "got a single Tensor; wrap it in a list"),
    (lambda: optim.SGD([THETA.copy()]), TypeError, "can only optimize Tensors, but parameter 0 is a ndarray"),
    (lambda: optim.SGD([Tensor(THETA)]), ValueError, "parameter 0 (shape (4,)) does not require grad"),
    (lambda: optim.SGD([non_leaf()]), ValueError, "not a leaf tensor"),
    (lambda: optim.SGD([{"lr": 0.1}]), ValueError, "a parameter group needs a 'params' entry"),
    (lambda: optim.SGD([{"params": [parameter(THETA)]}, parameter(THETA)]), TypeError, "must be dicts"),
    (lambda: optim.SGD([{"params": [parameter(THETA)], "lr": -1.0}]), ValueError, "'lr' parameter of SGD"),
]


def _duplicated():
    p = parameter(THETA)
    return optim.SGD([{"params": [p]}, {"params": [p]}])


BAD_INPUTS.append((_duplicated, ValueError, "some parameters appear more than once"))


@pytest.mark.parametrize("make, error, message", BAD_INPUTS)
def test_bad_input_gets_a_clear_error(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert message in str(info.value)


def test_gradient_of_the_wrong_shape_is_reported():
    param = parameter(THETA)
    param.grad = np.ones(3)
    with pytest.raises(ValueError, match=r"shape \(4,\) has a gradient of shape \(3,\)"):
        optim.Adam([param]).step()


# ------------------------------------------------- torch.optim as the oracle
TORCH_CASES = {
    "SGD": ("SGD", dict(lr=0.1)),
    "SGD momentum": ("SGD", dict(lr=0.05, momentum=0.9)),
    "SGD dampening": ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    "SGD nesterov weight decay": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    "Adagrad defaults": ("Adagrad", dict()),
    "Adagrad all options": (
        "Adagrad",
        dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5, eps=1e-3, weight_decay=0.05),
    ),
    "Adadelta defaults": ("Adadelta", dict()),
    "Adadelta lr eps weight decay": ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-3, weight_decay=0.1)),
    "RMSprop defaults": ("RMSprop", dict()),
    "RMSprop momentum": ("RMSprop", dict(lr=0.01, eps=1e-3, momentum=0.5)),
    "RMSprop centered": ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-3, centered=True)),
    "RMSprop centered momentum weight decay": (
        "RMSprop",
        dict(lr=0.01, alpha=0.9, eps=1e-3, centered=True, momentum=0.8, weight_decay=0.05),
    ),
    "Adam defaults": ("Adam", dict()),
    "Adam betas eps weight decay": ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1)),
    "Adam amsgrad": ("Adam", dict(AMSGRAD_OPTIONS, amsgrad=True, weight_decay=0.01)),
    "AMSGrad": ("AMSGrad", AMSGRAD_OPTIONS),
}


def torch_equivalent(name, kwargs):
    """AMSGrad is torch's Adam with amsgrad=True."""
    return ("Adam", {**kwargs, "amsgrad": True}) if name == "AMSGrad" else (name, kwargs)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", TORCH_CASES)
def test_matches_torch_over_many_steps(case, dtype):
    name, kwargs = TORCH_CASES[case]
    reference = torch_trajectory(*torch_equivalent(name, kwargs), dtype)
    ours = nnlib_trajectory(lambda params: getattr(optim, name)(params, **kwargs), dtype)
    assert largest_relative_error(ours, reference) < 1e-6


def test_param_groups_match_torch():
    torch = pytest.importorskip("torch")
    groups = [{"lr": 0.01, "momentum": 0.9}, {"lr": 0.2}]
    ours = [parameter(THETA), parameter(-THETA)]
    theirs = [torch.tensor(THETA, requires_grad=True), torch.tensor(-THETA, requires_grad=True)]
    ours_opt = optim.SGD([{"params": [p], **g} for p, g in zip(ours, groups)], lr=0.1, weight_decay=0.1)
    torch_opt = torch.optim.SGD(
        [{"params": [p], **g} for p, g in zip(theirs, groups)], lr=0.1, weight_decay=0.1
    )
    for step in range(50):
        for p, q in zip(ours, theirs):
            p.grad = p.data - 0.5 + np.cos(step)
            q.grad = q.detach() - 0.5 + np.cos(step)
        ours_opt.step()
        torch_opt.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("cls", OPTIMIZERS[:-1], ids=lambda c: c.__name__)
def test_defaults_match_torch(cls):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(cls).parameters
    theirs = inspect.signature(getattr(torch.optim, cls.__name__)).parameters
    shared = [name for name in ours if name != "params"]
    assert set(shared) <= set(theirs)
    for name in shared:
        assert ours[name].default == theirs[name].default, name


# The oracle test above must be able to fail: each classic slip below, run on the
# same problem, ends far from torch (each is a subclass that overrides step()).
class TextbookMomentum(optim.SGD):
    """v = momentum * v - lr * g; theta += v (equal to torch's only while lr is constant)."""

    def step(self):
        for param, grad, state, group in self._gradients():
            velocity = state.setdefault("velocity", np.zeros_like(param.data))
            velocity *= group["momentum"]
            velocity -= group["lr"] * grad
            param.data += velocity


class DampenedFromTheStart(optim.SGD):
    """Buffer starts at 0, so the first gradient is dampened too."""

    def step(self):
        for param, grad, state, group in self._gradients():
            buffer = state.setdefault("momentum_buffer", np.zeros_like(param.data))
            buffer *= group["momentum"]
            buffer += (1 - group["dampening"]) * grad
            param.data -= group["lr"] * buffer


class AdamEpsInsideSqrt(optim.Adam):
    def step(self):
        for param, grad, state, group in self._gradients():
            beta1, beta2 = group["betas"]
            state["step"] = t = state.get("step", 0) + 1
            m = state.setdefault("exp_avg", np.zeros_like(param.data))
            v = state.setdefault("exp_avg_sq", np.zeros_like(param.data))
            m[...] = beta1 * m + (1 - beta1) * grad
            v[...] = beta2 * v + (1 - beta2) * grad**2
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            param.data -= group["lr"] * m_hat / np.sqrt(v_hat + group["eps"])


class AdagradDecayFromStepOne(optim.Adagrad):
    def step(self):
        for param, grad, state, group in self._gradients():
            state["step"] = t = state.get("step", 0) + 1
            squares = state.setdefault("sum", np.full_like(param.data, group["initial_accumulator_value"]))
            squares += grad**2
            lr_t = group["lr"] / (1 + t * group["lr_decay"])
            param.data -= lr_t * grad / (np.sqrt(squares) + group["eps"])


class AdadeltaAccumulatesScaledSteps(optim.Adadelta):
    def step(self):
        for param, grad, state, group in self._gradients():
            rho, eps, lr = group["rho"], group["eps"], group["lr"]
            v = state.setdefault("square_avg", np.zeros_like(param.data))
            u = state.setdefault("acc_delta", np.zeros_like(param.data))
            v[...] = rho * v + (1 - rho) * grad**2
            update = lr * np.sqrt(u + eps) / np.sqrt(v + eps) * grad
            u[...] = rho * u + (1 - rho) * update**2
            param.data -= update


class AMSGradOfCorrectedAverage(optim.Adam):
    """Keeps the maximum of the bias-corrected v rather than of v itself."""

    def step(self):
        for param, grad, state, group in self._gradients():
            beta1, beta2 = group["betas"]
            state["step"] = t = state.get("step", 0) + 1
            m = state.setdefault("exp_avg", np.zeros_like(param.data))
            v = state.setdefault("exp_avg_sq", np.zeros_like(param.data))
            v_max = state.setdefault("max_exp_avg_sq", np.zeros_like(param.data))
            m[...] = beta1 * m + (1 - beta1) * grad
            v[...] = beta2 * v + (1 - beta2) * grad**2
            np.maximum(v_max, v / (1 - beta2**t), out=v_max)
            param.data -= group["lr"] / (1 - beta1**t) * m / (np.sqrt(v_max) + group["eps"])


SLIPS = {
    "textbook momentum": (TextbookMomentum, "SGD momentum"),
    "dampening on step 1": (DampenedFromTheStart, "SGD dampening"),
    "eps inside the square root": (AdamEpsInsideSqrt, "Adam betas eps weight decay"),
    "Adagrad decay counted from t": (AdagradDecayFromStepOne, "Adagrad all options"),
    "Adadelta accumulating lr * d": (AdadeltaAccumulatesScaledSteps, "Adadelta lr eps weight decay"),
    "AMSGrad max of corrected v": (AMSGradOfCorrectedAverage, "AMSGrad"),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_oracle_settings_expose_classic_slips(slip):
    variant, case = SLIPS[slip]
    name, kwargs = TORCH_CASES[case]
    reference = torch_trajectory(*torch_equivalent(name, kwargs), np.float64)
    kwargs = {**kwargs, "amsgrad": True} if name == "AMSGrad" else kwargs
    wrong = nnlib_trajectory(lambda params: variant(params, **kwargs), np.float64)
    final_error = np.abs(wrong[-1]["weight"] - reference[-1]["weight"]).max()
    assert final_error > 1e-4 * np.abs(reference[-1]["weight"]).max()
    assert math.isfinite(final_error)


# ------------------------------------------------- the update rules as functions
RULES = {
    "SGD": (optim.sgd_step, dict(lr=0.1)),
    "SGD momentum": (optim.momentum_step, dict(lr=0.05, momentum=0.9)),
    "SGD nesterov": (optim.momentum_step, dict(lr=0.05, momentum=0.9, nesterov=True)),
    "Adagrad": (optim.adagrad_step, dict(lr=0.1, eps=1e-3, lr_decay=0.01, initial_accumulator_value=0.1)),
    "Adadelta": (optim.adadelta_step, dict(lr=0.5, rho=0.8, eps=1e-3)),
    "RMSprop": (optim.rmsprop_step, dict(lr=0.01, alpha=0.9, eps=1e-3, momentum=0.5, centered=True)),
    "Adam": (optim.adam_step, dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3)),
    "AMSGrad": (optim.adam_step, dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3, amsgrad=True)),
}


@pytest.mark.parametrize("case", RULES)
def test_update_rules_match_torch_functions_step_by_step(case):
    torch = pytest.importorskip("torch")
    rule, hyper = RULES[case]
    name = {"SGD momentum": "SGD", "SGD nesterov": "SGD", "AMSGrad": "Adam"}.get(case, case)
    theta, state = W_START.copy(), {}
    reference = torch.tensor(W_START, requires_grad=True)
    torch_optimizer = getattr(torch.optim, name)([reference], **hyper)
    for t in range(20):
        grad = problem_gradients(theta, B_START, t)[0]
        before = theta.copy()
        theta = rule(theta, grad, state, **hyper)
        assert not np.shares_memory(theta, before)
        reference.grad = torch.from_numpy(problem_gradients(reference.detach().numpy(), B_START, t)[0])
        torch_optimizer.step()
        np.testing.assert_allclose(theta, reference.detach().numpy(), rtol=1e-12, atol=1e-14)
    for key, value in torch_optimizer.state[reference].items():
        if key != "step":
            np.testing.assert_allclose(state[key], value.numpy(), rtol=1e-12, atol=1e-14)


def test_rules_write_into_out_and_leave_theta_otherwise():
    theta, grad = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    new = optim.adam_step(theta, grad, {}, lr=0.1)
    assert np.array_equal(theta, [1.0, 2.0])
    target = theta.copy()
    assert optim.adam_step(target, grad, {}, lr=0.1, out=target) is target
    np.testing.assert_array_equal(target, new)


def test_rule_docstrings_document_every_parameter():
    for rule in (optim.sgd_step, optim.momentum_step, optim.adagrad_step, optim.adam_step, optim.SGD):
        assert "{parameters}" not in rule.__doc__
        for name in inspect.signature(rule).parameters:
            if name not in ("grad", "self"):
                assert f"{name} :" in rule.__doc__ or f"{name}, grad :" in rule.__doc__, (rule, name)

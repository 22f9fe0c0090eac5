"""Tests for nnlib.landscapes: closed-form gradients, known minima, optimize() against hand-written loops."""

import math

import numpy as np
import pytest

import nnlib
from nnlib import landscapes, optim
from nnlib.gradcheck import numerical_grad
from nnlib.landscapes import CANYON, LANDSCAPES, ROSENBROCK, SADDLE, optimize

ALL = list(LANDSCAPES.values())
ids = [landscape.name for landscape in ALL]
ROTATED = landscapes.quadratic(curvatures=(1.0, 4.0), angle=0.5, name="rotated bowl")


def random_points(landscape, n, seed=0):
    (xmin, xmax), (ymin, ymax) = landscape.bounds
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])


def hessian(landscape, x, y):
    """The Hessian by central differences of the closed-form gradient."""
    point = np.array([x, y])
    d_dx = numerical_grad(lambda p: landscape.grad(p[0], p[1])[0], point, eps=1e-5)
    d_dy = numerical_grad(lambda p: landscape.grad(p[0], p[1])[1], point, eps=1e-5)
    return np.array([d_dx, d_dy])


class GradientDescent:
    """A minimal stand-in optimizer, so that optimize() is tested independently of nnlib.optim."""

    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self):
        for p in self.params:
            p.data -= self.lr * p.grad


# ------------------------------------------------------------- the functions
def test_the_six_landscapes_are_registered_by_name():
    assert sorted(LANDSCAPES) == ["beale", "canyon", "himmelblau", "rosenbrock", "rotated canyon", "saddle"]


@pytest.mark.parametrize("landscape", [*ALL, ROTATED], ids=[*ids, ROTATED.name])
def test_closed_form_gradient_matches_central_differences(landscape):
    for x, y in random_points(landscape, 20):
        numerical = numerical_grad(lambda p: landscape.f(p[0], p[1]), np.array([x, y]))
        scale = max(1.0, np.abs(numerical).max())
        np.testing.assert_allclose(landscape.grad(x, y), numerical, rtol=1e-6, atol=1e-6 * scale)


@pytest.mark.parametrize("landscape", [*ALL, ROTATED], ids=[*ids, ROTATED.name])
def test_closed_form_gradient_matches_autograd_on_f(landscape):
    for x, y in random_points(landscape, 10, seed=1):
        tx = nnlib.Tensor(x, requires_grad=True, dtype=np.float64)
        ty = nnlib.Tensor(y, requires_grad=True, dtype=np.float64)
        landscape.f(tx, ty).backward()
        np.testing.assert_allclose(landscape.grad(x, y), (tx.grad, ty.grad), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("landscape", [*ALL, ROTATED], ids=[*ids, ROTATED.name])
def test_f_and_grad_evaluate_grids_elementwise(landscape):
    xs, ys, values = landscape.grid(resolution=7)
    assert xs.shape == ys.shape == values.shape == (7, 7)
    (xmin, xmax), (ymin, ymax) = landscape.bounds
    assert (xs[0, 0], xs[0, -1], ys[0, 0], ys[-1, 0]) == (xmin, xmax, ymin, ymax)
    gx, gy = landscape.grad(xs, ys)
    for i, j in [(0, 0), (3, 5), (6, 2)]:
        x, y = float(xs[i, j]), float(ys[i, j])
        assert values[i, j] == pytest.approx(landscape.f(x, y), rel=1e-12)
        np.testing.assert_allclose((gx[i, j], gy[i, j]), landscape.grad(x, y), rtol=1e-12)
    with pytest.raises(ValueError, match="resolution"):
        landscape.grid(resolution=1)


@pytest.mark.parametrize("landscape", ALL, ids=ids)
def test_start_and_minima_lie_inside_the_bounds_and_start_is_not_stationary(landscape):
    (xmin, xmax), (ymin, ymax) = landscape.bounds
    for x, y in [landscape.start, *landscape.minima, *landscape.saddle_points]:
        assert xmin <= x <= xmax and ymin <= y <= ymax
    assert np.hypot(*landscape.grad(*landscape.start)) > 1e-3


@pytest.mark.parametrize(
    "landscape", [lan for lan in ALL if lan.minima], ids=[lan.name for lan in ALL if lan.minima]
)
def test_minima_are_stationary_with_zero_loss_the_lowest_on_a_grid(landscape):
    # every landscape with minima here is a sum of squares whose minima reach exactly 0
    for x, y in landscape.minima:
        np.testing.assert_allclose(landscape.grad(x, y), (0.0, 0.0), atol=1e-9)
        assert landscape.f(x, y) == pytest.approx(0.0, abs=1e-20)
        assert np.linalg.eigvalsh(hessian(landscape, x, y)).min() > 0  # curving up in every direction
    assert landscape.grid(resolution=101)[2].min() >= 0.0


def test_himmelblau_has_four_distinct_minima():
    minima = np.array(landscapes.HIMMELBLAU.minima)
    assert len(minima) == 4
    distances = np.hypot(*(minima[:, None, :] - minima[None, :, :]).transpose(2, 0, 1))
    assert distances[~np.eye(4, dtype=bool)].min() > 1.0


@pytest.mark.parametrize("landscape", [SADDLE, landscapes.BEALE], ids=["saddle", "Beale"])
def test_saddle_points_are_stationary_and_curve_both_ways(landscape):
    for x, y in landscape.saddle_points:
        np.testing.assert_allclose(landscape.grad(x, y), (0.0, 0.0), atol=1e-12)
        eigenvalues = np.linalg.eigvalsh(hessian(landscape, x, y))
        assert eigenvalues.min() < 0 < eigenvalues.max()


def test_saddle_has_no_minimum():
    assert SADDLE.minima == [] and SADDLE.saddle_points == [(0.0, 0.0)]
    assert SADDLE.f(0.0, 3.0) < SADDLE.f(0.0, 0.0) < SADDLE.f(3.0, 0.0)


def test_canyon_has_curvatures_0_2_and_10_condition_number_50():
    eigenvalues = np.linalg.eigvalsh(hessian(CANYON, 1.3, -0.4))
    np.testing.assert_allclose(eigenvalues, [0.2, 10.0], rtol=1e-6)
    assert CANYON.f(0.0, 0.0) == 0.0


def test_rotated_quadratic_turns_its_steep_axis():
    angle = math.radians(30)
    bowl = landscapes.quadratic(curvatures=(1.0, 4.0), angle=angle)
    eigenvalues, eigenvectors = np.linalg.eigh(hessian(bowl, 0.5, 0.5))
    np.testing.assert_allclose(eigenvalues, [1.0, 4.0], rtol=1e-6)
    # the gentle axis points along (cos 30, sin 30)
    assert abs(eigenvectors[:, 0] @ [math.cos(angle), math.sin(angle)]) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="curvatures must both be > 0"):
        landscapes.quadratic(curvatures=(0.0, 1.0))


# ------------------------------------------------------------- optimize()
def test_optimize_with_gradient_descent_matches_a_hand_written_loop():
    lr, steps = 0.15, 60
    path = optimize(CANYON, lambda params: GradientDescent(params, lr), steps=steps)
    theta = np.array(CANYON.start)
    expected = [theta.copy()]
    for _ in range(steps):
        theta = theta - lr * np.array([0.2 * theta[0], 10.0 * theta[1]])  # grad of 0.1 x^2 + 5 y^2
        expected.append(theta.copy())
    expected = np.array(expected)
    assert path.diverged_at is None and not path.diverged
    assert path.points.shape == (steps + 1, 2) and path.losses.shape == (steps + 1,)
    np.testing.assert_allclose(path.points, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(path.losses, 0.1 * expected[:, 0] ** 2 + 5 * expected[:, 1] ** 2, rtol=1e-12)
    # lr in (1/10, 2/10): the y coordinate flips sign every step (the zig-zag) and shrinks
    assert (np.sign(expected[1:, 1]) != np.sign(expected[:-1, 1])).all()


def test_optimize_with_nnlib_sgd_momentum_matches_the_heavy_ball_rule():
    lr, momentum, steps = 0.001, 0.9, 80
    path = optimize(ROSENBROCK, lambda params: optim.SGD(params, lr=lr, momentum=momentum), steps=steps)
    theta, buffer = np.array(ROSENBROCK.start), None
    for _ in range(steps):
        x, y = theta
        g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
        buffer = g if buffer is None else momentum * buffer + g
        theta = theta - lr * buffer
    np.testing.assert_allclose(path.points[-1], theta, rtol=1e-10)


def first_step_beyond(max_loss, lr, start):
    """The first step at which GD on the canyon has f > max_loss.

    Each step multiplies x by 1 - 0.2 lr and y by 1 - 10 lr (the curvatures of 0.1 x^2 + 5 y^2).
    """
    x0, y0 = start
    for t in range(1, 10_000):
        x, y = x0 * (1 - 0.2 * lr) ** t, y0 * (1 - 10 * lr) ** t
        if 0.1 * x * x + 5 * y * y > max_loss:
            return t
    raise AssertionError("did not diverge")


@pytest.mark.parametrize("max_loss", [landscapes.MAX_LOSS, 1e3])
def test_divergence_is_reported_at_the_first_step_beyond_max_loss(max_loss):
    lr = 0.25  # above 2 / L = 2 / 10: across the canyon each step multiplies y by 1 - 2.5 = -1.5
    expected = first_step_beyond(max_loss, lr, CANYON.start)
    path = optimize(CANYON, lambda params: GradientDescent(params, lr), steps=500, max_loss=max_loss)
    assert path.diverged and path.diverged_at == expected
    assert len(path.points) == len(path.losses) == expected  # the start and the steps before it
    assert np.abs(path.losses).max() <= max_loss
    t = np.arange(expected)
    np.testing.assert_allclose(path.points[:, 1], CANYON.start[1] * (-1.5) ** t, rtol=1e-10)


def test_learning_rate_just_below_two_over_l_converges():
    path = optimize(CANYON, lambda params: GradientDescent(params, 0.19), steps=400)
    assert path.diverged_at is None
    assert path.losses[-1] < 1e-6 * path.losses[0]


class Sabotaged(GradientDescent):
    """Gradient descent that writes a given value into the parameter on a given step."""

    def __init__(self, params, at, value):
        super().__init__(params, lr=0.01)
        self.at, self.value, self.count = at, value, 0

    def step(self):
        super().step()
        self.count += 1
        if self.count == self.at:
            self.params[0].data[1] = self.value


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_a_non_finite_point_stops_the_run_at_its_step(value):
    path = optimize(SADDLE, lambda params: Sabotaged(params, at=3, value=value), steps=10)
    assert path.diverged_at == 3
    assert path.points.shape == (3, 2) and np.isfinite(path.points).all()


def test_overflowing_python_floats_count_as_divergence():
    # without a loss limit the iterates grow until x**2 overflows a Python float (which raises)
    path = optimize(ROSENBROCK, lambda params: GradientDescent(params, 1.0), steps=100, max_loss=math.inf)
    assert path.diverged
    assert len(path.points) == path.diverged_at and np.isfinite(path.losses).all()


def test_optimize_defaults_to_the_landscape_start_and_leaves_a_given_start_alone():
    start = np.array([0.5, -0.5])
    path = optimize(SADDLE, lambda params: GradientDescent(params, 0.1), start=start, steps=5)
    np.testing.assert_array_equal(start, [0.5, -0.5])
    np.testing.assert_array_equal(path.points[0], start)
    zero_steps = optimize(SADDLE, lambda params: GradientDescent(params, 0.1), steps=0)
    np.testing.assert_array_equal(zero_steps.points, [SADDLE.start])
    assert zero_steps.losses.tolist() == [SADDLE.f(*SADDLE.start)]


def test_optimize_runs_on_a_float64_parameter_of_shape_two():
    seen = []

    def factory(params):
        seen.extend(params)
        return GradientDescent(params, 0.1)

    optimize(CANYON, factory, steps=1)
    (param,) = seen
    assert param.shape == (2,) and param.dtype == np.float64 and param.requires_grad


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"steps": -1}, ValueError, "steps must be an integer >= 0"),
        ({"steps": 2.5}, ValueError, "steps must be an integer >= 0"),
        ({"start": (1.0, 2.0, 3.0)}, ValueError, r"start must be a point \(x, y\)"),
        ({"start": (np.nan, 0.0)}, ValueError, "two finite numbers"),
        ({"start": "here"}, ValueError, r"start must be a point \(x, y\)"),
        ({"max_loss": 0}, ValueError, "max_loss must be a number > 0"),
        ({"start": (1e4, 0.0)}, ValueError, "loss at start .* beyond max_loss"),
    ],
)
def test_optimize_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optimize(CANYON, lambda params: GradientDescent(params, 0.1), **kwargs)


def test_optimize_rejects_a_non_landscape_and_a_non_optimizer():
    with pytest.raises(TypeError, match="landscape must be a Landscape"):
        optimize(lambda x, y: x, lambda params: GradientDescent(params, 0.1))
    with pytest.raises(TypeError, match=r"must return an optimizer with a step\(\) method"):
        optimize(CANYON, lambda params: 0.1)


# ------------------------------------------------------------- the rotated canyon
def test_rotated_canyon_is_the_canyon_turned_by_45_degrees():
    rotated = landscapes.ROTATED_CANYON
    # the Hessian of the canyon, diag(0.2, 10), turned: R diag(0.2, 10) R^T with R a 45-degree rotation
    turn = np.array([[1.0, -1.0], [1.0, 1.0]]) / math.sqrt(2)
    expected = turn @ np.diag([0.2, 10.0]) @ turn.T
    np.testing.assert_allclose(hessian(rotated, 0.7, -2.1), expected, atol=1e-6)
    np.testing.assert_allclose(rotated.start, turn @ np.array(CANYON.start), rtol=1e-15)
    assert rotated.f(*rotated.start) == pytest.approx(CANYON.f(*CANYON.start), rel=1e-14)


@pytest.mark.parametrize(
    "make",
    [lambda p: optim.SGD(p, lr=0.15), lambda p: optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True)],
    ids=["gradient descent", "Nesterov"],
)
def test_rotation_does_not_change_what_gradient_descent_and_momentum_do(make):
    straight = optimize(CANYON, make, steps=150)
    rotated = optimize(landscapes.ROTATED_CANYON, make, steps=150)
    turn = np.array([[1.0, -1.0], [1.0, 1.0]]) / math.sqrt(2)
    np.testing.assert_allclose(rotated.points, straight.points @ turn.T, atol=1e-12)
    np.testing.assert_allclose(rotated.losses, straight.losses, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize(
    ("make", "at_least"),
    [(lambda p: optim.Adagrad(p, lr=1.0), 1000), (lambda p: optim.RMSprop(p, lr=0.1), 1000)],
    ids=["Adagrad", "RMSprop"],
)
def test_rotation_costs_the_per_coordinate_methods_their_lead(make, at_least):
    straight = optimize(CANYON, make, steps=150).losses[-1]
    rotated = optimize(landscapes.ROTATED_CANYON, make, steps=150).losses[-1]
    assert rotated > at_least * straight

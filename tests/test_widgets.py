"""Tests for nnlib.widgets, headless: set each explorer's controls and check what it drew.

The expected drawings are computed here independently: optimizers run directly from nnlib.optim
(with autograd or the closed-form gradient), closed forms for gradient descent on x**2 and for
the slides' e(a, b), the line w . x + b = 0 for the neuron.
"""

import math

import numpy as np
import pytest
from matplotlib.colors import to_hex

import nnlib
from nnlib import Tensor, data, losses, nn, optim, viz, widgets
from nnlib.landscapes import CANYON, MAX_LOSS, ROSENBROCK

OKABE_ITO = {c.lower() for c in viz.PALETTE.values()}


def assert_axes_labelled(fig):
    for ax in fig.axes:
        if not ax.axison:
            continue
        if hasattr(ax, "_colorbar"):
            assert ax.get_ylabel() or ax.get_xlabel(), "colorbar without a label"
        else:
            assert ax.get_xlabel() and ax.get_ylabel(), f"axes {ax.get_title()!r} lacks an axis label"
            assert ax.get_title(), "axes without a title"


def line(ax, gid):
    (found,) = [candidate for candidate in ax.lines if candidate.get_gid() == gid]
    return found


def texts(fig):
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def first_step_beyond(limit, value_at_step):
    """The first step k >= 1 at which value_at_step(k) exceeds limit."""
    k = 1
    while not value_at_step(k) > limit:
        k += 1
    return k


def run_on_canyon(optimizer_factory, start, steps):
    """Points of an nnlib.optim optimizer on the canyon, the gradient by backpropagation through f."""
    param = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    optimizer = optimizer_factory([param])
    points = [param.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        CANYON.f(param[0], param[1]).backward()
        optimizer.step()
        points.append(param.data.copy())
    return np.array(points)


def run_with_closed_form_gradient(landscape, optimizer_factory, steps):
    param = Tensor(np.array(landscape.start, dtype=np.float64), requires_grad=True)
    optimizer = optimizer_factory([param])
    points = [param.data.copy()]
    for _ in range(steps):
        param.grad = np.array(landscape.grad(*param.data), dtype=np.float64)
        optimizer.step()
        points.append(param.data.copy())
    return np.array(points)


# --------------------------------------------------------------------- general
def test_explorers_draw_standalone_labelled_figures_and_leave_pyplot_alone():
    plt = pytest.importorskip("matplotlib.pyplot")
    before = plt.get_fignums()
    for build in (
        widgets.gradient_descent_1d,
        widgets.momentum_explorer,
        widgets.optimizer_race,
        widgets.neuron_explorer,
        widgets.backprop_explorer,
    ):
        explorer = build()
        assert explorer.figure is not None, f"{build.__name__} drew nothing"
        assert_axes_labelled(explorer.figure)
        for ax in explorer.figure.axes:
            for drawn in ax.lines:
                if (drawn.get_gid() or "").startswith(("trajectory", "curve")):
                    assert to_hex(drawn.get_color()) in OKABE_ITO
        for control in explorer.controls.values():
            if hasattr(control, "continuous_update"):
                assert control.continuous_update is False
    assert plt.get_fignums() == before


def test_a_failing_drawing_leaves_no_stale_figure():
    slider = widgets._int_slider("n", 1, 0, 2)
    explorer = widgets.Explorer(lambda n: viz.subplots()[0] if n == 1 else 1 / 0, {"n": slider})
    assert explorer.figure is not None
    slider.value = 0
    assert explorer.figure is None


def test_changing_several_controls_redraws_once():
    explorer = widgets.momentum_explorer()
    calls = []
    draw = explorer.f
    explorer.f = lambda **kwargs: calls.append(kwargs) or draw(**kwargs)
    with explorer.changing_several():
        explorer.controls["lr"].value = 0.05
        explorer.controls["momentum"].value = 0.5
    assert len(calls) == 1 and calls[0]["lr"] == 0.05 and calls[0]["momentum"] == 0.5


def test_seeded_block_leaves_the_callers_random_stream_untouched():
    nnlib.manual_seed(123)
    expected = np.random.default_rng(123).standard_normal(3)
    with widgets._seeded(0):
        nnlib.random.get_rng().standard_normal(10)
    np.testing.assert_array_equal(nnlib.random.get_rng().standard_normal(3), expected)


# ------------------------------------------------------------ 1. gradient descent 1-D
def test_1d_iterates_equal_sgd_run_directly_and_the_closed_form():
    explorer = widgets.gradient_descent_1d()
    with explorer.changing_several():
        explorer.controls["lr"].value = 0.3
        explorer.controls["start"].value = 1.5
        explorer.controls["steps"].value = 12
    drawn = line(explorer.figure.axes[0], "trajectory").get_xdata()

    x = Tensor(np.array([1.5]), requires_grad=True, dtype=np.float64)
    sgd = optim.SGD([x], lr=0.3)
    expected = [1.5]
    for _ in range(12):
        sgd.zero_grad()
        (x**2).sum().backward()
        sgd.step()
        expected.append(x.data[0])
    np.testing.assert_allclose(drawn, expected, rtol=1e-12)
    np.testing.assert_allclose(
        drawn, 1.5 * (1 - 2 * 0.3) ** np.arange(13), rtol=1e-12
    )  # x_k = x0 (1 - 2 lr)^k


@pytest.mark.parametrize(
    ("lr", "regime"),
    # on x**2 a step multiplies x by q = 1 - 2 lr: q near 1 crawls, 0 < q < 1 converges,
    # -1 < q < 0 alternates sides, |q| > 1 grows
    [(0.01, "too small"), (0.3, "good"), (0.8, "oscillating"), (1.2, "diverging")],
)
def test_1d_title_names_the_learning_rate_regime(lr, regime):
    explorer = widgets.gradient_descent_1d(lr=lr, start=2.0, steps=20)
    assert explorer.figure.axes[0].get_title() == f"lr = {lr:.3g}: {regime}"


def test_1d_large_learning_rate_shows_the_step_it_diverged_at():
    explorer = widgets.gradient_descent_1d(lr=1.5, start=2.0, steps=20)
    # x_k = 2 (1 - 3)^k leaves |x| <= 10 at the first k with 2 * 2^k > 10
    step = first_step_beyond(10, lambda k: abs(2.0 * (1 - 2 * 1.5) ** k))
    assert f"diverged at step {step}" in texts(explorer.figure)
    assert len(line(explorer.figure.axes[0], "trajectory").get_xdata()) == step  # the start and k - 1 steps
    assert_axes_labelled(explorer.figure)


def test_1d_start_at_the_minimum_is_not_an_error():
    explorer = widgets.gradient_descent_1d(start=0.0)
    assert explorer.figure.axes[0].get_title().endswith("at the minimum already")


# ----------------------------------------------------------------- 2. momentum
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_path_equals_sgd_run_directly(nesterov):
    explorer = widgets.momentum_explorer()
    with explorer.changing_several():
        explorer.controls["lr"].value = 0.05
        explorer.controls["momentum"].value = 0.8
        explorer.controls["nesterov"].value = nesterov
        explorer.controls["start_x"].value = -8.0
        explorer.controls["start_y"].value = 3.0
        explorer.controls["steps"].value = 40
    ax_map, ax_loss = explorer.figure.axes
    drawn = np.column_stack(line(ax_map, "trajectory").get_data())
    expected = run_on_canyon(
        lambda params: optim.SGD(params, lr=0.05, momentum=0.8, nesterov=nesterov), (-8.0, 3.0), 40
    )
    np.testing.assert_allclose(drawn, expected, rtol=1e-12, atol=1e-14)
    losses_drawn = ax_loss.lines[0].get_ydata()
    np.testing.assert_allclose(losses_drawn, 0.1 * expected[:, 0] ** 2 + 5 * expected[:, 1] ** 2, rtol=1e-12)
    assert ("Nesterov" in ax_map.get_title()) == nesterov


def test_momentum_explorer_reports_divergence_on_the_plot():
    explorer = widgets.momentum_explorer(lr=0.5, momentum=0.0, steps=60)
    x0, y0 = CANYON.start
    # plain SGD on 0.1 x^2 + 5 y^2: x_k = x0 (1 - 0.2 lr)^k, y_k = y0 (1 - 10 lr)^k
    step = first_step_beyond(
        MAX_LOSS, lambda k: 0.1 * (x0 * (1 - 0.2 * 0.5) ** k) ** 2 + 5 * (y0 * (1 - 10 * 0.5) ** k) ** 2
    )
    assert f"diverged at step {step}" in texts(explorer.figure)
    assert explorer.figure.axes[1].get_title() == f"diverged at step {step}"


# ------------------------------------------------------------------ 3. race
RACERS = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "Adadelta": lambda params, lr: optim.Adadelta(params, lr=lr),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
    "AMSGrad": lambda params, lr: optim.Adam(params, lr=lr, amsgrad=True),
}


def test_race_draws_every_optimizer_as_run_directly():
    explorer = widgets.optimizer_race(steps=30)
    ax_map, ax_loss = explorer.figure.axes
    for name, make in RACERS.items():
        lr = explorer.controls[f"lr_{name.lower()}"].value
        expected = run_with_closed_form_gradient(
            CANYON, lambda params, make=make, lr=lr: make(params, lr), 30
        )
        drawn = np.column_stack(line(ax_map, f"trajectory:{name}").get_data())
        np.testing.assert_allclose(drawn, expected, rtol=1e-10, atol=1e-12, err_msg=name)
    colours = {to_hex(line(ax_map, f"trajectory:{name}").get_color()) for name in RACERS}
    assert colours == OKABE_ITO  # eight racers, eight palette colours
    assert_axes_labelled(explorer.figure)


def test_race_landscape_choice_sets_its_learning_rates_and_redraws():
    explorer = widgets.optimizer_race(steps=20)
    explorer.controls["landscape"].value = "rosenbrock"
    for name, lr in widgets.RACE_LEARNING_RATES["rosenbrock"].items():
        assert explorer.controls[f"lr_{name.lower()}"].value == lr
    ax_map = explorer.figure.axes[0]
    assert ax_map.get_title().startswith("Rosenbrock")
    lr = widgets.RACE_LEARNING_RATES["rosenbrock"]["Adam"]
    expected = run_with_closed_form_gradient(ROSENBROCK, lambda params: optim.Adam(params, lr=lr), 20)
    np.testing.assert_allclose(
        np.column_stack(line(ax_map, "trajectory:Adam").get_data()), expected, rtol=1e-10
    )


def test_race_legend_tells_which_racer_diverged_and_when():
    explorer = widgets.optimizer_race(steps=30)
    explorer.controls["lr_sgd"].value = 1.0
    x0, y0 = CANYON.start
    step = first_step_beyond(MAX_LOSS, lambda k: 0.1 * (x0 * 0.8**k) ** 2 + 5 * (y0 * (1 - 10.0) ** k) ** 2)
    legend = [text.get_text() for text in explorer.figure.axes[1].get_legend().get_texts()]
    assert f"SGD\n(diverged at step {step})" in legend


# ------------------------------------------------------------------ 4. neuron
def test_neuron_boundary_is_the_line_w_x_plus_b_and_the_colours_its_output():
    explorer = widgets.neuron_explorer()
    w1, w2, b = 1.5, -0.5, 0.7
    with explorer.changing_several():
        explorer.controls["w1"].value = w1
        explorer.controls["w2"].value = w2
        explorer.controls["b"].value = b
    ax_plane = explorer.figure.axes[0]
    xs, ys = line(ax_plane, "boundary").get_data()
    np.testing.assert_allclose(w1 * np.asarray(xs) + w2 * np.asarray(ys) + b, 0, atol=1e-12)

    grid = np.linspace(-3, 3, 120)
    z = w1 * grid[None, :] + w2 * grid[:, None] + b
    np.testing.assert_allclose(ax_plane.images[0].get_array(), 1 / (1 + np.exp(-z)), rtol=1e-6)

    X, y = widgets.neuron_data()
    accuracy = np.mean((X @ np.array([w1, w2]) + b > 0) == y)
    assert ax_plane.get_title().endswith(f"accuracy {accuracy:.0%}")
    assert_axes_labelled(explorer.figure)


def test_neuron_leaky_slope_and_zero_weights():
    explorer = widgets.neuron_explorer(w1=2.0, w2=0.0, b=0.0, activation="leaky_relu")
    explorer.controls["negative_slope"].value = 0.25
    image = explorer.figure.axes[0].images[0].get_array()
    assert image.min() == pytest.approx(0.25 * (2.0 * -3.0))  # leaky_relu(z) = 0.25 z for z < 0
    with explorer.changing_several():
        explorer.controls["w1"].value = 0.0
        explorer.controls["w2"].value = 0.0
    ax_plane = explorer.figure.axes[0]
    assert not [drawn for drawn in ax_plane.lines if drawn.get_gid() == "boundary"]
    assert "w = 0: no boundary" in texts(explorer.figure)


# ------------------------------------------------------------------ 6. backprop
def graph_nodes(fig):
    nodes = {}
    for text in viz.graph_node_texts(fig):
        header, *rest = text.split("\n")
        if rest:
            nodes[header] = (float(rest[0].removeprefix("value ")), float(rest[1].removeprefix("grad ")))
    return nodes


def test_backprop_explorer_reproduces_the_slides():
    explorer = widgets.backprop_explorer()
    nodes = graph_nodes(explorer.figure)
    assert nodes["e = c * d"][0] == 6.0  # e(2, 1) = (2 + 1)(1 + 1)
    assert nodes["a"] == (2.0, 2.0)  # de/da = 2
    assert nodes["b"] == (1.0, 5.0)  # de/db = 5
    title = explorer.figure.axes[0].get_title()
    assert "= 6;" in title and "∂e/∂a = 2," in title and title.endswith("∂e/∂b = 5")


def test_backprop_explorer_follows_the_sliders():
    explorer = widgets.backprop_explorer()
    a, b = -1.0, 2.5
    with explorer.changing_several():
        explorer.controls["a"].value = a
        explorer.controls["b"].value = b
    nodes = graph_nodes(explorer.figure)
    # e = (a + b)(b + 1): de/da = b + 1, de/db = (b + 1) + (a + b)
    assert nodes["e = c * d"][0] == pytest.approx((a + b) * (b + 1))
    assert nodes["a"][1] == pytest.approx(b + 1)
    assert nodes["b"][1] == pytest.approx((b + 1) + (a + b))
    assert nodes["c = a + b"] == pytest.approx((a + b, b + 1))
    assert nodes["d = b + 1"] == pytest.approx((b + 1, a + b))


# ------------------------------------------------------------------ 7. capacity
def test_capacity_curve_at_a_checkpoint_equals_training_directly():
    explorer = widgets.capacity_explorer(hidden=(8,), steps=30, lr=0.05, n_train=10, noise=0.3, seed=4)
    step = explorer.run.checkpoints[6]
    explorer.controls["step"].value = step
    ax_fit, ax_loss = explorer.figure.axes

    X, y = data.make_regression_1d(n_samples=10, noise=0.3, seed=5)
    nnlib.manual_seed(4)
    model = nn.MLP([1, 8, 1], activation="tanh")
    adam = optim.Adam(model.parameters(), lr=0.05)
    train_losses = []
    for _ in range(step):
        adam.zero_grad()
        loss = losses.mse(model(Tensor(X)).reshape(-1), y)
        train_losses.append(loss.item())
        loss.backward()
        adam.step()
    curve_x = np.linspace(-np.pi, np.pi, 200)
    with nnlib.no_grad():
        expected = model(Tensor(curve_x[:, None].astype(X.dtype))).data.reshape(-1)
    np.testing.assert_allclose(line(ax_fit, "model").get_ydata(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        line(ax_loss, "curve:train").get_ydata()[: step - 1], train_losses[1:], rtol=1e-5
    )
    assert ax_fit.get_title().startswith(f"after {step} steps: ")
    assert_axes_labelled(explorer.figure)


def test_capacity_default_run_goes_from_under_to_overfitting():
    explorer = widgets.capacity_explorer()
    run = explorer.run
    best = min(run.test_loss, key=run.test_loss.get)
    last = run.checkpoints[-1]
    assert 0 < best < last
    assert run.train_loss[last] < run.train_loss[best] < run.train_loss[0]  # training keeps improving
    assert run.test_loss[last] > 1.5 * run.test_loss[best]  # while the test loss rises again
    for step, regime in ((run.checkpoints[1], "underfitting"), (best, "good fit"), (last, "overfitting")):
        explorer.controls["step"].value = step
        assert explorer.figure.axes[0].get_title() == f"after {step} steps: {regime}"


# ------------------------------------------------------------------ 5. playground
def test_playground_training_draws_progress_and_matches_training_directly():
    playground = widgets.training_playground(dataset="moons", hidden="16, 16", optimizer="Adam", lr=0.01)
    playground.controls["batch_size"].value = 0  # full batch: one step per epoch
    playground.first_chunk_seconds = playground.chunk_seconds = 0.0  # redraw after every epoch
    pictures = []
    playground.image.observe(lambda change: pictures.append(change["new"]), names="value")
    playground.train(5)

    assert playground.progress.value == playground.progress.max == 5
    assert len(pictures) == 5 and all(bytes(p).startswith(b"\x89PNG") for p in pictures)
    assert len(playground.history["train"]) == 6

    nnlib.manual_seed(0)
    model = nn.MLP([2, 16, 16, 2], activation="relu")
    adam = optim.Adam(model.parameters(), lr=0.01)
    expected = []
    for _ in range(5):
        adam.zero_grad()
        losses.cross_entropy(model(Tensor(playground.X_train)), playground.y_train).backward()
        adam.step()
        with nnlib.no_grad():
            expected.append(
                losses.cross_entropy(model(Tensor(playground.X_train)), playground.y_train).item()
            )
    np.testing.assert_allclose(playground.history["train"][1:], expected, rtol=1e-5)

    ax_loss, ax_train, ax_test = playground.figure.axes
    np.testing.assert_allclose(line(ax_loss, "curve:train").get_ydata(), playground.history["train"])
    assert ax_loss.get_title().startswith("epoch 5: ")
    assert ax_train.get_title().startswith("train set") and ax_test.get_title().startswith("test set")
    assert_axes_labelled(playground.figure)


def test_playground_changing_a_setting_starts_over_but_epochs_do_not():
    playground = widgets.training_playground()
    playground.train(3)
    assert playground.epoch == 3
    playground.controls["epochs"].value = 20
    assert playground.epoch == 3
    playground.controls["dataset"].value = "XOR"
    assert playground.epoch == 0 and len(playground.history["train"]) == 1
    assert playground.controls["momentum"].disabled  # Adam has no momentum control
    playground.controls["optimizer"].value = "SGD"
    assert not playground.controls["momentum"].disabled


def test_playground_reports_divergence_instead_of_training_on():
    playground = widgets.training_playground(optimizer="RMSprop", lr=10.0)
    playground.controls["momentum"].value = 0.99
    playground.controls["epochs"].value = 30
    playground.train_button.click()
    history = playground.history["train"]
    exploded = next(i for i, loss in enumerate(history) if not math.isfinite(loss) or loss > 100 * history[0])
    assert playground.diverged_at == exploded == playground.epoch
    assert f"diverged at epoch {exploded}" in texts(playground.figure)
    assert playground.train(10) is None and playground.epoch == exploded  # stays stopped until a reset


@pytest.mark.filterwarnings("error")
def test_controls_at_their_bounds_draw_without_warnings():
    explorer = widgets.gradient_descent_1d(lr=2.0, start=-2.0, steps=50)  # the sliders' extremes
    assert explorer.figure is not None and "diverged at step" in " ".join(texts(explorer.figure))
    explorer = widgets.momentum_explorer(lr=0.5, momentum=0.99, steps=300)
    explorer.controls["start_x"].value = 10.0
    assert explorer.figure is not None
    explorer = widgets.neuron_explorer(w1=0.0, w2=0.0, b=-3.0, activation="relu")
    assert explorer.figure is not None


@pytest.mark.parametrize("make", [widgets.momentum_explorer, widgets.training_playground])
def test_explorers_carry_a_picture_for_notebooks_opened_without_a_kernel(make):
    explorer = make()
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # live JupyterLab shows the widget
    assert bundle["image/png"].startswith(b"\x89PNG")  # a stored notebook shows its picture

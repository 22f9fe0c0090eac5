"""Interactive explorers for the lectures: each is one call that returns a widget to display.

==========================  ==============================================================
explorer                    what it shows
==========================  ==============================================================
gradient_descent_1d()       the learning rate's regimes: too small, good, oscillating, diverging
momentum_explorer()         SGD with momentum in a narrow canyon
optimizer_race()            eight optimizers side by side on a chosen landscape
neuron_explorer()           one neuron's weights, bias and activation, and its decision boundary
training_playground()       an MLP trained on a toy data set, with live loss curves
backprop_explorer()         the graph of e = (a + b)(b + 1) with values and gradients
capacity_explorer()         under- and overfitting as training goes on
==========================  ==============================================================

Design: the controls are ipywidgets with ``continuous_update=False``; a change calls a function
that redraws a :class:`matplotlib.figure.Figure` (made without pyplot) and returns it, and the
notebook shows it as a PNG. Each explorer draws its background (a contour plot, the data) once and
replaces only what changes (see :class:`nnlib.viz.LiveFigure`), which halves the time per change.
This works with every matplotlib backend, keeps a picture in the saved notebook, and can be tested
without a browser: set ``explorer.controls[name].value`` and inspect ``explorer.figure``. Control
ranges are bounded by the sliders, and a run that blows up is caught and reported as "diverged at
step k" on the plot.

This module is imported by notebooks only; the rest of nnlib never imports ipywidgets.
"""

from __future__ import annotations

import contextlib
import functools
import math
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import Normalize

from nnlib import activations, data, landscapes, losses, nn, optim, viz
from nnlib.random import get_rng, manual_seed
from nnlib.tensor import NonFiniteError, Tensor, no_grad

__all__ = [
    "RACE_LEARNING_RATES",
    "RACE_OPTIMIZERS",
    "CapacityRun",
    "Explorer",
    "TrainingPlayground",
    "backprop_explorer",
    "capacity_explorer",
    "gradient_descent_1d",
    "momentum_explorer",
    "neuron_explorer",
    "optimizer_race",
    "training_playground",
]

_WIDE = {"description_width": "initial"}


def _layout():
    return widgets.Layout(width="300px")


def _in_ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


@contextlib.contextmanager
def _seeded(seed):
    """Seed nnlib's generator for a block, then give back the caller's random stream untouched."""
    saved = get_rng().bit_generator.state
    manual_seed(seed)
    try:
        yield
    finally:
        get_rng().bit_generator.state = saved


# ------------------------------------------------------------------------- controls


def _log_slider(description, value, low, high):
    """A learning-rate slider moving in powers of ten between ``low`` and ``high``."""
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=math.log10(low),
        max=math.log10(high),
        step=0.05,
        description=description,
        readout_format=".3g",
        continuous_update=False,
        style=_WIDE,
        layout=_layout(),
    )


def _slider(description, value, low, high, step, kind=widgets.FloatSlider):
    return kind(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=False,
        style=_WIDE,
        layout=_layout(),
    )


def _int_slider(description, value, low, high, step=1):
    return _slider(description, value, low, high, step, kind=widgets.IntSlider)


def _dropdown(description, options, value):
    return widgets.Dropdown(
        options=options, value=value, description=description, style=_WIDE, layout=_layout()
    )


class _Picture:
    """What an explorer's function returns to ``interactive``: its figure, shown as a PNG.

    Returning the Figure itself would let matplotlib's inline backend, once active, render it with
    ``bbox_inches="tight"``, which draws every figure twice.
    """

    def __init__(self, figure):
        self.figure = figure

    def _repr_png_(self):
        return viz.figure_to_png(self.figure)

    def __repr__(self):
        return repr(self.figure)


def _with_static_picture(bundle, figure):
    """Add a PNG of ``figure`` to a widget's display data.

    A live JupyterLab shows the widget; a notebook opened without a kernel (or on a repository
    page) cannot, and shows this picture of the explorer's current state instead.
    """
    if figure is not None:
        bundle["image/png"] = viz.figure_to_png(figure)
        bundle["text/plain"] = "(an interactive explorer: run the notebook to move its controls)"
    return bundle


class Explorer(widgets.interactive):
    """Controls above a figure that is redrawn whenever a control changes.

    An ``ipywidgets.interactive`` whose function returns a matplotlib Figure.

    Parameters
    ----------
    render : callable
        Called with one keyword argument per control; returns a Figure.
    controls : dict of str -> ValueWidget
        The controls, by the name of the argument of ``render`` they feed.
    columns : int
        Controls are laid out in this many columns.

    Attributes
    ----------
    controls : dict of str -> ValueWidget
        Set ``controls[name].value`` to redraw, as moving the control does.
    figure : Figure or None
        The latest drawing (None if drawing failed: the error is shown in the notebook, or
        logged outside IPython).
    """

    def __init__(self, render, controls, columns=2):
        self._muted = False
        in_ipython = _in_ipython()

        # outside IPython (tests, scripts) nothing is displayed, so nothing needs clearing
        @functools.wraps(render)  # interactive reads the control names from render's signature
        def picture(**values):
            return _Picture(render(**values))

        super().__init__(picture, {"auto_display": in_ipython}, clear_output=in_ipython, **controls)
        grid = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(
                grid_template_columns=f"repeat({columns}, max-content)", grid_gap="2px 16px"
            ),
        )
        self.children = [grid, self.out]

    @property
    def controls(self):
        return {widget._kwarg: widget for widget in self.kwargs_widgets}

    def _repr_mimebundle_(self, **kwargs):
        return _with_static_picture(super()._repr_mimebundle_(**kwargs), self.figure)

    @property
    def figure(self):
        return None if self.result is None else self.result.figure

    def update(self, *args):
        if self._muted:
            return
        self.result = None  # a drawing that fails must not leave the previous figure in place
        super().update(*args)

    @contextlib.contextmanager
    def changing_several(self):
        """Change several controls and redraw once, at the end of the block."""
        self._muted = True
        try:
            yield
        finally:
            self._muted = False
        self.update()


# --------------------------------------------------------- 1. gradient descent in 1-D

_GD_WINDOW = 2.5  # the plot shows x in [-2.5, 2.5]; an iterate beyond 4 times that counts as diverged


def _gd_1d_function(x):
    """The function the 1-D explorer descends: f(x) = x**2 (curvature 2, minimum at 0)."""
    return x**2


def descend_1d(lr, start, steps):
    """Gradient descent on f(x) = x**2 with ``nnlib.optim.SGD``, the gradient by backpropagation.

    Returns
    -------
    points : ndarray of shape (k + 1,)
        The start and the iterates kept.
    diverged_at : int or None
        The first step that left ``|x| <= 10`` (or was not finite); it is not in ``points``.
    """
    x = Tensor(np.array([start], dtype=np.float64), requires_grad=True)
    optimizer = optim.SGD([x], lr=float(lr))
    points = [float(start)]
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            optimizer.zero_grad()
            try:
                _gd_1d_function(x).sum().backward()
            except NonFiniteError:
                return np.array(points), step
            optimizer.step()
            value = float(x.data[0])
            if not math.isfinite(value) or abs(value) > 4 * _GD_WINDOW:
                return np.array(points), step
            points.append(value)
    return np.array(points), None


def learning_rate_regime(points, diverged_at):
    """Name what a 1-D descent towards 0 did: diverging, oscillating, too small, good, or at the minimum."""
    distance = np.abs(points)
    if diverged_at is not None or distance[-1] > distance[0]:
        return "diverging"
    if distance[0] == 0:
        return "at the minimum already"
    signs = np.sign(points[1:]) * np.sign(points[:-1])
    if len(signs) and np.mean(signs < 0) > 0.5:
        return "oscillating"
    if distance[-1] > 0.1 * distance[0]:
        return "too small"
    return "good"


_REGIME_HINTS = {
    "diverging": "lr too large: each step overshoots further",
    "oscillating": "lr large: jumps across the minimum",
    "too small": "lr too small: still far from the minimum",
    "good": "lr good: reaches the minimum",
    "at the minimum already": "the start is the minimum",
}


class _GradientDescent1DDrawing:
    """The curve f(x) = x**2 once; the iterates, the loss per step and the titles at each update."""

    def __init__(self):
        fig, (self.ax_f, self.ax_loss) = viz.subplots(1, 2, figsize=(8.4, 3.2))
        xs = np.linspace(-_GD_WINDOW, _GD_WINDOW, 201)
        with viz.style():
            self.ax_f.plot(
                xs, _gd_1d_function(xs), color=viz.PALETTE["black"], linewidth=1.0, label="f(x) = x²"
            )
            self.ax_f.set(
                xlim=(-_GD_WINDOW, _GD_WINDOW), ylim=(-0.3, _GD_WINDOW**2 + 0.3), xlabel="x", ylabel="f(x)"
            )
        self.live = viz.LiveFigure(fig)

    def draw(self, lr, start, steps):
        points, diverged_at = descend_1d(lr, start, steps)
        regime = learning_rate_regime(points, diverged_at)
        fig = self.live.clear()
        ax_f, ax_loss = self.ax_f, self.ax_loss
        with viz.style():
            ax_f.plot(
                points,
                _gd_1d_function(points),
                "-o",
                color=viz.PALETTE["vermillion"],
                markersize=4,
                linewidth=1.2,
                gid="trajectory",
                label="iterates",
            )
            ax_f.plot(points[0], points[0] ** 2, "o", color=viz.PALETTE["blue"], markersize=7, label="start")
            ax_f.legend(loc="upper center")
            ax_f.set_title(f"lr = {lr:.3g}: {regime}")
            values = _gd_1d_function(points)
            viz.plot_losses(values, ax=ax_loss, log=bool(values.min() > 0), ylabel="f(xₜ)")  # log needs f > 0
            ax_loss.set_title(_REGIME_HINTS[regime])
            if diverged_at is not None:
                viz.annotate_divergence(ax_f, diverged_at)
        return fig


def gradient_descent_1d(lr=0.1, start=2.0, steps=20):
    """Gradient descent on f(x) = x**2 with a learning-rate slider on a log scale.

    The title names the regime: "too small" (lr below about 0.06 for 20 steps), "good",
    "oscillating" (0.5 < lr < 1: each step jumps across the minimum) or "diverging" (lr > 1).

    Parameters
    ----------
    lr, start, steps : initial values of the controls.

    Returns
    -------
    Explorer
        Controls ``lr`` (0.001 to 2), ``start`` (-2 to 2) and ``steps`` (1 to 50).
    """
    controls = {
        "lr": _log_slider("learning rate", lr, 1e-3, 2.0),
        "start": _slider("start x", start, -2.0, 2.0, 0.1),
        "steps": _int_slider("steps", steps, 1, 50),
    }
    return Explorer(_GradientDescent1DDrawing().draw, controls, columns=3)


# ---------------------------------------------------------- 2. momentum in the canyon


class _MomentumDrawing:
    """The canyon once; the path, the loss per step and the titles at each update."""

    def __init__(self):
        fig, (self.ax_map, self.ax_loss) = viz.subplots(1, 2, figsize=(9.0, 3.3))
        viz.plot_landscape(landscapes.CANYON, ax=self.ax_map)
        self.live = viz.LiveFigure(fig)

    def draw(self, lr, momentum, nesterov, start_x, start_y, steps):
        nesterov = nesterov and momentum > 0  # Nesterov momentum needs some momentum
        trajectory = landscapes.optimize(
            landscapes.CANYON,
            lambda params: optim.SGD(params, lr=lr, momentum=momentum, nesterov=nesterov),
            start=(start_x, start_y),
            steps=steps,
        )
        fig = self.live.clear()
        viz.plot_trajectory(trajectory, ax=self.ax_map, color=viz.PALETTE["vermillion"])
        name = "Nesterov momentum" if nesterov else "SGD"
        self.ax_map.set_title(f"{name}: lr = {lr:.3g}, momentum = {momentum:.2f}")
        viz.plot_losses(trajectory.losses, ax=self.ax_loss, log=bool(trajectory.losses.min() > 0))
        if trajectory.diverged_at is None:
            self.ax_loss.set_title(f"loss {trajectory.losses[-1]:.3g} after {steps} steps")
        else:
            self.ax_loss.set_title(f"diverged at step {trajectory.diverged_at}")
        return fig


def momentum_explorer(lr=0.15, momentum=0.0, steps=60):
    """SGD with momentum on ``landscapes.CANYON``: the path on the contour plot and the loss per step.

    Plain SGD zig-zags across the canyon for lr > 0.1 and diverges beyond 0.2; momentum damps
    the zig-zag and speeds up the crawl along the floor.

    Returns
    -------
    Explorer
        Controls ``lr`` (0.001 to 0.5), ``momentum`` (0 to 0.99), ``nesterov``, ``start_x``,
        ``start_y`` (within the canyon's bounds) and ``steps`` (1 to 300).
    """
    (xmin, xmax), (ymin, ymax) = landscapes.CANYON.bounds
    sx, sy = landscapes.CANYON.start
    controls = {
        "lr": _log_slider("learning rate", lr, 1e-3, 0.5),
        "momentum": _slider("momentum β", momentum, 0.0, 0.99, 0.01),
        "nesterov": widgets.Checkbox(value=False, description="Nesterov", indent=False),
        "start_x": _slider("start x", sx, xmin, xmax, 0.5),
        "start_y": _slider("start y", sy, ymin, ymax, 0.25),
        "steps": _int_slider("steps", steps, 1, 300),
    }
    return Explorer(_MomentumDrawing().draw, controls, columns=3)


# ------------------------------------------------------------------ 3. optimizer race

RACE_OPTIMIZERS = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "Adadelta": lambda params, lr: optim.Adadelta(params, lr=lr),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
    "AMSGrad": lambda params, lr: optim.AMSGrad(params, lr=lr),
}
"""The racers: name -> (parameters, learning rate) -> optimizer. Momentum is 0.9 where used."""

RACE_LEARNING_RATES = {
    "canyon": {
        "SGD": 0.15,
        "momentum": 0.02,
        "Nesterov": 0.02,
        "Adagrad": 1.0,
        "Adadelta": 10.0,
        "RMSprop": 0.1,
        "Adam": 0.3,
        "AMSGrad": 0.3,
    },
    "rosenbrock": {
        "SGD": 1e-3,
        "momentum": 1e-3,
        "Nesterov": 1e-3,
        "Adagrad": 1.0,
        "Adadelta": 10.0,
        "RMSprop": 0.1,
        "Adam": 0.3,
        "AMSGrad": 0.3,
    },
    "beale": {
        "SGD": 0.01,
        "momentum": 1e-3,
        "Nesterov": 1e-3,
        "Adagrad": 1.0,
        "Adadelta": 10.0,
        "RMSprop": 0.03,
        "Adam": 0.1,
        "AMSGrad": 0.1,
    },
    "saddle": {
        "SGD": 0.03,
        "momentum": 0.01,
        "Nesterov": 0.01,
        "Adagrad": 0.1,
        "Adadelta": 3.0,
        "RMSprop": 3e-3,
        "Adam": 0.01,
        "AMSGrad": 0.01,
    },
}
"""Starting learning rates per landscape (150 steps), each picked from a sweep over powers of about 3
so that every racer makes visible progress without diverging."""


def _lr_name(optimizer_name):
    return "lr_" + optimizer_name.lower()


RACE_LINESTYLES = {"Nesterov": "--", "AMSGrad": "--"}  # dashed: they often run on top of momentum, Adam


class _RaceDrawing:
    """One figure per landscape (its contour plot drawn once); the racers' paths and losses per update."""

    def __init__(self):
        self.figures = {}

    def _figure(self, landscape):
        if landscape not in self.figures:
            fig, axes = viz.subplots(1, 2, figsize=(10.5, 3.6), margins={"right": 1.9})
            viz.plot_landscape(landscapes.LANDSCAPES[landscape], ax=axes[0])
            self.figures[landscape] = viz.LiveFigure(fig)
        return self.figures[landscape]

    def draw(self, landscape, steps, **learning_rates):
        surface = landscapes.LANDSCAPES[landscape]
        live = self._figure(landscape)
        fig = live.clear()
        ax_map, ax_loss = fig.axes
        lowest, highest = [], []
        with viz.style():
            for (name, make), color in zip(RACE_OPTIMIZERS.items(), viz.COLORS):
                lr = learning_rates[_lr_name(name)]
                trajectory = landscapes.optimize(
                    surface, lambda params, make=make, lr=lr: make(params, lr), steps=steps
                )
                label = name
                if trajectory.diverged_at is not None:
                    label = f"{name}\n(diverged at step {trajectory.diverged_at})"
                style = {"color": color, "linestyle": RACE_LINESTYLES.get(name, "-")}
                viz.plot_trajectory(trajectory, ax=ax_map, label=name, annotate=False, **style)
                ax_loss.plot(trajectory.losses, label=label, gid=f"curve:{name}", **style)
                lowest.append(trajectory.losses.min())
                highest.append(trajectory.losses.max())
            if min(lowest) > 0:
                ax_loss.set_autoscaley_on(True)
                viz.set_log_scale(ax_loss, "y")
            else:  # a landscape without a lower bound: show losses down to the lowest value in the window
                viz.set_linear_scale(ax_loss, "y")
                _, _, values = surface.grid(50)
                ax_loss.set_ylim(max(min(lowest), values.min()), max(highest))
            ax_map.set_title(f"{surface.name}: {steps} steps from {surface.start}")
            ax_loss.set(xlabel="step", ylabel="loss", title="loss per step")
            ax_loss.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
        return fig


class _Race(Explorer):
    """The race resets the learning rates to the landscape's defaults when the landscape changes."""

    def __init__(self, controls):
        # registered before interactive's own observer, so the new rates are in place for its redraw
        controls["landscape"].observe(self._landscape_changed, names="value")
        super().__init__(_RaceDrawing().draw, controls, columns=3)

    def _landscape_changed(self, change):
        self._muted = True
        try:
            for name, lr in RACE_LEARNING_RATES[change["new"]].items():
                self.controls[_lr_name(name)].value = lr
        finally:
            self._muted = False


def optimizer_race(landscape="canyon", steps=150):
    """SGD, momentum, Nesterov, Adagrad, Adadelta, RMSprop, Adam and AMSGrad from the same start.

    Each racer has its own learning-rate slider; choosing a landscape resets them to
    :data:`RACE_LEARNING_RATES`. Momentum and Nesterov use momentum 0.9, the others their
    PyTorch defaults.

    Returns
    -------
    Explorer
        Controls ``landscape`` ("canyon", "rosenbrock", "beale", "saddle"), ``steps`` (10 to 500)
        and ``lr_sgd``, ``lr_momentum``, ``lr_nesterov``, ``lr_adagrad``, ``lr_adadelta``,
        ``lr_rmsprop``, ``lr_adam``, ``lr_amsgrad``.
    """
    if landscape not in RACE_LEARNING_RATES:
        raise ValueError(f"landscape must be one of {list(RACE_LEARNING_RATES)}, got {landscape!r}")
    options = [(landscapes.LANDSCAPES[key].name, key) for key in RACE_LEARNING_RATES]
    controls = {
        "landscape": _dropdown("landscape", options, landscape),
        "steps": _int_slider("steps", steps, 10, 500, 10),
    }
    for name, lr in RACE_LEARNING_RATES[landscape].items():
        controls[_lr_name(name)] = _log_slider(f"lr {name}", lr, 1e-5, 100.0)
    return _Race(controls)


# --------------------------------------------------------------------- 4. one neuron

_NEURON_BOUNDS = ((-3.0, 3.0), (-3.0, 3.0))


def neuron_data():
    """The two classes the neuron explorer shows: 100 points in two blobs, shape (100, 2) and (100,)."""
    return data.make_blobs(n_samples=100, centers=[[-1.0, -0.8], [1.2, 1.0]], noise=0.6, seed=3)


def boundary_line(w1, w2, b, bounds=_NEURON_BOUNDS):
    """Two points of the line w1 x + w2 y + b = 0 spanning ``bounds``, or None when w = 0."""
    (xmin, xmax), (ymin, ymax) = bounds
    if w1 == 0 and w2 == 0:
        return None
    if abs(w2) >= abs(w1):
        xs = np.array([xmin, xmax])
        return xs, -(b + w1 * xs) / w2
    ys = np.array([ymin, ymax])
    return -(b + w2 * ys) / w1, ys


class _NeuronDrawing:
    """The data, the output image and its colour bar once; their values, the boundary and g(z) per update."""

    def __init__(self):
        self.X, self.y = neuron_data()
        (xmin, xmax), (ymin, ymax) = _NEURON_BOUNDS
        self.grid_x, self.grid_y = np.meshgrid(np.linspace(xmin, xmax, 120), np.linspace(ymin, ymax, 120))
        fig, (self.ax_plane, self.ax_act) = viz.subplots(1, 2, figsize=(8.8, 3.4), margins={"wspace": 1.0})
        with viz.style():
            self.image = self.ax_plane.imshow(
                np.zeros_like(self.grid_x),
                origin="lower",
                extent=(xmin, xmax, ymin, ymax),
                cmap=viz.DIVERGING_CMAP,
                aspect="auto",
            )
            self.colorbar = fig.colorbar(self.image, ax=self.ax_plane)
            for k in (0, 1):
                members = self.y == k
                self.ax_plane.scatter(
                    self.X[members, 0],
                    self.X[members, 1],
                    s=16,
                    color=viz.COLORS[k],
                    marker=viz.MARKERS[k],
                    edgecolors="black",
                    linewidths=0.4,
                    label=f"class {k}",
                )
            self.ax_plane.set(xlim=(xmin, xmax), ylim=(ymin, ymax), xlabel="x₁", ylabel="x₂")
            self.ax_plane.grid(False)
        self.live = viz.LiveFigure(fig)

    def draw(self, w1, w2, b, activation, negative_slope):
        kwargs = {"negative_slope": negative_slope} if activation == "leaky_relu" else {}
        function = getattr(activations, activation)
        threshold = float(function(np.zeros(1), **kwargs)[0])  # g(0): the output on the boundary
        output = function(w1 * self.grid_x + w2 * self.grid_y + b, **kwargs)
        fig = self.live.clear()
        ax_plane, ax_act, X, y = self.ax_plane, self.ax_act, self.X, self.y
        with viz.style():
            # white where the output equals g(0) (on the boundary), blue below, orange above
            reach = max(np.abs(output - threshold).max(), 1e-6)
            self.image.set_data(output)
            self.image.set_norm(Normalize(vmin=threshold - reach, vmax=threshold + reach))
            self.colorbar.ax.set_ylim(
                output.min(), max(output.max(), output.min() + 1e-6)
            )  # values that occur
            self.colorbar.set_label(f"output {activation}(w·x + b)")
            line = boundary_line(w1, w2, b)
            if line is None:
                ax_plane.text(0.5, 0.92, "w = 0: no boundary", transform=ax_plane.transAxes, ha="center")
                accuracy = np.mean(y == (b > 0))
            else:
                ax_plane.plot(*line, color="black", linewidth=1.8, gid="boundary", label="w·x + b = 0")
                foot = (
                    -b * np.array([w1, w2]) / (w1**2 + w2**2)
                )  # the point of the line closest to the origin
                ax_plane.annotate(
                    "",
                    xy=foot + np.array([w1, w2]) / np.hypot(w1, w2),
                    xytext=foot,
                    arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.4},
                )
                accuracy = np.mean(y == (X @ np.array([w1, w2]) + b > 0))
            ax_plane.set_title(f"w = ({w1:.2g}, {w2:.2g}), b = {b:.2g}: accuracy {accuracy:.0%}")
            ax_plane.legend(loc="lower right", fontsize=7, framealpha=0.8, frameon=True)
            viz.plot_activation(activation, ax=ax_act, title=activation, **kwargs)
            z = X @ np.array([w1, w2]) + b
            ax_act.plot(z, function(z, **kwargs), "|", color=viz.PALETTE["black"], markersize=8, label="data")
            ax_act.legend()
        return fig


def neuron_explorer(w1=1.0, w2=1.0, b=0.0, activation="sigmoid"):
    """One neuron ``g(w1 x1 + w2 x2 + b)`` over the plane: its output, boundary and activation.

    The boundary ``w . x + b = 0`` (white line; the arrow is ``w``, pointing to the side of
    class 1) is where the pre-activation changes sign, whichever the activation. The right
    panel shows g and g' with the data's pre-activations marked.

    Returns
    -------
    Explorer
        Controls ``w1``, ``w2``, ``b`` (-3 to 3), ``activation`` and ``negative_slope``
        (0 to 0.5, for leaky_relu).
    """
    controls = {
        "w1": _slider("weight w1", w1, -3.0, 3.0, 0.1),
        "w2": _slider("weight w2", w2, -3.0, 3.0, 0.1),
        "b": _slider("bias b", b, -3.0, 3.0, 0.1),
        "activation": _dropdown("activation", ["sigmoid", "tanh", "relu", "leaky_relu"], activation),
        "negative_slope": _slider("leaky slope", 0.1, 0.0, 0.5, 0.01),
    }
    return Explorer(_NeuronDrawing().draw, controls, columns=3)


# ------------------------------------------------------------- 5. training playground

PLAYGROUND_DATASETS = {
    "moons": lambda: data.make_moons(n_samples=200, noise=0.2, seed=0),
    "circles": lambda: data.make_circles(n_samples=200, noise=0.1, seed=0),
    "spiral": lambda: data.make_spirals(n_samples=300, n_classes=2, noise=0.08, turns=1.5, seed=0),
    "XOR": lambda: data.make_xor(n_samples=200, noise=0.3, seed=0),
}
PLAYGROUND_HIDDEN = ["4", "8", "16", "32", "8, 8", "16, 16", "32, 32", "16, 16, 16"]
PLAYGROUND_OPTIMIZERS = ["SGD", "Adam", "RMSprop", "Adagrad"]
PLAYGROUND_BATCH_SIZES = [("8", 8), ("16", 16), ("32", 32), ("64", 64), ("full batch", 0)]


def make_playground_optimizer(name, params, lr, momentum):
    """The playground's optimizer; ``momentum`` is used by SGD and RMSprop."""
    if name == "SGD":
        return optim.SGD(params, lr=lr, momentum=momentum)
    if name == "RMSprop":
        return optim.RMSprop(params, lr=lr, momentum=momentum)
    if name == "Adam":
        return optim.Adam(params, lr=lr)
    if name == "Adagrad":
        return optim.Adagrad(params, lr=lr)
    raise ValueError(f"optimizer must be one of {PLAYGROUND_OPTIMIZERS}, got {name!r}")


class TrainingPlayground(widgets.VBox):
    """Train a small MLP on a toy data set and watch its loss and decision boundary.

    "Train" runs ``epochs`` epochs in chunks of about half a second; after each chunk the
    figure (loss curves, boundary on the training and on the test set) and the progress bar are
    updated, so progress is visible while training runs. Changing any control starts over with
    a freshly initialised model (seed 0), so a setting always gives the same run.

    Attributes
    ----------
    controls : dict of str -> ValueWidget
        dataset, hidden, activation, optimizer, lr, momentum (SGD and RMSprop only), batch_size,
        epochs (per press of "Train"). Changing any but ``epochs`` starts over.
    train_button, reset_button : Button
    progress : IntProgress
        Epochs done in the current "Train" run.
    image : Image
        The figure as PNG.
    figure : Figure
        The latest drawing.
    history : dict of str -> list of float
        "train" and "test" loss after each epoch (the first entry is before training).
    diverged_at : int or None
        The epoch after which the training loss was not finite or exceeded ``divergence_factor``
        (100) times its initial value; training stops there until a reset.
    """

    first_chunk_seconds = 0.25  # the first picture comes soon after the click
    chunk_seconds = 0.5
    divergence_factor = 100.0  # a training loss this many times the initial one counts as diverged

    def __init__(self, dataset="moons", hidden="16, 16", activation="relu", optimizer="Adam", lr=0.01):
        self.controls = {
            "dataset": _dropdown("data set", list(PLAYGROUND_DATASETS), dataset),
            "hidden": _dropdown("hidden layers", PLAYGROUND_HIDDEN, hidden),
            "activation": _dropdown("activation", ["relu", "leaky_relu", "tanh", "sigmoid"], activation),
            "optimizer": _dropdown("optimizer", PLAYGROUND_OPTIMIZERS, optimizer),
            "lr": _log_slider("learning rate", lr, 1e-4, 10.0),
            "momentum": _slider("momentum", 0.9, 0.0, 0.99, 0.01),
            "batch_size": _dropdown("batch size", PLAYGROUND_BATCH_SIZES, 16),
            "epochs": _int_slider("epochs per run", 100, 10, 1000, 10),
        }
        self.train_button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.reset_button = widgets.Button(description="Reset", icon="refresh")
        self.progress = widgets.IntProgress(value=0, min=0, max=100, description="progress")
        self.image = widgets.Image(format="png")
        self.figure = None
        self._live = None
        controls = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(grid_template_columns="repeat(3, max-content)", grid_gap="2px 16px"),
        )
        buttons = widgets.HBox([self.train_button, self.reset_button, self.progress])
        super().__init__([controls, buttons, self.image])
        self.train_button.on_click(lambda _: self.train())
        self.reset_button.on_click(lambda _: self.reset())
        for name, control in self.controls.items():
            if name != "epochs":  # how long to train next is no reason to start over
                control.observe(lambda _: self.reset(), names="value")
        self.reset()

    def _repr_mimebundle_(self, **kwargs):
        return _with_static_picture(super()._repr_mimebundle_(**kwargs), self.figure)

    # -- state
    def reset(self):
        """Start over: the data set, a model initialised with seed 0, a new optimizer; redraw."""
        settings = {name: control.value for name, control in self.controls.items()}
        X, y = PLAYGROUND_DATASETS[settings["dataset"]]()
        self.X_train, self.X_test, self.y_train, self.y_test = data.train_test_split(
            X, y, test_size=0.3, seed=0
        )
        self.n_classes = int(y.max()) + 1
        sizes = [2, *(int(n) for n in settings["hidden"].split(",")), self.n_classes]
        with _seeded(0):
            self.model = nn.MLP(sizes, activation=settings["activation"])
        self.optimizer = make_playground_optimizer(
            settings["optimizer"], self.model.parameters(), settings["lr"], settings["momentum"]
        )
        self.controls["momentum"].disabled = settings["optimizer"] not in ("SGD", "RMSprop")
        self.epoch = 0
        self.diverged_at = None
        self.history = {
            "train": [self._loss(self.X_train, self.y_train)],
            "test": [self._loss(self.X_test, self.y_test)],
        }
        self.progress.value = 0
        self._draw()

    def _loss(self, X, y):
        with no_grad(), np.errstate(all="ignore"):
            return float(losses.cross_entropy(self.model(Tensor(X)), y).item())

    def _train_epoch(self):
        batch_size = self.controls["batch_size"].value or len(self.X_train)
        for Xb, yb in data.batches(self.X_train, self.y_train, batch_size, seed=self.epoch):
            self.optimizer.zero_grad()
            loss = losses.cross_entropy(self.model(Tensor(Xb)), yb)
            loss.backward()
            self.optimizer.step()
        self.epoch += 1
        self.history["train"].append(self._loss(self.X_train, self.y_train))
        self.history["test"].append(self._loss(self.X_test, self.y_test))

    def train(self, epochs=None):
        """Train ``epochs`` more epochs (the control's value by default), redrawing after each chunk.

        Returns
        -------
        float or None
            Seconds until the first redraw (the wait before something visibly happens); None if
            nothing was trained (a diverged run must be reset first).
        """
        epochs = self.controls["epochs"].value if epochs is None else int(epochs)
        self.progress.max, self.progress.value = epochs, 0
        started = time.perf_counter()
        first_update = None
        self.train_button.disabled = True
        try:
            done = 0
            while done < epochs and self.diverged_at is None:
                chunk_start = time.perf_counter()
                seconds = self.chunk_seconds if first_update is not None else self.first_chunk_seconds
                while True:  # at least one epoch per chunk
                    try:
                        with np.errstate(over="ignore", invalid="ignore"):
                            self._train_epoch()
                    except NonFiniteError:
                        self.diverged_at = self.epoch + 1
                        break
                    done += 1
                    if self._exploded():
                        self.diverged_at = self.epoch
                        break
                    if done >= epochs or time.perf_counter() - chunk_start >= seconds:
                        break
                self.progress.value = done
                self._draw()
                if first_update is None:
                    first_update = time.perf_counter() - started
        finally:
            self.train_button.disabled = False
        return first_update

    def _exploded(self):
        """True when the training loss is not finite or above ``divergence_factor`` times its start."""
        loss = self.history["train"][-1]
        return not math.isfinite(loss) or loss > self.divergence_factor * self.history["train"][0]

    # -- drawing
    def _draw(self):
        self.figure = self._render()
        self.image.value = viz.figure_to_png(self.figure)

    def _render(self):
        if self._live is None:  # one figure for the playground's life, redrawn in place
            self._live = viz.LiveFigure(viz.subplots(1, 3, figsize=(11.4, 3.3))[0])
        fig = self._live.clear()
        ax_loss, ax_train, ax_test = fig.axes
        viz.plot_losses(self.history, ax=ax_loss, xlabel="epoch", ylabel="cross-entropy loss")
        train_loss, test_loss = self.history["train"][-1], self.history["test"][-1]
        ax_loss.set_title(f"epoch {self.epoch}: train {train_loss:.3g}, test {test_loss:.3g}")
        ax_loss.set_xlim(0, max(self.epoch, 1))
        if self.diverged_at is not None:
            viz.annotate_divergence(ax_loss, self.diverged_at, what="epoch")
        bounds = viz.data_bounds(np.concatenate([self.X_train, self.X_test]))
        for ax, X, y, name in (
            (ax_train, self.X_train, self.y_train, "train"),
            (ax_test, self.X_test, self.y_test, "test"),
        ):
            with np.errstate(all="ignore"):
                viz.plot_decision_boundary(
                    self.model, X, y, ax=ax, bounds=bounds, resolution=80, n_classes=self.n_classes
                )
                predicted = viz.predict_classes(self.model, X, 0.0)
            ax.set_title(f"{name} set: accuracy {np.mean(predicted == y):.0%}")
        return fig


def training_playground(dataset="moons", hidden="16, 16", activation="relu", optimizer="Adam", lr=0.01):
    """A small playground: choose data, network and optimizer, press Train, watch it learn.

    Returns
    -------
    TrainingPlayground
    """
    return TrainingPlayground(dataset, hidden, activation, optimizer, lr)


# --------------------------------------------------------------- 6. backpropagation


def backprop_graph(a, b):
    """Build e = (a + b)(b + 1) from labelled float64 tensors and backpropagate; returns e.

    The graph keeps its derivative functions (``retain_graph=True``), so the drawing can label
    each edge with its local derivative.
    """
    a = Tensor(a, requires_grad=True, dtype=np.float64, label="a")
    b = Tensor(b, requires_grad=True, dtype=np.float64, label="b")
    c = a + b
    c.label = "c"
    d = b + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    e.backward(retain_graph=True)
    return e


class _BackpropDrawing:
    def __init__(self):
        self.live = viz.LiveFigure(viz.subplots(figsize=(5.5, 3.5), dpi=110)[0])  # small text: more pixels

    def draw(self, a, b):
        e = backprop_graph(a, b)
        leaf_a, leaf_b = e.inputs[0].inputs
        title = (
            f"e = (a + b)(b + 1) = {e.item():.4g};   ∂e/∂a = {leaf_a.grad.item():.4g},   "
            f"∂e/∂b = {leaf_b.grad.item():.4g}"
        )
        fig = self.live.clear()
        return viz.draw_graph(e, ax=fig.axes[0], title=title)


def backprop_explorer(a=2.0, b=1.0):
    """The computational graph of e = (a + b)(b + 1): forward values, gradients and local derivatives.

    At a = 2, b = 1 it reproduces the lecture's figure: e = 6, de/da = 2, de/db = 5.

    Returns
    -------
    Explorer
        Controls ``a`` and ``b`` (-3 to 3 in steps of 0.5).
    """
    controls = {"a": _slider("a", a, -3.0, 3.0, 0.5), "b": _slider("b", b, -3.0, 3.0, 0.5)}
    return Explorer(_BackpropDrawing().draw, controls, columns=2)


# ---------------------------------------------------------- 7. under- and overfitting


class CapacityRun:
    """One training run recorded for the capacity explorer.

    An MLP fitted to a few noisy samples of sin(x) with full-batch Adam, which fits the curve
    first and the noise later: the test loss falls, reaches a minimum, and rises again.

    Attributes
    ----------
    X_train, y_train, X_test, y_test : ndarrays of shape (n, 1) and (n,)
    curve_x : ndarray of shape (200,)
        Where the model's prediction is recorded.
    checkpoints : list of int
        Steps at which predictions and test loss were recorded (0 and about 60 log-spaced steps).
    predictions : dict of int -> ndarray of shape (200,)
    train_loss : ndarray of shape (steps + 1,)
        Mean squared error on the training set before each step (and after the last).
    test_loss : dict of int -> float
        Mean squared error on the test set at each checkpoint.
    """

    def __init__(self, hidden=(100,), steps=2000, lr=0.01, n_train=15, noise=0.3, seed=0):
        self.hidden, self.steps, self.lr = tuple(hidden), int(steps), float(lr)
        self.X_train, self.y_train = data.make_regression_1d(n_samples=n_train, noise=noise, seed=seed + 1)
        self.X_test, self.y_test = data.make_regression_1d(n_samples=200, noise=noise, seed=seed + 2)
        self.curve_x = np.linspace(-np.pi, np.pi, 200)
        marks = np.unique(np.round(np.logspace(0, math.log10(max(self.steps, 1)), 60)).astype(int))
        self.checkpoints = [0, *marks.tolist()]
        with _seeded(seed):
            self.model = nn.MLP([1, *self.hidden, 1], activation="tanh")
        optimizer = optim.Adam(self.model.parameters(), lr=self.lr)
        inputs = Tensor(self.X_train)
        self.predictions, self.test_loss, train_loss = {}, {}, []
        checkpoints = set(self.checkpoints)
        for step in range(self.steps + 1):
            if step in checkpoints:
                self._record(step)
            optimizer.zero_grad()
            loss = losses.mse(self.model(inputs).reshape(-1), self.y_train)
            train_loss.append(loss.item())
            if step < self.steps:
                loss.backward()
                optimizer.step()
        self.train_loss = np.array(train_loss)

    def _record(self, step):
        with no_grad():
            curve = self.model(Tensor(self.curve_x[:, None].astype(self.X_train.dtype)))
            test = losses.mse(self.model(Tensor(self.X_test)).reshape(-1), self.y_test)
        self.predictions[step] = curve.data.reshape(-1).astype(float)
        self.test_loss[step] = test.item()

    def regime(self, step, tolerance=1.2):
        """ "underfitting", "good fit" or "overfitting" at a checkpoint, from the test loss.

        Within ``tolerance`` times the lowest test loss it is a good fit; before that minimum,
        underfitting (training error still high too); after it, overfitting (the gap grows).
        """
        best_step = min(self.test_loss, key=self.test_loss.get)
        if self.test_loss[step] <= tolerance * self.test_loss[best_step]:
            return "good fit"
        return "underfitting" if step < best_step else "overfitting"


class _CapacityDrawing:
    """The data and both loss curves once; the model's curve, a marker and the titles per update."""

    def __init__(self, run):
        self.run = run
        fig, (self.ax_fit, self.ax_loss) = viz.subplots(1, 2, figsize=(9.0, 3.3))
        with viz.style():
            self.ax_fit.scatter(
                run.X_test[:, 0],
                run.y_test,
                s=8,
                color=viz.PALETTE["sky_blue"],
                marker="s",
                alpha=0.6,
                label="test",
            )
            self.ax_fit.scatter(
                run.X_train[:, 0], run.y_train, s=22, color=viz.PALETTE["blue"], label="train"
            )
            self.ax_fit.set(xlim=(-np.pi - 0.2, np.pi + 0.2), ylim=(-2.2, 2.2), xlabel="x", ylabel="y")
            steps = np.arange(len(run.train_loss))
            self.ax_loss.plot(steps[1:], run.train_loss[1:], label="train", gid="curve:train")
            marks = [s for s in run.checkpoints if s > 0]
            self.ax_loss.plot(marks, [run.test_loss[s] for s in marks], label="test", gid="curve:test")
            viz.set_log_scale(self.ax_loss, "x")
            viz.set_log_scale(self.ax_loss, "y", subs=(1.0, 2.0, 5.0))
            self.ax_loss.set(xlabel="training step", ylabel="mean squared error")
            self.ax_loss.legend()
        self.live = viz.LiveFigure(fig)

    def draw(self, step):
        run = self.run
        fig = self.live.clear()
        with viz.style():
            self.ax_fit.plot(
                run.curve_x,
                run.predictions[step],
                color=viz.PALETTE["vermillion"],
                gid="model",
                label="model",
            )
            self.ax_fit.legend(loc="upper left")
            self.ax_fit.set_title(f"after {step} steps: {run.regime(step)}")
            self.ax_loss.axvline(max(step, 1), color=viz.PALETTE["black"], linewidth=1.0, linestyle=":")
            self.ax_loss.set_title(f"train {run.train_loss[step]:.3f}, test {run.test_loss[step]:.3f}")
        return fig


def capacity_explorer(hidden=(100,), steps=2000, lr=0.01, n_train=15, noise=0.3, seed=0):
    """Under- and overfitting: a wide MLP fitting 15 noisy points, seen at a chosen training length.

    Building it trains once (under a second) and records the fit at about 60 checkpoints; the
    slider then picks a checkpoint. Early the model underfits (both losses high), in between it
    fits well, and late it fits the noise: the training loss keeps falling while the test loss
    rises again.

    Parameters
    ----------
    hidden : tuple of int
        Hidden layer widths of the MLP (tanh).
    steps : int
        Training steps (full-batch Adam with learning rate ``lr``).
    n_train, noise, seed :
        Training points, noise of the samples of sin(x), and seed of data and initialisation.

    Returns
    -------
    Explorer
        Control ``step``, a selection of the recorded checkpoints; the run is ``explorer.run``.
    """
    run = CapacityRun(hidden, steps, lr, n_train, noise, seed)
    slider = widgets.SelectionSlider(
        options=run.checkpoints,
        value=run.checkpoints[len(run.checkpoints) // 2],
        description="training steps",
        continuous_update=False,
        style=_WIDE,
        layout=widgets.Layout(width="420px"),
    )
    explorer = Explorer(_CapacityDrawing(run).draw, {"step": slider}, columns=1)
    explorer.run = run
    return explorer

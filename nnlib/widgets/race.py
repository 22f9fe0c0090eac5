"""Explorer: eight optimizers racing from the same start on a chosen landscape."""

from nnlib import landscapes, viz
from nnlib.simulations.optimizer_runs import RACE_LEARNING_RATES, RACE_OPTIMIZERS, race
from nnlib.widgets.explorer import Explorer, check_choice, dropdown, int_slider, log_slider

__all__ = ["RACE_COLORS", "optimizer_race"]

RACE_COLORS = {
    "SGD": viz.PALETTE["black"],
    "momentum": viz.PALETTE["blue"],
    "Nesterov": viz.PALETTE["sky_blue"],
    "Adagrad": viz.PALETTE["green"],
    "Adadelta": viz.PALETTE["purple"],
    "RMSprop": viz.PALETTE["orange"],
    "Adam": viz.PALETTE["vermillion"],
    "AMSGrad": "#767676",  # mid grey: the palette's eighth colour, yellow, is too faint on white
}
"""Each racer's colour, wherever the race is drawn: distinct, and each readable on a white background."""

RACE_LINESTYLES = {"Nesterov": "--", "AMSGrad": "--"}  # dashed: they often run on top of momentum, Adam


def lr_control_name(optimizer_name):
    """The name of a racer's learning-rate control, e.g. "lr_adam"."""
    return "lr_" + optimizer_name.lower()


class RaceDrawing:
    """One figure per landscape (its contour plot drawn once); the racers' paths and losses per update."""

    def __init__(self):
        self.figures = {}

    def live_figure(self, landscape):
        if landscape not in self.figures:
            fig, axes = viz.subplots(1, 2, figsize=(10.5, 3.6), margins={"right": 1.9})
            viz.plot_landscape(landscapes.LANDSCAPES[landscape], ax=axes[0])
            self.figures[landscape] = viz.LiveFigure(fig)
        return self.figures[landscape]

    def draw(self, landscape, steps, **learning_rates):
        surface = landscapes.LANDSCAPES[landscape]
        rates = {name: learning_rates[lr_control_name(name)] for name in RACE_OPTIMIZERS}
        trajectories = race(landscape, steps, rates)
        fig = self.live_figure(landscape).clear()
        ax_map, ax_loss = fig.axes
        with viz.style():
            for name, trajectory in trajectories.items():
                label = name
                if trajectory.diverged_at is not None:
                    label = f"{name}\n(diverged at step {trajectory.diverged_at})"
                style = {"color": RACE_COLORS[name], "linestyle": RACE_LINESTYLES.get(name, "-")}
                viz.plot_trajectory(trajectory, ax=ax_map, label=name, annotate=False, **style)
                ax_loss.plot(trajectory.losses, label=label, gid=f"curve:{name}", **style)
            lowest = min(trajectory.losses.min() for trajectory in trajectories.values())
            highest = max(trajectory.losses.max() for trajectory in trajectories.values())
            if lowest > 0:
                ax_loss.set_autoscaley_on(True)
                viz.set_log_scale(ax_loss, "y")
            else:  # a landscape without a lower bound: show losses down to the lowest value in the window
                viz.set_linear_scale(ax_loss, "y")
                _, _, values = surface.grid(50)
                ax_loss.set_ylim(max(lowest, values.min()), highest)
            x0, y0 = surface.start
            ax_map.set_title(f"{surface.name}: {steps} steps from ({x0:.3g}, {y0:.3g})")
            ax_loss.set(xlabel="step", ylabel="loss", title="loss per step")
            ax_loss.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
        return fig


class OptimizerRace(Explorer):
    """The race resets the learning rates to the landscape's defaults when the landscape changes."""

    def __init__(self, controls):
        # registered before interactive's own observer, so the new rates are in place for its redraw
        controls["landscape"].observe(self.landscape_changed, names="value")
        super().__init__(RaceDrawing().draw, controls, columns=3)

    def landscape_changed(self, change):
        self.muted = True
        try:
            for name, lr in RACE_LEARNING_RATES[change["new"]].items():
                self.controls[lr_control_name(name)].value = lr
        finally:
            self.muted = False


def optimizer_race(landscape="canyon", steps=150):
    """SGD, momentum, Nesterov, Adagrad, Adadelta, RMSprop, Adam and AMSGrad from the same start.

    Each racer has its own learning-rate slider; choosing a landscape resets them to
    ``RACE_LEARNING_RATES``. Momentum and Nesterov use momentum 0.9, the others their
    PyTorch defaults.

    Parameters
    ----------
    landscape : str, default "canyon"
        "canyon", "rotated canyon", "rosenbrock", "beale" or "saddle".
    steps : int, default 150
        From 10 to 500.

    Returns
    -------
    Explorer
        Controls ``landscape``, ``steps`` and ``lr_sgd``, ``lr_momentum``, ``lr_nesterov``,
        ``lr_adagrad``, ``lr_adadelta``, ``lr_rmsprop``, ``lr_adam``, ``lr_amsgrad`` (each from
        1e-5 to 100).

    Raises
    ------
    ValueError
        If an argument is outside its range.
    """
    check_choice("landscape", landscape, RACE_LEARNING_RATES)
    options = [(landscapes.LANDSCAPES[key].name, key) for key in RACE_LEARNING_RATES]
    controls = {
        "landscape": dropdown("landscape", "landscape", options, landscape),
        "steps": int_slider("steps", "steps", steps, 10, 500, 10),
    }
    for name, lr in RACE_LEARNING_RATES[landscape].items():
        controls[lr_control_name(name)] = log_slider(lr_control_name(name), f"lr {name}", lr, 1e-5, 100.0)
    return OptimizerRace(controls)

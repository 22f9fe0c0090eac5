"""Explorer: under- and overfitting as training goes on, from one recorded run."""

import ipywidgets as widgets
import numpy as np

from nnlib import viz
from nnlib.simulations.capacity_run import CapacityRun
from nnlib.widgets.explorer import WIDE_DESCRIPTION, Explorer

__all__ = ["capacity_explorer"]


class CapacityDrawing:
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
    hidden, steps, lr, n_train, noise, seed :
        The run's settings; see :class:`nnlib.simulations.capacity_run.CapacityRun`.

    Returns
    -------
    Explorer
        Control ``step``, a selection of the recorded checkpoints; the run is ``explorer.run``.

    Raises
    ------
    ValueError
        If a setting is out of range (e.g. ``steps`` below 1 or ``noise`` negative).
    """
    run = CapacityRun(hidden, steps, lr, n_train, noise, seed)
    slider = widgets.SelectionSlider(
        options=run.checkpoints,
        value=run.checkpoints[len(run.checkpoints) // 2],
        description="training steps",
        continuous_update=False,
        style=WIDE_DESCRIPTION,
        layout=widgets.Layout(width="420px"),
    )
    explorer = Explorer(CapacityDrawing(run).draw, {"step": slider}, columns=1)
    explorer.run = run
    return explorer

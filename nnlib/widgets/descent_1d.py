"""Explorer: gradient descent on f(x) = x**2 with a learning-rate slider on a log scale."""

import numpy as np

from nnlib import viz
from nnlib.simulations.parabola import REGIME_HINTS, WINDOW, descend_1d, learning_rate_regime, parabola
from nnlib.widgets.explorer import Explorer, float_slider, int_slider, log_slider

__all__ = ["gradient_descent_1d"]


class GradientDescent1DDrawing:
    """The curve f(x) = x**2 once; the iterates, the loss per step and the titles at each update."""

    def __init__(self):
        fig, (self.ax_f, self.ax_loss) = viz.subplots(1, 2, figsize=(8.4, 3.2))
        xs = np.linspace(-WINDOW, WINDOW, 201)
        with viz.style():
            self.ax_f.plot(xs, parabola(xs), color=viz.PALETTE["black"], linewidth=1.0, label="f(x) = x²")
            self.ax_f.set(xlim=(-WINDOW, WINDOW), ylim=(-0.3, WINDOW**2 + 0.3), xlabel="x", ylabel="f(x)")
        self.live = viz.LiveFigure(fig)

    def draw(self, lr, start, steps):
        points, diverged_at = descend_1d(lr, start, steps)
        regime = learning_rate_regime(points, diverged_at)
        fig = self.live.clear()
        ax_f, ax_loss = self.ax_f, self.ax_loss
        with viz.style():
            ax_f.plot(
                points,
                parabola(points),
                "-o",
                color=viz.PALETTE["vermillion"],
                markersize=4,
                linewidth=1.2,
                gid="trajectory",
                label="iterates",
            )
            ax_f.plot(
                points[0], parabola(points[0]), "o", color=viz.PALETTE["blue"], markersize=7, label="start"
            )
            ax_f.legend(loc="upper center")
            ax_f.set_title(f"lr = {lr:.3g}: {regime}")
            values = parabola(points)
            viz.plot_losses(values, ax=ax_loss, log=bool(values.min() > 0), ylabel="f(xₜ)")  # log needs f > 0
            ax_loss.set_title(REGIME_HINTS[regime])
            if diverged_at is not None:
                viz.annotate_divergence(ax_f, diverged_at)
        return fig


def gradient_descent_1d(lr=0.1, start=2.0, steps=20):
    """Gradient descent on f(x) = x**2 with a learning-rate slider on a log scale.

    The title names the regime: "too small" (lr below about 0.06 for 20 steps), "good",
    "oscillating" (0.5 < lr < 1: each step jumps across the minimum) or "diverging" (lr > 1).

    Parameters
    ----------
    lr : float, default 0.1
        From 0.001 to 2.
    start : float, default 2.0
        From -2 to 2.
    steps : int, default 20
        From 1 to 50.

    Returns
    -------
    Explorer
        Controls ``lr``, ``start`` and ``steps``.

    Raises
    ------
    ValueError
        If an argument is outside its range.
    """
    controls = {
        "lr": log_slider("lr", "learning rate", lr, 1e-3, 2.0),
        "start": float_slider("start", "start x", start, -2.0, 2.0, 0.1),
        "steps": int_slider("steps", "steps", steps, 1, 50),
    }
    return Explorer(GradientDescent1DDrawing().draw, controls, columns=3)

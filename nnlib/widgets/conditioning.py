"""Explorer: how fast momentum can converge on a quadratic of a given condition number."""

import numpy as np

from nnlib import viz
from nnlib.simulations import momentum_rates
from nnlib.widgets.explorer import Explorer, float_slider, log_slider

__all__ = ["HIGHEST_CURVATURE", "momentum_rate_explorer"]

HIGHEST_CURVATURE = 10.0
"""The largest curvature, as in the canyon; the lowest is ``HIGHEST_CURVATURE / kappa``."""

LRS = np.linspace(0.0, 0.4, 161)[1:]  # momentum is stable up to lr * 10 < 2 (1 + beta) <= 4
MOMENTA = np.linspace(0.0, 0.99, 100)
STEPS = 200


class MomentumRateDrawing:
    """The rate map and the distance to the minimum per step, redrawn for each setting."""

    def __init__(self):
        self.fig, (self.ax_map, self.ax_run) = viz.subplots(
            1, 2, figsize=(11.0, 3.8), margins={"wspace": 2.0}
        )

    def draw(self, kappa, lr, momentum):
        curvatures = (HIGHEST_CURVATURE / kappa, HIGHEST_CURVATURE)
        best = momentum_rates.optimal_momentum(curvatures)
        best_gd = momentum_rates.optimal_gradient_descent(curvatures)
        for ax in (self.ax_map, self.ax_run):
            ax.clear()
        viz.plot_rate_map(
            LRS,
            MOMENTA,
            momentum_rates.rate_map(curvatures, LRS, MOMENTA),
            ax=self.ax_map,
            marks={
                "best momentum": (best.lr, best.momentum),
                "best without": (best_gd.lr, 0.0),
                "yours": (lr, momentum),
            },
            title=f"κ = {kappa:.0f}: rate per step (darker is faster)",
        )
        predicted = momentum_rates.momentum_rate(lr, momentum, curvatures)
        measured, distances = momentum_rates.measured_rate(lr, momentum, curvatures, steps=STEPS)
        _, best_distances = momentum_rates.measured_rate(best.lr, best.momentum, curvatures, steps=STEPS)
        with viz.style():
            steps = np.arange(len(distances))
            self.ax_run.plot(
                steps, distances, color=viz.PALETTE["black"], label="yours: optim.SGD", gid="yours"
            )
            self.ax_run.plot(
                steps,
                distances[0] * predicted**steps,
                "--",
                color=viz.PALETTE["blue"],
                label=f"rate$^t$, rate = {predicted:.3f}",
                gid="predicted",
            )
            self.ax_run.plot(
                best_distances,
                color=viz.PALETTE["vermillion"],
                label=f"best: rate {best.rate:.3f}",
                gid="best",
            )
            self.ax_run.set_ylim(1e-12, 1e3)
            viz.set_log_scale(self.ax_run, "y")
            self.ax_run.set(xlabel="step", ylabel="distance to the minimum", xlim=(0, STEPS))
            self.ax_run.legend(loc="lower left")
            if np.isfinite(measured):
                verdict = "" if measured < 1 else "no convergence: "
                self.ax_run.set_title(f"{verdict}measured rate {measured:.3f}, formula {predicted:.3f}")
            else:
                self.ax_run.set_title(
                    f"diverged at step {len(distances)} (formula: rate {predicted:.3f} > 1)"
                )
        return self.fig


def momentum_rate_explorer(kappa=50.0, lr=0.15, momentum=0.5):
    """The convergence rate of heavy-ball momentum over (learning rate, momentum) for a condition number.

    The quadratic has curvatures ``10 / kappa`` and ``10``, so ``kappa = 50`` is the canyon of
    lecture 5. Left: the rate (the factor by which the distance to the minimum shrinks per step)
    over the plane of settings, with the best momentum setting and the best plain gradient
    descent marked. Right: the distance to the minimum when ``nnlib.optim.SGD`` runs with your
    setting, beside ``rate**t`` from the formula.

    Parameters
    ----------
    kappa : float, default 50.0
        Condition number, from 1 to 1000.
    lr : float, default 0.15
        From 0.0025 to 0.4.
    momentum : float, default 0.5
        From 0 to 0.99.

    Returns
    -------
    Explorer
        Controls ``kappa``, ``lr`` and ``momentum``.

    Raises
    ------
    ValueError
        If an argument is outside its range.
    """
    controls = {
        "kappa": log_slider("kappa", "condition number κ", kappa, 1.0, 1000.0),
        "lr": float_slider("lr", "learning rate α", lr, 0.0025, 0.4, 0.0025),
        "momentum": float_slider("momentum", "momentum β", momentum, 0.0, 0.99, 0.01),
    }
    return Explorer(MomentumRateDrawing().draw, controls, columns=3)

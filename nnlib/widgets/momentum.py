"""Explorer: SGD with momentum in the narrow canyon 0.1 x**2 + 5 y**2."""

from nnlib import landscapes, viz
from nnlib.simulations.optimizer_runs import momentum_run
from nnlib.widgets.explorer import Explorer, checkbox, float_slider, int_slider, log_slider

__all__ = ["momentum_explorer"]


class MomentumDrawing:
    """The canyon once; the path, the loss per step and the titles at each update."""

    def __init__(self):
        fig, (self.ax_map, self.ax_loss) = viz.subplots(1, 2, figsize=(9.0, 3.3))
        viz.plot_landscape(landscapes.CANYON, ax=self.ax_map)
        self.live = viz.LiveFigure(fig)

    def draw(self, lr, momentum, nesterov, start_x, start_y, steps):
        trajectory = momentum_run(lr, momentum, nesterov, start=(start_x, start_y), steps=steps)
        fig = self.live.clear()
        viz.plot_trajectory(trajectory, ax=self.ax_map, color=viz.PALETTE["vermillion"])
        name = "Nesterov momentum" if nesterov and momentum > 0 else "SGD"
        self.ax_map.set_title(f"{name}: lr = {lr:.3g}, momentum = {momentum:.2f}")
        viz.plot_losses(trajectory.losses, ax=self.ax_loss, log=bool(trajectory.losses.min() > 0))
        if trajectory.diverged_at is None:
            self.ax_loss.set_title(f"loss {trajectory.losses[-1]:.3g} after {steps} steps")
        else:
            self.ax_loss.set_title(f"diverged at step {trajectory.diverged_at}")
        return fig


def momentum_explorer(lr=0.15, momentum=0.0, steps=60, nesterov=False):
    """SGD with momentum on ``landscapes.CANYON``: the path on the contour plot and the loss per step.

    Plain SGD zig-zags across the canyon for lr > 0.1 and diverges beyond 0.2; momentum damps
    the zig-zag and speeds up the crawl along the floor.

    Parameters
    ----------
    lr : float, default 0.15
        From 0.001 to 0.5.
    momentum : float, default 0.0
        From 0 to 0.99.
    steps : int, default 60
        From 1 to 300.
    nesterov : bool, default False

    Returns
    -------
    Explorer
        Controls ``lr``, ``momentum``, ``nesterov``, ``start_x``, ``start_y`` (within the canyon's
        bounds, starting at its start) and ``steps``.

    Raises
    ------
    ValueError
        If an argument is outside its range.
    """
    (xmin, xmax), (ymin, ymax) = landscapes.CANYON.bounds
    sx, sy = landscapes.CANYON.start
    controls = {
        "lr": log_slider("lr", "learning rate", lr, 1e-3, 0.5),
        "momentum": float_slider("momentum", "momentum β", momentum, 0.0, 0.99, 0.01),
        "nesterov": checkbox("nesterov", "Nesterov", nesterov),
        "start_x": float_slider("start_x", "start x", sx, xmin, xmax, 0.5),
        "start_y": float_slider("start_y", "start y", sy, ymin, ymax, 0.25),
        "steps": int_slider("steps", "steps", steps, 1, 300),
    }
    return Explorer(MomentumDrawing().draw, controls, columns=3)

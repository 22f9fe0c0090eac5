"""Explorer: one neuron ``g(w1 x1 + w2 x2 + b)`` over the plane, its boundary and its activation."""

import numpy as np
from matplotlib.colors import Normalize

from nnlib import activations, viz
from nnlib.simulations.single_neuron import (
    ACTIVATIONS,
    NEURON_BOUNDS,
    boundary_line,
    neuron_accuracy,
    neuron_data,
    neuron_output,
)
from nnlib.widgets.explorer import Explorer, dropdown, float_slider

__all__ = ["neuron_explorer"]


class NeuronDrawing:
    """The data, the output image and its colour bar once; their values, the boundary and g(z) per update."""

    def __init__(self):
        self.X, self.y = neuron_data()
        (xmin, xmax), (ymin, ymax) = NEURON_BOUNDS
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
        output = neuron_output(self.grid_x, self.grid_y, w1, w2, b, activation, negative_slope)
        fig = self.live.clear()
        ax_plane, ax_act, X, y = self.ax_plane, self.ax_act, self.X, self.y
        with viz.style():
            # white where the output equals g(0) (on the boundary), blue below, orange above
            reach = max(np.abs(output - threshold).max(), 1e-6)
            self.image.set_data(output)
            self.image.set_norm(Normalize(vmin=threshold - reach, vmax=threshold + reach))
            # the colour bar shows only the values that occur
            self.colorbar.ax.set_ylim(output.min(), max(output.max(), output.min() + 1e-6))
            self.colorbar.set_label(f"output {activation}(w·x + b)")
            line = boundary_line(w1, w2, b)
            if line is None:
                ax_plane.text(0.5, 0.92, "w = 0: no boundary", transform=ax_plane.transAxes, ha="center")
                accuracy = np.mean(y == (b > 0))
            else:
                ax_plane.plot(*line, color="black", linewidth=1.8, gid="boundary", label="w·x + b = 0")
                foot = -b * np.array([w1, w2]) / (w1**2 + w2**2)  # the point of the line closest to 0
                ax_plane.annotate(
                    "",
                    xy=foot + np.array([w1, w2]) / np.hypot(w1, w2),
                    xytext=foot,
                    arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.4},
                )
                accuracy = neuron_accuracy(X, y, w1, w2, b)
            ax_plane.set_title(f"w = ({w1:.2g}, {w2:.2g}), b = {b:.2g}: accuracy {accuracy:.0%}")
            ax_plane.legend(loc="lower right", fontsize=7, framealpha=0.8, frameon=True)
            viz.plot_activation(activation, ax=ax_act, title=activation, **kwargs)
            z = X @ np.array([w1, w2]) + b
            ax_act.plot(z, function(z, **kwargs), "|", color=viz.PALETTE["black"], markersize=8, label="data")
            ax_act.legend()
        return fig


def neuron_explorer(w1=1.0, w2=1.0, b=0.0, activation="sigmoid", negative_slope=0.1):
    """One neuron ``g(w1 x1 + w2 x2 + b)`` over the plane: its output, boundary and activation.

    The boundary ``w . x + b = 0`` (white line; the arrow is ``w``, pointing to the side of
    class 1) is where the pre-activation changes sign, whichever the activation. The right
    panel shows g and g' with the data's pre-activations marked.

    Parameters
    ----------
    w1, w2, b : float, defaults 1.0, 1.0, 0.0
        From -3 to 3.
    activation : str, default "sigmoid"
        "sigmoid", "tanh", "relu" or "leaky_relu".
    negative_slope : float, default 0.1
        From 0 to 0.5; leaky ReLU's slope for negative inputs. Its control is disabled unless
        the activation is leaky_relu, the only one it changes.

    Returns
    -------
    Explorer
        Controls ``w1``, ``w2``, ``b``, ``activation`` and ``negative_slope``.

    Raises
    ------
    ValueError
        If an argument is outside its range.
    """
    controls = {
        "w1": float_slider("w1", "weight w1", w1, -3.0, 3.0, 0.1),
        "w2": float_slider("w2", "weight w2", w2, -3.0, 3.0, 0.1),
        "b": float_slider("b", "bias b", b, -3.0, 3.0, 0.1),
        "activation": dropdown("activation", "activation", list(ACTIVATIONS), activation),
        "negative_slope": float_slider("negative_slope", "leaky slope", negative_slope, 0.0, 0.5, 0.01),
    }

    def enable_the_slope_for_leaky_relu(change=None):
        controls["negative_slope"].disabled = controls["activation"].value != "leaky_relu"

    enable_the_slope_for_leaky_relu()
    controls["activation"].observe(enable_the_slope_for_leaky_relu, names="value")
    return Explorer(NeuronDrawing().draw, controls, columns=3)

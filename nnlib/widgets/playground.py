"""Explorer: the training playground, an MLP trained on a toy data set with live loss curves.

The training itself is :class:`nnlib.simulations.classifier_training.ClassifierTraining`; this
module adds the controls, a status line, a progress bar and the figure.
"""

import time

import ipywidgets as widgets
import numpy as np

from nnlib import viz
from nnlib.simulations.classifier_training import (
    DIVERGENCE_FACTOR,
    DIVERGENCE_PATIENCE,
    PLAYGROUND_ACTIVATIONS,
    PLAYGROUND_DATASETS,
    PLAYGROUND_OPTIMIZERS,
    ClassifierTraining,
)
from nnlib.widgets.explorer import (
    control_grid,
    dropdown,
    float_slider,
    int_slider,
    log_slider,
    with_static_picture,
)

__all__ = ["PLAYGROUND_BATCH_SIZES", "PLAYGROUND_HIDDEN", "TrainingPlayground", "training_playground"]

PLAYGROUND_HIDDEN = ["4", "8", "16", "32", "8, 8", "16, 16", "32, 32", "16, 16, 16"]
PLAYGROUND_BATCH_SIZES = [("8", 8), ("16", 16), ("32", 32), ("64", 64), ("full batch", 0)]
MOMENTUM_OPTIMIZERS = ("SGD", "RMSprop")

DIVERGENCE_RULE = (
    f"the training loss was not finite, or stayed above {DIVERGENCE_FACTOR:g} × ln(classes) "
    f"(three times the loss of guessing) for {DIVERGENCE_PATIENCE} epochs in a row"
)


def shown_value(control):
    """A control's value as its reader sees it: a drop-down's label, a number to 3 digits."""
    if isinstance(control, widgets.Dropdown):
        return control.label
    if isinstance(control.value, float):
        return f"{control.value:.3g}"
    return str(control.value)


class TrainingPlayground(widgets.VBox):
    """Train a small MLP on a toy data set and watch its loss and decision boundary.

    "Train" runs the ``epochs`` control's number of epochs in chunks of about half a second;
    after each chunk the figure (loss curves, boundary on the training and on the test set) and
    the progress bar are updated. Changing a setting starts over with a freshly initialised model
    (seed 0), so a setting always gives the same run; a status line says what happened after
    every change. A change that arrives while training runs restarts the run, bar and all, with
    the new settings.

    A run stops, marked "diverged at epoch k", when its training loss is not finite or stays
    above 3 × ln(classes) (three times the cross-entropy of guessing) for 5 epochs in a row;
    see :mod:`nnlib.simulations.classifier_training`.

    Parameters
    ----------
    dataset : str, default "moons"
        "moons", "circles", "spiral" or "XOR".
    hidden : str, default "16, 16"
        Hidden layer widths, one of "4", "8", "16", "32", "8, 8", "16, 16", "32, 32", "16, 16, 16".
    activation : str, default "relu"
        "relu", "leaky_relu", "tanh" or "sigmoid".
    optimizer : str, default "Adam"
        "SGD", "Adam", "RMSprop" or "Adagrad".
    lr : float, default 0.01
        From 1e-4 to 10.
    momentum : float, default 0.9
        From 0 to 0.99; used by SGD and RMSprop.
    batch_size : int, default 16
        8, 16, 32, 64, or 0 for the full batch.
    epochs : int, default 100
        Epochs per press of "Train", from 10 to 1000.
    trained : bool, default True
        Train ``epochs`` epochs when built, so that the picture a notebook keeps (run by nbconvert
        or nbval, where no one presses Train) shows a trained model.

    Attributes
    ----------
    controls : dict of str -> ValueWidget
        dataset, hidden, activation, optimizer, lr, momentum (enabled for SGD and RMSprop only),
        batch_size (0: full batch), epochs (per press of "Train").
    train_button, reset_button : Button
    progress : IntProgress
        Epochs done in the current "Train" run, out of the epochs it runs.
    status : Label
        What the last change or run did.
    image : Image
        The figure as PNG.
    figure : Figure
        The latest drawing.
    run : ClassifierTraining
        The current run: model, data, ``history``, ``epoch``, ``diverged_at``.
    """

    first_chunk_seconds = 0.25  # the first picture comes soon after the click
    chunk_seconds = 0.5

    def __init__(
        self,
        dataset="moons",
        hidden="16, 16",
        activation="relu",
        optimizer="Adam",
        lr=0.01,
        momentum=0.9,
        batch_size=16,
        epochs=100,
        trained=True,
    ):
        self.controls = {
            "dataset": dropdown("dataset", "data set", list(PLAYGROUND_DATASETS), dataset),
            "hidden": dropdown("hidden", "hidden layers", PLAYGROUND_HIDDEN, hidden),
            "activation": dropdown("activation", "activation", list(PLAYGROUND_ACTIVATIONS), activation),
            "optimizer": dropdown("optimizer", "optimizer", list(PLAYGROUND_OPTIMIZERS), optimizer),
            "lr": log_slider("lr", "learning rate", lr, 1e-4, 10.0),
            "momentum": float_slider("momentum", "momentum", momentum, 0.0, 0.99, 0.01),
            "batch_size": dropdown("batch_size", "batch size", PLAYGROUND_BATCH_SIZES, batch_size),
            "epochs": int_slider("epochs", "epochs per run", epochs, 10, 1000, 10),
        }
        if not isinstance(trained, bool):
            raise ValueError(f"trained must be True or False, got {trained!r}")
        self.train_button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.reset_button = widgets.Button(description="Reset", icon="refresh")
        self.progress = widgets.IntProgress(value=0, min=0, max=epochs, description="progress")
        self.status = widgets.Label()
        self.image = widgets.Image(format="png")
        self.figure = None
        self.live = None
        self.running = False
        self.restart_requested = False
        buttons = widgets.HBox([self.train_button, self.reset_button, self.progress])
        super().__init__([control_grid(self.controls.values(), 3), buttons, self.status, self.image])
        self.train_button.on_click(lambda _: self.train())
        self.reset_button.on_click(lambda _: self.reset("Reset: started over at epoch 0; press Train"))
        for control in self.controls.values():
            control.observe(self.control_changed, names="value")
        self.run = ClassifierTraining(**self.settings())
        self.enable_momentum_for_its_optimizers()
        self.status.value = "press Train to train"
        if trained:  # in one go: no one watches a notebook being built
            self.progress.value = self.run.train(epochs)
            self.status.value = (
                f"trained {self.run.epoch} epochs when built: press Train to go on, or Reset to "
                "start over at epoch 0"
            )
        self.draw()

    def _repr_mimebundle_(self, **kwargs):
        return with_static_picture(super()._repr_mimebundle_(**kwargs), self.figure)

    # -- state
    def settings(self):
        """The run's settings from the controls, as ``ClassifierTraining`` takes them."""
        values = {name: control.value for name, control in self.controls.items()}
        return {
            "dataset": values["dataset"],
            "hidden": tuple(int(width) for width in values["hidden"].split(",")),
            "activation": values["activation"],
            "optimizer": values["optimizer"],
            "lr": values["lr"],
            "momentum": values["momentum"],
            "batch_size": values["batch_size"] or None,
        }

    def reset(self, status="started over at epoch 0: press Train"):
        """Start over: the data set, a model initialised with seed 0, a new optimizer; redraw."""
        self.run = ClassifierTraining(**self.settings())
        self.enable_momentum_for_its_optimizers()
        self.progress.value = 0
        self.status.value = status
        self.draw()

    def enable_momentum_for_its_optimizers(self):
        self.controls["momentum"].disabled = self.controls["optimizer"].value not in MOMENTUM_OPTIMIZERS

    def control_changed(self, change):
        control = change["owner"]
        if control is self.controls["epochs"]:  # how long to train next is no reason to start over
            if self.running:
                self.status.value = f"epochs per run set to {change['new']}: from the next Train on"
            else:
                self.progress.max = change["new"]
                self.status.value = f"epochs per run set to {change['new']}: press Train"
            return
        message = f"{control.description} set to {shown_value(control)}"
        if self.running:  # the training loop restarts the run at the end of its chunk
            self.restart_requested = True
            self.status.value = f"{message} during training: starting over with it"
        else:
            self.reset(f"{message}: started over at epoch 0; press Train")

    def train(self, epochs=None):
        """Train ``epochs`` more epochs (the control's value by default), redrawing after each chunk.

        A setting changed during the run restarts it: a new model with the new settings, the
        progress bar back at 0, and the full number of epochs to go.

        Returns
        -------
        float or None
            Seconds until the first redraw (the wait before something visibly happens); None if
            nothing was trained (a diverged run must be reset first).
        """
        epochs = self.controls["epochs"].value if epochs is None else int(epochs)
        if self.run.diverged_at is not None:
            self.status.value = f"diverged at epoch {self.run.diverged_at}: change a setting or press Reset"
            return None
        self.progress.max, self.progress.value = epochs, 0
        started = time.perf_counter()
        first_update = None
        self.train_button.disabled = True
        self.running, self.restart_requested = True, False
        try:
            done = 0
            while done < epochs and self.run.diverged_at is None:
                self.status.value = f"training: epoch {self.run.epoch + 1}"
                chunk_start = time.perf_counter()
                seconds = self.chunk_seconds if first_update is not None else self.first_chunk_seconds
                while done < epochs and self.run.diverged_at is None:  # at least one epoch per chunk
                    self.run.train_epoch()
                    done += 1
                    if time.perf_counter() - chunk_start >= seconds:
                        break
                self.progress.value = done
                self.draw()
                if first_update is None:
                    first_update = time.perf_counter() - started
                if self.restart_requested:
                    self.restart_requested = False
                    message = self.status.value
                    self.reset(message)
                    done = 0
        finally:
            self.running = False
            self.train_button.disabled = False
        if self.run.diverged_at is not None:
            self.status.value = (
                f"diverged at epoch {self.run.diverged_at}: {DIVERGENCE_RULE}. "
                "Change a setting or press Reset."
            )
        else:
            self.status.value = f"trained {done} epochs (epoch {self.run.epoch} in all): press Train to go on"
        return first_update

    # -- drawing
    def draw(self):
        self.figure = self.render()
        self.image.value = viz.figure_to_png(self.figure)
        self.image.layout.width = f"{viz.display_size(self.figure)['width']}px"  # pixels twice as dense

    def render(self):
        run = self.run
        if self.live is None:  # one figure for the playground's life, redrawn in place
            self.live = viz.LiveFigure(viz.subplots(1, 3, figsize=(11.4, 3.3))[0])
        fig = self.live.clear()
        ax_loss, ax_train, ax_test = fig.axes
        viz.plot_losses(run.history, ax=ax_loss, xlabel="epoch", ylabel="cross-entropy loss")
        train_loss, test_loss = run.history["train"][-1], run.history["test"][-1]
        ax_loss.set_title(f"epoch {run.epoch}: train {train_loss:.3g}, test {test_loss:.3g}")
        ax_loss.set_xlim(0, max(run.epoch, 1))
        if run.diverged_at is not None:
            viz.annotate_divergence(ax_loss, run.diverged_at, what="epoch")
        bounds = viz.data_bounds(np.concatenate([run.X_train, run.X_test]))
        for ax, X, y, name in (
            (ax_train, run.X_train, run.y_train, "train"),
            (ax_test, run.X_test, run.y_test, "test"),
        ):
            with np.errstate(all="ignore"):
                viz.plot_decision_boundary(
                    run.model, X, y, ax=ax, bounds=bounds, resolution=80, n_classes=run.n_classes
                )
                predicted = viz.predict_classes(run.model, X, 0.0)
            ax.set_title(f"{name} set: accuracy {np.mean(predicted == y):.0%}")
        return fig


def training_playground(**settings):
    """A small playground: choose data, network and optimizer, press Train, watch it learn.

    Parameters
    ----------
    **settings
        Initial values of the controls, by the names :class:`TrainingPlayground` takes.

    Returns
    -------
    TrainingPlayground

    Raises
    ------
    ValueError
        If a setting is outside its range or not one of its choices.
    """
    return TrainingPlayground(**settings)

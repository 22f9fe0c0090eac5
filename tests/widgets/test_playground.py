"""Tests of nnlib.widgets.playground: training shown as it goes, feedback for every change, divergence."""

import numpy as np
import pytest
from figure_checks import assert_axes_labelled, line, texts

from nnlib import widgets
from nnlib.simulations.classifier_training import ClassifierTraining


def quick(playground):
    """Redraw after every epoch, so a test sees each step."""
    playground.first_chunk_seconds = playground.chunk_seconds = 0.0
    return playground


def test_a_built_playground_shows_a_trained_model():
    # what nbconvert or nbval store: the picture right after the cell ran, with no one to press Train
    playground = widgets.training_playground()
    ax_loss, ax_train, _ = playground.figure.axes
    assert playground.run.epoch == 100 and ax_loss.get_title().startswith("epoch 100: ")
    accuracy = int(ax_train.get_title().removeprefix("train set: accuracy ").removesuffix("%"))
    assert accuracy >= 90
    assert playground.progress.value == playground.progress.max == 100
    assert playground.status.value.startswith("trained 100 epochs when built")
    untrained = widgets.training_playground(trained=False)
    assert untrained.run.epoch == 0 and untrained.figure.axes[0].get_title().startswith("epoch 0: ")


def test_training_draws_progress_and_is_the_simulations_run():
    playground = quick(widgets.training_playground(batch_size=0, trained=False))  # full batch
    pictures = []
    playground.image.observe(lambda change: pictures.append(change["new"]), names="value")
    playground.train(5)

    assert playground.progress.value == playground.progress.max == 5
    assert len(pictures) == 5 and all(bytes(p).startswith(b"\x89PNG") for p in pictures)
    expected = ClassifierTraining("moons", (16, 16), "relu", "Adam", lr=0.01, batch_size=None)
    expected.train(5)
    assert playground.run.history == expected.history
    ax_loss, ax_train, ax_test = playground.figure.axes
    np.testing.assert_allclose(line(ax_loss, "curve:train").get_ydata(), expected.history["train"])
    assert ax_loss.get_title().startswith("epoch 5: ")
    assert ax_train.get_title().startswith("train set") and ax_test.get_title().startswith("test set")
    assert playground.status.value == "trained 5 epochs (epoch 5 in all): press Train to go on"
    assert_axes_labelled(playground.figure)


NEW_VALUES = {
    "dataset": "XOR",
    "hidden": "8",
    "activation": "tanh",
    "optimizer": "SGD",
    "lr": 0.1,
    "momentum": 0.5,
    "batch_size": 32,
    "epochs": 20,
}


@pytest.mark.parametrize("name", list(NEW_VALUES))
def test_every_control_change_is_answered_on_the_status_line(name):
    playground = widgets.training_playground(optimizer="RMSprop", trained=False)
    playground.train(2)
    before = playground.status.value
    playground.controls[name].value = NEW_VALUES[name]
    assert playground.status.value != before
    if name == "epochs":  # how long to train next is no reason to start over
        assert playground.status.value == "epochs per run set to 20: press Train"
        assert playground.run.epoch == 2 and playground.progress.max == 20
    else:
        description = playground.controls[name].description
        shown = {"lr": "0.1", "batch_size": "32", "hidden": "8"}.get(name, str(NEW_VALUES[name]))
        assert playground.status.value.startswith(f"{description} set to {shown}: ")
        assert playground.status.value.endswith("started over at epoch 0; press Train")
        assert playground.run.epoch == 0 and playground.progress.value == 0
        assert playground.figure.axes[0].get_title().startswith("epoch 0: ")


def test_a_change_during_a_run_restarts_the_run_and_its_bar_together():
    playground = quick(widgets.training_playground(trained=False))
    seen = []

    def move_a_slider_mid_run(change):
        seen.append((playground.progress.value, playground.run.epoch))
        if len(seen) == 3:
            playground.controls["lr"].value = 0.05

    playground.image.observe(move_a_slider_mid_run, names="value")
    playground.train(8)
    # the bar and the run's epoch count never part ways, and the run ends complete with the new rate
    assert all(progress == epoch for progress, epoch in seen), seen
    assert seen[3] == (0, 0)  # started over at once, bar and run together
    assert playground.run.epoch == playground.progress.value == playground.progress.max == 8
    expected = ClassifierTraining(lr=0.05)
    expected.train(8)
    assert playground.run.history == expected.history


def test_epochs_changed_during_a_run_apply_to_the_next_run_and_say_so():
    playground = quick(widgets.training_playground(trained=False))
    statuses = []

    def change_the_epochs_mid_run(change):
        if playground.progress.value == 2 and not statuses:
            playground.controls["epochs"].value = 30
            statuses.append(playground.status.value)

    playground.image.observe(change_the_epochs_mid_run, names="value")
    playground.train(4)
    assert statuses == ["epochs per run set to 30: from the next Train on"]
    assert playground.run.epoch == playground.progress.max == 4  # the run went on as it was
    playground.train()
    assert playground.run.epoch == 34 and playground.progress.max == 30


def test_sgd_at_lr_10_and_momentum_099_says_it_diverged_and_why():
    playground = widgets.training_playground(
        optimizer="SGD", lr=10.0, momentum=0.99, epochs=30, trained=False
    )
    playground.train_button.click()
    run = playground.run
    assert run.diverged_at is not None and playground.run.epoch == run.diverged_at
    assert max(run.history["train"]) < 100 * run.history["train"][0]  # the losses never exploded
    assert f"diverged at epoch {run.diverged_at}" in texts(playground.figure)
    status = playground.status.value
    assert status.startswith(f"diverged at epoch {run.diverged_at}: ")
    assert "3 × ln(classes)" in status and "5 epochs in a row" in status  # the rule, stated
    assert playground.train(10) is None and playground.run.epoch == run.diverged_at  # stays stopped
    assert playground.status.value.startswith("diverged at epoch")


def test_momentum_is_enabled_only_for_optimizers_that_use_it():
    playground = widgets.training_playground(trained=False)
    for optimizer, disabled in (("Adam", True), ("SGD", False), ("Adagrad", True), ("RMSprop", False)):
        playground.controls["optimizer"].value = optimizer
        assert playground.controls["momentum"].disabled is disabled, optimizer


def test_reset_starts_over_and_says_so():
    playground = widgets.training_playground(trained=False)
    playground.train(3)
    playground.reset_button.click()
    assert playground.run.epoch == 0 and playground.progress.value == 0
    assert playground.status.value == "Reset: started over at epoch 0; press Train"

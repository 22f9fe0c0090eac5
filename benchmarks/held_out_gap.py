"""How much exercise 6.3's default held-out images favour a student who trains on every digit.

The verdict of 6.3 grades on new images made from the fifth of the bundled digits that the
students are told to keep aside. Those digits are public, so a student can train on them anyway.
This script trains the solution's recipe (MLP 64-64-10, Adam with lr 0.005, 15 epochs of batches
of 32) twice, on the students' training part and on all 1797 digits, and measures both on images
made by the verdict's recipe (``grading.held_out.shifted_and_noisy``). The verdict's own seed stays
in the verdict, so this script draws the shifts and noise with other seeds; the gap is a property
of the recipe, which every seed shows.

Usage::

    python benchmarks/held_out_gap.py            # three seeds, about a second
    python benchmarks/held_out_gap.py --seeds 5
"""

import argparse

import numpy as np

import nnlib
from grading.held_out import shifted_and_noisy
from nnlib import viz


def trained(X, y):
    """The solution's recipe for 6.3."""
    nnlib.manual_seed(0)
    model = nnlib.nn.MLP([64, 64, 10])
    optimizer = nnlib.optim.Adam(model.parameters(), lr=0.005)
    for epoch in range(15):
        for X_batch, y_batch in nnlib.data.batches(X, y, 32, seed=epoch):
            loss = nnlib.losses.cross_entropy(model(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


def accuracy(model, X, y):
    return float(np.mean(viz.predict_classes(model, X) == y))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds for the images' shifts and noise")
    args = parser.parse_args()
    X, y = nnlib.data.load_digits()
    aside = np.arange(len(y)) % 5 == 0
    X_train, _, y_train, _ = nnlib.data.train_test_split(X[~aside], y[~aside], test_size=0.2, seed=0)
    honest, everything = trained(X_train, y_train), trained(X, y)
    print(f"{'seed':>6} {'honest (trained on ' + str(len(y_train)) + ')':>24} {'trained on all 1797':>20}")
    for seed in range(1, args.seeds + 1):
        images = shifted_and_noisy(X[aside], seed)
        as_told, on_all = accuracy(honest, images, y[aside]), accuracy(everything, images, y[aside])
        print(f"{seed:>6} {as_told:>24.3f} {on_all:>20.3f}")


if __name__ == "__main__":
    main()

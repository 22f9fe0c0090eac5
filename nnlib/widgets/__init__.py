"""Interactive explorers for the lectures: each is one call that returns a widget to display.

==========================  ==============================================================
explorer                    what it shows
==========================  ==============================================================
gradient_descent_1d()       the learning rate's regimes: too small, good, oscillating, diverging
momentum_explorer()         SGD with momentum in a narrow canyon
momentum_rate_explorer()    the convergence rate over (learning rate, momentum) for a condition number
optimizer_race()            eight optimizers side by side on a chosen landscape
neuron_explorer()           one neuron's weights, bias and activation, and its decision boundary
training_playground()       an MLP trained on a toy data set, with live loss curves
backprop_explorer()         the graph of e = (a + b)(b + 1) with values and gradients
capacity_explorer()         under- and overfitting as training goes on
==========================  ==============================================================

Each explorer is a module of this package; :mod:`nnlib.widgets.explorer` is the framework they
share (controls, redrawing, the picture a saved notebook keeps). What they compute lives in
:mod:`nnlib.simulations`, which needs neither ipywidgets nor matplotlib.

Each explorer draws its background (a contour plot, the data) once and replaces only what
changes (see :class:`nnlib.viz.LiveFigure`), which halves the time per change. Arguments outside
a control's range raise a ValueError naming the argument; a run that blows up is reported as
"diverged at step k" (or epoch k) on the plot.

This package is imported by notebooks only; the rest of nnlib never imports ipywidgets.
"""

from nnlib.simulations.capacity_run import CapacityRun
from nnlib.simulations.optimizer_runs import RACE_LEARNING_RATES, RACE_OPTIMIZERS
from nnlib.widgets.backprop import backprop_explorer
from nnlib.widgets.capacity import capacity_explorer
from nnlib.widgets.conditioning import momentum_rate_explorer
from nnlib.widgets.descent_1d import gradient_descent_1d
from nnlib.widgets.explorer import Explorer
from nnlib.widgets.momentum import momentum_explorer
from nnlib.widgets.neuron import neuron_explorer
from nnlib.widgets.playground import TrainingPlayground, training_playground
from nnlib.widgets.race import RACE_COLORS, optimizer_race

__all__ = [
    "RACE_COLORS",
    "RACE_LEARNING_RATES",
    "RACE_OPTIMIZERS",
    "CapacityRun",
    "Explorer",
    "TrainingPlayground",
    "backprop_explorer",
    "capacity_explorer",
    "gradient_descent_1d",
    "momentum_explorer",
    "momentum_rate_explorer",
    "neuron_explorer",
    "optimizer_race",
    "training_playground",
]

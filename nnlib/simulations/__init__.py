"""What the lectures' explorers compute, without any user interface: numpy and nnlib only.

Each module holds one simulation and the lecture data it runs on, so a notebook, a test or a
script can use it without ipywidgets or matplotlib; :mod:`nnlib.widgets` puts controls and a
figure around each one.

=========================  ======================================================================
module                     what it computes
=========================  ======================================================================
``parabola``               gradient descent on f(x) = x**2 and the regime a learning rate gives
``optimizer_runs``         SGD with momentum in the canyon; eight optimizers racing on a landscape
``single_neuron``          one neuron's output over the plane, its boundary line and accuracy
``classifier_training``    an MLP trained epoch by epoch on a toy data set, with a divergence rule
``slides_graph``           the slides' e = (a + b)(b + 1) as a computational graph, backpropagated
``capacity_run``           a wide MLP fitting noisy points, from under- to overfitting
``momentum_rates``         convergence rates of gradient descent and momentum on a quadratic
``adam_counterexample``    Reddi et al.'s online problem, on which Adam fails and AMSGrad does not
=========================  ======================================================================
"""

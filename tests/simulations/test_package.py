"""nnlib.simulations is usable without a user interface: it loads neither ipywidgets nor matplotlib."""

import subprocess
import sys


def test_importing_every_simulation_loads_neither_ipywidgets_nor_matplotlib():
    code = (
        "import sys\n"
        "from nnlib.simulations import capacity_run, classifier_training, optimizer_runs, parabola\n"
        "from nnlib.simulations import single_neuron, slides_graph, momentum_rates, adam_counterexample\n"
        "print(sorted({'matplotlib', 'ipywidgets'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

"""The course's hidden tests: each splits into a probe and a verdict, and the verdicts decide right.

For every notebook in solutions/, the test cells split cleanly (the kernel part holds no trace of
the verdict); the instructor's answers pass every verdict; the students' stubs fail every one; and
plausible wrong answers fail the verdict meant to catch them. Each notebook runs in a plain kernel
with its test cells as a student's kernel gets them (visible tests and probe, no verdict), and the
verdicts then run here, in this process, as they do in the grader.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import nnlib
from grading import held_out
from grading.preprocessors.record import is_autograded_test as is_graded_test
from grading.preprocessors.record import nbgrader_metadata as nbgrader
from grading.probe import MIME_TYPE
from grading.verdicts import HIDDEN_BEGIN, VERDICT_MARKER, Judgement, judge, reports_in, split_test_cell

COURSE = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((COURSE / "solutions").glob("*/*.ipynb"))
PROBE_IMPORT = "from grading.probe import report"


def notebook_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def graded_tests(notebook) -> dict:
    """The notebook's graded test cells, split, by grade_id."""
    return {
        nbgrader(cell)["grade_id"]: split_test_cell(cell.source, nbgrader(cell)["grade_id"])
        for cell in notebook.cells
        if is_graded_test(cell)
    }


def probe_of(source: str) -> str:
    """A test cell's probe: the lines between the hidden-test marker and the verdict marker."""
    lines = source.splitlines()
    stripped = [line.strip() for line in lines]
    return "\n".join(lines[stripped.index(HIDDEN_BEGIN) + 1 : stripped.index(VERDICT_MARKER)])


def as_kernel_sees_it(path: Path):
    """The solutions notebook with each test cell reduced to its visible tests and probe."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if is_graded_test(cell):
            cell.source = split_test_cell(cell.source, nbgrader(cell)["grade_id"]).kernel_source
    return notebook


def execute(notebook, folder: Path):
    """Run every cell in a fresh kernel, going on past errors, as the grader does."""
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return notebook


def judgements(executed, tests: dict) -> dict:
    """Each test cell's verdict on what its probe reported in the executed notebook, by grade_id."""
    decided = {}
    for cell in executed.cells:
        if is_graded_test(cell):
            grade_id = nbgrader(cell)["grade_id"]
            decided[grade_id] = judge(tests[grade_id], reports_in(cell.outputs, MIME_TYPE), grade_id)
    return decided


def errors_in(executed) -> list[str]:
    return [
        f"cell {cell.get('id')}: {output.ename}: {output.evalue}"
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]


# --- (a) every test cell splits, and the student's kernel sees no part of the verdict ----------


def statements(source: str) -> set[str]:
    """The statements of ``source`` at any depth, as AST dumps, leaving out ones too plain to tell apart."""
    plain = (ast.Import, ast.ImportFrom, ast.Return, ast.Pass, ast.Break, ast.Continue)
    return {
        ast.dump(node)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.stmt) and not isinstance(node, plain)
    }


def reported_names(probe: ast.Module) -> set[str]:
    return {
        node.args[0].value
        for node in ast.walk(probe)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "report"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


@pytest.mark.parametrize("path", SOLUTIONS, ids=notebook_id)
def test_every_test_cell_splits_into_probe_and_verdict(path):
    notebook = nbformat.read(path, as_version=4)
    cells = [cell for cell in notebook.cells if is_graded_test(cell)]
    assert cells, "an assignment without graded test cells"
    for cell in cells:
        grade_id = nbgrader(cell)["grade_id"]
        test = split_test_cell(cell.source, grade_id)  # raises AuthoringError on a malformed cell

        assert VERDICT_MARKER not in test.kernel_source, grade_id
        assert "def verdict" not in test.kernel_source, grade_id
        shared = statements(test.verdict_source) & statements(test.kernel_source)
        assert not shared, f"{grade_id}: the kernel part repeats statements of the verdict: {shared}"

        probe = probe_of(cell.source)
        assert probe.strip().startswith(PROBE_IMPORT), f"{grade_id}: a probe begins with {PROBE_IMPORT!r}"
        probe_tree = ast.parse(probe)
        decides = [n for n in ast.walk(probe_tree) if isinstance(n, (ast.Assert, ast.Raise))]
        assert not decides, f"{grade_id}: the probe must not assert or raise; the verdict decides"
        hidden = probe + "\n" + test.verdict_source
        assert "check_close" not in hidden and "expect(" not in hidden, grade_id

        verdict_tree = ast.parse(test.verdict_source)
        verdict = next(n for n in verdict_tree.body if isinstance(n, ast.FunctionDef) and n.name == "verdict")
        parameters = {argument.arg for argument in verdict.args.args}
        assert parameters == reported_names(probe_tree), f"{grade_id}: a verdict takes what its probe reports"


@pytest.mark.parametrize("path", SOLUTIONS, ids=notebook_id)
def test_setup_takes_the_checks_from_nnlib_testing(path):
    notebook = nbformat.read(path, as_version=4)
    setup = next(cell for cell in notebook.cells if nbgrader(cell).get("grade_id") == "setup")
    assert "from nnlib.testing import check_close, expect" in setup.source
    assert not any("def check_close" in cell.source or "def expect" in cell.source for cell in notebook.cells)


# --- (b) the instructor's answers pass every verdict -------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=notebook_id)
def test_the_solutions_pass_every_verdict(path):
    notebook = as_kernel_sees_it(path)
    tests = graded_tests(nbformat.read(path, as_version=4))
    executed = execute(notebook, path.parent)
    assert errors_in(executed) == []
    decided = judgements(executed, tests)
    assert set(decided) == set(tests)
    assert {grade_id: j.message for grade_id, j in decided.items() if not j.passed} == {}


# --- (c) the students' stubs fail every verdict ------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=notebook_id)
def test_the_unanswered_exercise_fails_every_verdict(path):
    exercise = nbformat.read(COURSE / "exercises" / path.parent.name / path.name, as_version=4)
    answers = [cell for cell in exercise.cells if nbgrader(cell).get("solution")]
    stubs = {nbgrader(cell)["grade_id"]: cell.source for cell in answers}
    assert stubs and all("raise NotImplementedError" in source for source in stubs.values())
    notebook = as_kernel_sees_it(path)
    for cell in notebook.cells:
        if nbgrader(cell).get("solution"):
            cell.source = stubs[nbgrader(cell)["grade_id"]]
    tests = graded_tests(nbformat.read(path, as_version=4))
    decided = judgements(execute(notebook, path.parent), tests)
    assert set(decided) == set(tests)
    assert [grade_id for grade_id, j in decided.items() if j.passed] == []


# --- (d) plausible wrong answers fail the verdict meant to catch them ---------------------------


@dataclass(frozen=True)
class Wrong:
    """A wrong answer for the solution cell ``answer``, which the verdict of ``test`` must reject.

    The test cell runs its probe only (its visible tests would stop many wrong answers before the
    probe), after ``setup``; the verdict's message must contain ``says``.
    """

    answer: str
    source: str
    test: str
    says: str
    setup: str = ""


# A Value whose operations overwrite their inputs' gradients instead of adding to them.
AUTOGRAD_OVERWRITING = """import math


class Value:
    def __init__(self, data, inputs=(), local_backward=None):
        self.data, self.grad, self.inputs, self.local_backward = float(data), 0.0, inputs, local_backward

    def _op(self, other, data, d_self, d_other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(data(other), (self, other))

        def local_backward():
            self.grad = out.grad * d_self(other)
            other.grad = out.grad * d_other(other)

        out.local_backward = local_backward
        return out

    def __add__(self, other):
        return self._op(other, lambda o: self.data + o.data, lambda o: 1.0, lambda o: 1.0)

    def __mul__(self, other):
        return self._op(other, lambda o: self.data * o.data, lambda o: o.data, lambda o: self.data)

    __radd__ = __add__
    __rmul__ = __mul__

    def tanh(self):
        out = Value(math.tanh(self.data), (self,))

        def local_backward():
            self.grad = out.grad * (1 - out.data**2)

        out.local_backward = local_backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(value):
            if id(value) not in seen:
                seen.add(id(value))
                for parent in value.inputs:
                    visit(parent)
                order.append(value)

        visit(self)
        self.grad = 1.0
        for value in reversed(order):
            if value.local_backward:
                value.local_backward()
"""

WRONG = {
    "a1_neurons": [
        Wrong(
            "sigmoid",
            "def sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))",
            "test_sigmoid",
            "overflow",
        ),
        Wrong(
            "relu",
            "def relu(z):\n    return np.maximum(np.asarray(z, dtype=float), 0.0)\n\n\n"
            "def leaky_relu(z, negative_slope=0.01):\n"
            "    z = np.asarray(z, dtype=float)\n"
            "    return np.where(z > 0, z, 0.01 * z)  # ignores negative_slope",
            "test_leaky_relu",
            "negative_slope=0.3",
        ),
        Wrong(
            "derivatives",
            "def sigmoid_derivative(z):\n    s = sigmoid(z)\n    return s * (1 - s)\n\n\n"
            "def tanh_derivative(z):\n    return 1 - np.tanh(z) ** 2\n\n\n"
            "def relu_derivative(z):\n    return (np.asarray(z) >= 0).astype(float)  # 1 at 0",
            "test_derivatives",
            "relu_derivative(0.0)",
        ),
        Wrong(
            "neuron",
            "def neuron_forward(X, w, b, activation):\n    return activation(X @ w)  # forgets the bias",
            "test_neuron",
            "neuron_forward with the activation",
        ),
        Wrong(
            "and_gate",
            "def and_gate_parameters():\n    return np.array([1.0, 1.0]), -1.5",
            "test_and_gate",
            "must stay below 0.1",
        ),
        Wrong(
            "collapse",
            "def collapse_linear(W1, b1, W2, b2):\n    return W2 @ W1, W2 @ b1  # forgets b2",
            "test_collapse",
            "two layers give",
        ),
    ],
    "a2_losses": [
        Wrong(
            "regression",
            "def mse(pred, target):\n"
            "    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)\n"
            "    return float(np.sum(diff**2) / len(diff))  # divides by the rows, not the elements\n\n\n"
            "def mae(pred, target):\n"
            "    diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)\n"
            "    return float(np.mean(np.abs(diff)))",
            "test_regression",
            "mse on a 2x3 array",
        ),
        Wrong(
            "bce",
            "def binary_cross_entropy(prob, target):\n"
            "    prob = np.clip(np.asarray(prob, dtype=float), 1e-12, 1 - 1e-12)\n"
            "    return float(-np.mean(target * np.log(prob) + (1 - target) * np.log(1 - prob)))",
            "test_bce",
            "should raise a ValueError",
        ),
        Wrong(
            "cce",
            "def categorical_cross_entropy(prob, target):\n"
            "    prob = np.clip(np.asarray(prob, dtype=float), 1e-12, 1.0)\n"
            "    return float(-np.sum(np.asarray(target) * np.log(prob)))  # a sum, not a mean",
            "test_cce",
            "mean of the rows' losses",
        ),
        Wrong(
            "log_softmax",
            "def log_softmax(logits):\n"
            "    z = np.asarray(logits, dtype=float)\n"
            "    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))  # no shift by the maximum\n\n\n"
            "def cross_entropy(logits, labels):\n"
            "    log_probs = log_softmax(logits)\n"
            "    return float(-log_probs[np.arange(len(labels)), labels].mean())",
            "test_log_softmax",
            "overflow",
        ),
        Wrong(
            "ce_grad",
            "def cross_entropy_grad(logits, labels):\n"
            "    z = np.asarray(logits, dtype=float)\n"
            "    probs = np.exp(z - z.max(axis=1, keepdims=True))\n"
            "    probs /= probs.sum(axis=1, keepdims=True)\n"
            "    probs[np.arange(len(labels)), labels] -= 1\n"
            "    return probs  # forgets to divide by n",
            "test_ce_grad",
            "cross_entropy_grad, row 0",
        ),
    ],
    "a3_gradient_descent": [
        Wrong(
            "gd_step",
            "def sgd_step(theta, grad, state, lr):\n    theta -= lr * grad\n    return theta",
            "test_gd_step",
            "in place",
        ),
        Wrong(
            "momentum_step",
            "def momentum_step(theta, grad, state, lr, momentum):\n"
            "    # the buffer with the wrong sign (theta still right)\n"
            "    state['momentum_buffer'] = momentum * state.get('momentum_buffer', 0.0) - grad\n"
            "    return theta + lr * state['momentum_buffer']",
            "test_momentum_step",
            "state['momentum_buffer'] should be",
        ),
        Wrong(
            "descend",
            "def descend(grad_fn, start, lr, steps, beta=0.0):\n"
            "    theta, state, path = np.array(start, dtype=float), {}, []\n"
            "    for _ in range(steps):\n"
            "        theta = momentum_step(theta, grad_fn(theta), state, lr, beta)\n"
            "        path.append(theta)  # the start is missing\n"
            "    return np.array(path)",
            "test_descend",
            "should return the start",
        ),
        Wrong("tune_gd", "def gd_learning_rate():\n    return 0.1", "test_tune_gd", "not below 0.25"),
        Wrong(
            "tune_momentum",
            "def momentum_settings():\n    return 0.1, 0.9",
            "test_tune_momentum",
            "should stay below 1e-3",
        ),
        Wrong(  # below 1e-3 at step 50 only, in the middle of an oscillation
            "tune_momentum",
            "def momentum_settings():\n    return 0.06345, 0.9",
            "test_tune_momentum",
            "rises to",
        ),
    ],
    "a4_adaptive": [
        Wrong(
            "adagrad",
            "def adagrad_step(theta, grad, state, lr=0.01, eps=1e-10):\n"
            "    state['sum'] = state.get('sum', 0.0) + grad**2\n"
            "    return theta - lr * grad / np.sqrt(state['sum'] + eps)  # eps inside the root",
            "test_adagrad",
            "Adagrad with lr=",
        ),
        Wrong(
            "rmsprop",
            "def rmsprop_step(theta, grad, state, lr=0.01, alpha=0.99, eps=1e-8):\n"
            "    avg = state.get('square_avg', 0.0)\n"
            "    state['square_avg'] = (1 - alpha) * avg + alpha * grad**2  # the weights swapped\n"
            "    return theta - lr * grad / (np.sqrt(state['square_avg']) + eps)",
            "test_rmsprop",
            "RMSprop with lr=",
        ),
        Wrong(
            "adam",
            "def adam_step(theta, grad, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, amsgrad=False):\n"
            "    beta1, beta2 = betas\n"
            "    if not state:\n"
            "        state.update(step=0, m=0.0, v=0.0, v_hat_max=0.0)\n"
            "    state['step'] += 1\n"
            "    t = state['step']\n"
            "    state['m'] = beta1 * state['m'] + (1 - beta1) * grad\n"
            "    state['v'] = beta2 * state['v'] + (1 - beta2) * grad**2\n"
            "    v_hat = state['v'] / (1 - beta2**t)\n"
            "    if amsgrad:  # the maximum of the corrected v, not of v\n"
            "        state['v_hat_max'] = np.maximum(state['v_hat_max'], v_hat)\n"
            "        v_hat = state['v_hat_max']\n"
            "    return theta - lr * (state['m'] / (1 - beta1**t)) / (np.sqrt(v_hat) + eps)",
            "test_amsgrad",
            "AMSGrad with lr=",
        ),
    ],
    "a5_backprop": [
        Wrong(
            "expression",
            "def expression_and_grad(a, b):\n"
            "    c, d = a + b, b + 1\n"
            "    return c * d, d, d  # de/db misses the path through d",
            "test_expression",
            "expression_and_grad(3.25, -2.0)",
        ),
        Wrong(
            "numerical",
            "def numerical_gradient(f, x, h=1e-6):\n"
            "    grad = np.zeros_like(x, dtype=float)\n"
            "    for index in np.ndindex(x.shape):\n"
            "        original = x[index]\n"
            "        x[index] = original + h\n"
            "        f_plus = f(x)\n"
            "        x[index] = original - h\n"
            "        grad[index] = (f_plus - f(x)) / (2 * h)  # x is not restored\n"
            "    return grad",
            "test_numerical",
            "changed its input x",
        ),
        Wrong(
            "backward",
            "def backward(params, cache):\n"
            "    X, H, P, Y = cache['X'], cache['H'], cache['P'], cache['Y']\n"
            "    dP = 2 * (P - Y) / len(P)\n"
            "    dZ = dP @ params['W2']  # forgets tanh's derivative\n"
            "    return {'W1': dZ.T @ X, 'b1': dZ.sum(axis=0), 'W2': dP.T @ H, 'b2': dP.sum(axis=0)}",
            "test_backward",
            "the gradient of W1",
        ),
        Wrong(
            "gradient_check",
            "def gradient_check(forward_fn, backward_fn, params, X, Y, h=1e-6):\n"
            "    analytic = backward_fn(params, forward_fn(params, X, Y)[1])\n"
            "    name, value = next(iter(params.items()))  # looks at the first parameter only\n"
            "    loss_of = lambda v: forward_fn({**params, name: v}, X, Y)[0]\n"
            "    numerical = numerical_gradient(loss_of, value, h)\n"
            "    g = np.asarray(analytic[name], dtype=float)\n"
            "    scale = np.maximum(np.maximum(np.abs(g), np.abs(numerical)), 1e-6)\n"
            "    return float((np.abs(g - numerical) / scale).max())",
            "test_gradient_check",
            "two parameters",
        ),
        Wrong(
            "autograd",
            AUTOGRAD_OVERWRITING,
            "test_autograd",
            "add to .grad instead of overwriting it",
        ),
    ],
    "a6_training": [
        Wrong(
            "accuracy",
            "def predict(model, X):\n"
            "    return np.argmax(model(X).data, axis=1)  # records a graph it never needs\n\n\n"
            "def accuracy(model, X, y):\n"
            "    return float(np.mean(predict(model, X) == y))",
            "test_accuracy",
            "should not compute gradients",
        ),
        Wrong(
            "accuracy",
            "def predict(model, X):\n"
            "    with nnlib.no_grad():\n"
            "        return np.argmax(model(X).data)  # over all entries, not per row\n\n\n"
            "def accuracy(model, X, y):\n"
            "    return float(np.mean(predict(model, X) == y))",
            "test_accuracy",
            "predict on 5 rows",
        ),
        Wrong(
            "train_epoch",
            "def train_epoch(model, optimizer, X, y, batch_size, seed):\n"
            "    batch_losses = []\n"
            "    for X_batch, y_batch in nnlib.data.batches(X, y, batch_size, seed=seed):\n"
            "        loss = nnlib.losses.cross_entropy(model(X_batch), y_batch)\n"
            "        loss.backward()  # without optimizer.zero_grad(): gradients pile up\n"
            "        optimizer.step()\n"
            "        batch_losses.append(loss.item())\n"
            "    return float(np.mean(batch_losses))",
            "test_train_epoch",
            "mean batch loss of each epoch",
        ),
        Wrong(
            "train",
            "def train_digit_classifier(X_train, y_train, X_val, y_val):\n"
            "    nnlib.manual_seed(0)\n"
            "    return nnlib.nn.MLP([64, 32, 10])  # never trained",
            "test_train",
            "new images made from the ones kept aside",
            setup="model = train_digit_classifier(X_train, y_train, X_val, y_val)\n",
        ),
    ],
}


def rounds(cases: list) -> list[list]:
    """The cases in groups that each replace an answer at most once, so that one run holds a group."""
    groups: list[list] = []
    for case in cases:
        group = next((g for g in groups if all(other.answer != case.answer for other in g)), None)
        if group is None:
            groups.append(group := [])
        group.append(case)
    return groups


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=notebook_id)
def test_wrong_answers_fail_their_verdicts(path):
    cases = WRONG.get(path.parent.name, [])
    assert cases, f"add plausible wrong answers for {path.parent.name} to WRONG"
    master = nbformat.read(path, as_version=4)
    tests = graded_tests(master)
    masters = {nbgrader(cell).get("grade_id"): cell for cell in master.cells}
    for group in rounds(cases):
        notebook = as_kernel_sees_it(path)
        by_id = {nbgrader(cell).get("grade_id"): cell for cell in notebook.cells}
        for case in group:
            assert nbgrader(by_id[case.answer]).get("solution"), f"{case.answer} is not an answer cell"
            by_id[case.answer].source = case.source
            by_id[case.test].source = case.setup + probe_of(masters[case.test].source)
        decided = judgements(execute(notebook, path.parent), tests)
        for case in group:
            judgement = decided[case.test]
            assert not judgement.passed, f"the wrong {case.answer} passed {case.test}"
            assert case.says in judgement.message, f"{case.test}: {judgement.message}"


# --- (e) the visible tests catch what the task warns about ------------------------------------

# (assignment, answer cell, wrong answer, test cell): the test cell's visible tests must fail on it
VISIBLE_CATCHES = [
    (
        "a2_losses",
        "log_softmax",
        "def log_softmax(logits):\n"
        "    z = np.asarray(logits, dtype=float)\n"
        "    shifted = z - z.max()  # one maximum for the whole array, not one per row\n"
        "    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n\n\n"
        "def cross_entropy(logits, labels):\n"
        "    return float(-log_softmax(logits)[np.arange(len(labels)), labels].mean())",
        "test_log_softmax",
    ),
    (
        "a3_gradient_descent",
        "tune_momentum",
        "def momentum_settings():\n    return 0.06345, 0.9",
        "test_tune_momentum",
    ),
    (
        "a6_training",
        "accuracy",
        "def predict(model, X):\n    return np.argmax(model(X).data, axis=1)\n\n\n"
        "def accuracy(model, X, y):\n    return float(np.mean(predict(model, X) == y))",
        "test_accuracy",
    ),
    (
        "a5_backprop",
        "autograd",
        AUTOGRAD_OVERWRITING,
        "test_autograd",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("assignment", "answer", "source", "test"),
    VISIBLE_CATCHES,
    ids=[f"{case[0]}-{case[1]}" for case in VISIBLE_CATCHES],
)
def test_visible_tests_catch_the_wrong_answers_the_task_warns_about(assignment, answer, source, test):
    path = next(p for p in SOLUTIONS if p.parent.name == assignment)
    notebook = as_kernel_sees_it(path)
    by_id = {nbgrader(cell).get("grade_id"): cell for cell in notebook.cells}
    by_id[answer].source = source
    executed = execute(notebook, path.parent)
    cell = next(c for c in executed.cells if nbgrader(c).get("grade_id") == test)
    failures = [o for o in cell.get("outputs", []) if o.output_type == "error"]
    assert failures, f"{assignment}: the visible tests of {test} accepted the wrong {answer}"
    assert failures[0].ename == "AssertionError", failures[0].ename


# --- (f) 6.3 decided by an instructor's own digits ---------------------------------------------


def write_optdigits(path: Path, images, labels) -> Path:
    """Images in [0, 1] as UCI's optdigits file: 64 counts 0..16 and the label per line."""
    counts = np.rint(np.asarray(images) * 16).astype(int)
    path.write_text("".join(",".join(map(str, [*row, label])) + "\n" for row, label in zip(counts, labels)))
    return path


@pytest.mark.slow
def test_an_instructors_held_out_digits_decide_the_classifier(tmp_path, monkeypatch):
    path = COURSE / "solutions" / "a6_training" / "train_digits.ipynb"
    test = graded_tests(nbformat.read(path, as_version=4))["test_train"]
    executed = execute(as_kernel_sees_it(path), path.parent)
    cell = next(c for c in executed.cells if nbgrader(c).get("grade_id") == "test_train")
    reported = reports_in(cell.outputs, MIME_TYPE)
    X, y = nnlib.data.load_digits()
    aside = np.arange(len(y)) % 5 == 0  # the students never train on these
    right = write_optdigits(tmp_path / "right.tra", X[aside], y[aside])
    wrong = write_optdigits(tmp_path / "relabelled.tra", X[aside], (y[aside] + 1) % 10)

    monkeypatch.setenv(held_out.ENVIRONMENT_VARIABLE, str(right))
    assert judge(test, reported, "test_train") == Judgement(True, "hidden tests passed")
    monkeypatch.setenv(held_out.ENVIRONMENT_VARIABLE, str(wrong))
    judgement = judge(test, reported, "test_train")
    assert not judgement.passed
    assert f"the accuracy on {aside.sum()} held-out images by other writers is 0.0" in judgement.message

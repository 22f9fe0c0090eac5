"""Time one training epoch of an MLP with nnlib, bare numpy matmuls, a numpy MLP, and PyTorch.

Two workloads, each trained with plain SGD and softmax cross-entropy:

- "MNIST-size": 60000 synthetic samples of 784 features, MLP 784-256-128-10, batch 128, float32;
- "digits": scikit-learn's 1797 8x8 digits, MLP 64-128-10, batch 32, float32.

The four contenders see the same data, the same batches in the same order,
and the same architecture, in the same process:

- nnlib: ``model(x)``, ``cross_entropy``, ``zero_grad``, ``backward``, ``optim.SGD.step``;
- bare matmuls: only the matrix products a forward and backward pass needs
  (3 forward, 3 weight gradients, 2 input gradients; none for the data), i.e.
  the floor that any numpy implementation pays;
- numpy MLP: a hand-written forward, softmax cross-entropy, backward and SGD
  step, no autograd: what nnlib's graph bookkeeping is measured against;
- torch (if installed): the same loop with ``torch.nn`` and ``torch.optim.SGD``.
  It gets as many threads as numpy's BLAS (``torch.set_num_threads``), so both
  use the same cores.

Epochs of the contenders are interleaved (one epoch of each in turn), so a
machine that slows down during the run slows all of them alike, and the
medians over several epochs are compared (the ratio of the fastest epochs is
printed too: on a machine busy with other work it is the steadier figure).
Absolute times vary between machines (and with BLAS settings such as
``OPENBLAS_CORETYPE``); the ratios within one run are what the targets are
about.

Usage::

    python benchmarks/bench_mlp.py               # 7 timed epochs (MNIST-size), 42 (digits)
    python benchmarks/bench_mlp.py --epochs 3
    python benchmarks/bench_mlp.py --quick       # a smoke run of a few seconds
    python benchmarks/bench_mlp.py --threads 1 --cpu-time   # steadier on a busy machine
"""

import argparse
import os
import statistics
import time

import numpy as np

import nnlib
from nnlib import losses, nn, optim

try:
    import torch
except ImportError:  # the comparison with torch is optional
    torch = None

LEARNING_RATE = 0.01


# ---------------------------------------------------------------- workloads
def mnist_size_data(n_samples):
    """Synthetic data of MNIST's shape: pixel-like values in [0, 1) and 10 classes."""
    rng = np.random.default_rng(0)
    X = rng.random((n_samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=n_samples)
    return X, y


def digits_data():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y.astype(np.int64)


def batch_slices(n_samples, batch_size):
    return [slice(start, start + batch_size) for start in range(0, n_samples, batch_size)]


# -------------------------------------------------------------- contenders
def nnlib_epoch_runner(X, y, sizes, batch_size):
    model = nn.MLP(sizes, dtype=np.float32)
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE)
    slices = batch_slices(len(X), batch_size)

    def epoch():
        for s in slices:
            loss = losses.cross_entropy(model(X[s]), y[s])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch


def bare_matmul_epoch_runner(X, y, sizes, batch_size):
    """The matrix products of forward and backward, with random stand-ins for the gradients."""
    rng = np.random.default_rng(0)
    weights = [
        rng.standard_normal((n_out, n_in), dtype=np.float32) * 0.01 for n_in, n_out in zip(sizes, sizes[1:])
    ]
    slices = batch_slices(len(X), batch_size)

    weight_grads = [None] * len(weights)

    def epoch():
        for s in slices:
            hidden = [X[s]]
            for W in weights:  # forward: h_{k+1} = h_k W^T
                hidden.append(hidden[-1] @ W.T)
            grad = hidden.pop()  # stands in for dL/d(logits): same shape
            for k in reversed(range(len(weights))):  # backward
                weight_grads[k] = grad.T @ hidden[k]  # dL/dW_k = g^T h_k
                if k > 0:  # no gradient for the data
                    grad = grad @ weights[k]  # dL/dh_k = g W_k

    return epoch


def numpy_mlp_epoch_runner(X, y, sizes, batch_size):
    """A hand-written numpy MLP: forward, softmax cross-entropy, backward and the same SGD step.

    What a careful programmer writes without any autograd: the yardstick for nnlib's overhead.
    """
    rng = np.random.default_rng(0)
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        W = rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, n_out).astype(np.float32)
        layers.append((W, b))
    slices = batch_slices(len(X), batch_size)

    def epoch():
        for s in slices:
            x, targets = X[s], y[s]
            inputs = [x]  # the input of each layer, kept for the weight gradients
            for k, (W, b) in enumerate(layers):
                z = inputs[-1] @ W.T + b
                if k < len(layers) - 1:
                    z = np.maximum(z, 0)
                inputs.append(z)
            logits = inputs.pop()
            shifted = logits - logits.max(axis=1, keepdims=True)
            probs = np.exp(shifted)
            probs /= probs.sum(axis=1, keepdims=True)
            grad = probs  # d(mean cross-entropy)/d(logits) = (softmax - onehot) / n
            grad[np.arange(len(targets)), targets] -= 1
            grad /= len(targets)
            for k in reversed(range(len(layers))):
                W, b = layers[k]
                grad_W, grad_b = grad.T @ inputs[k], grad.sum(axis=0)
                if k > 0:
                    grad = (grad @ W) * (inputs[k] > 0)  # through the layer, then the ReLU
                W -= LEARNING_RATE * grad_W
                b -= LEARNING_RATE * grad_b

    return epoch


def torch_epoch_runner(X, y, sizes, batch_size):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    slices = batch_slices(len(X), batch_size)

    def epoch():
        for s in slices:
            loss = torch.nn.functional.cross_entropy(model(X_t[s]), y_t[s])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch


# ------------------------------------------------------------------ timing
def time_interleaved(runners, epochs, clock=time.perf_counter):
    """Seconds per epoch of each runner, over ``epochs`` rounds of one epoch of each in turn."""
    for run in runners.values():  # warm-up: first-call costs, BLAS buffers, caches
        run()
    times = {name: [] for name in runners}
    for _ in range(epochs):
        for name, run in runners.items():
            start = clock()
            run()
            times[name].append(clock() - start)
    return times


def blas_threads():
    """Threads used by numpy's BLAS (threadpoolctl if installed, else the number of CPUs)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1
    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return max(counts) if counts else os.cpu_count() or 1


def limit_blas_threads(threads):
    """Limit numpy's BLAS to ``threads`` for the rest of the run."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise SystemExit(
            "--threads needs threadpoolctl (pip install threadpoolctl); "
            "or set OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before starting Python"
        ) from None
    return threadpool_limits(limits=threads, user_api="blas")


def report(title, times, targets):
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"\n{title}")
    print(f"  {'contender':<14}{'median':>10}{'fastest':>10}{'slowest':>10}   (ms per epoch)")
    for name, ts in times.items():
        print(f"  {name:<14}{medians[name] * 1e3:>10.1f}{min(ts) * 1e3:>10.1f}{max(ts) * 1e3:>10.1f}")
    for (numerator, denominator), target in targets.items():
        if numerator in medians and denominator in medians:
            ratio = medians[numerator] / medians[denominator]
            best = min(times[numerator]) / min(times[denominator])
            verdict = "ok" if ratio <= target else "MISSED"
            print(
                f"  {numerator} / {denominator} = {ratio:.2f} (fastest epochs: {best:.2f})"
                f"  target <= {target}  {verdict}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None, help="timed epochs per contender (MNIST-size)")
    parser.add_argument("--quick", action="store_true", help="smaller MNIST-size data and fewer epochs")
    parser.add_argument("--threads", type=int, default=None, help="threads for numpy's BLAS and for torch")
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="measure the process's CPU time instead of wall time: steadier on a busy machine, "
        "but only meaningful with --threads 1 (idle threads that spin would count)",
    )
    args = parser.parse_args()
    mnist_epochs = args.epochs or (2 if args.quick else 7)
    digits_epochs = max(10, 6 * mnist_epochs)
    n_samples = 12000 if args.quick else 60000

    if args.threads is not None:
        limit_blas_threads(args.threads)
    threads = blas_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    nnlib.manual_seed(0)
    print(f"numpy {np.__version__}, BLAS threads {threads}", end="")
    print(
        f", torch {torch.__version__} with {torch.get_num_threads()} threads"
        if torch
        else ", torch not installed"
    )

    workloads = [
        ("MNIST-size", mnist_size_data(n_samples), [784, 256, 128, 10], 128, mnist_epochs, 0.9),
        ("digits", digits_data(), [64, 128, 10], 32, digits_epochs, 0.5),
    ]
    for name, (X, y), sizes, batch_size, epochs, torch_target in workloads:
        runners = {
            "nnlib": nnlib_epoch_runner(X, y, sizes, batch_size),
            "bare matmuls": bare_matmul_epoch_runner(X, y, sizes, batch_size),
            "numpy MLP": numpy_mlp_epoch_runner(X, y, sizes, batch_size),
        }
        if torch is not None:
            runners["torch"] = torch_epoch_runner(X, y, sizes, batch_size)
        times = time_interleaved(runners, epochs, time.process_time if args.cpu_time else time.perf_counter)
        title = (
            f"{name}: {len(X)}x{X.shape[1]}, MLP {'-'.join(map(str, sizes))}, batch {batch_size}, "
            f"float32, {epochs} epochs each, {'CPU' if args.cpu_time else 'wall'} time"
        )
        targets = {("nnlib", "torch"): torch_target, ("nnlib", "numpy MLP"): 1.2}
        if name == "MNIST-size":
            targets[("nnlib", "bare matmuls")] = 1.5
        report(title, times, targets)


if __name__ == "__main__":
    main()

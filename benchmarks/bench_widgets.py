"""Time how fast each explorer of nnlib.widgets redraws after a control changes.

For each explorer: build it, then set one control's ``.value`` N times (cycling through values
that change the picture) and time each change in two parts:

- "draw": the callback that runs the optimizer or model and builds the matplotlib Figure;
- "total": draw plus rendering the Figure to PNG, which is what the kernel does before the
  notebook shows the new picture.

For the training playground it also times the first update after "Train" (how long the reader
waits before the first new picture appears), over several fresh runs.

Targets: median total <= 100 ms per control change; playground first update <= 1 s.
The machine's load average is printed too: on a shared machine the wall-clock times include
waiting for a core, while the CPU times (process time) do not.

Usage::

    python benchmarks/bench_widgets.py              # 15 changes per explorer
    python benchmarks/bench_widgets.py --changes 40
    python benchmarks/bench_widgets.py --quick      # 4 changes, a smoke run
"""

import argparse
import itertools
import os
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from nnlib import viz, widgets  # noqa: E402  (after choosing the backend)

TARGET_MS = 100.0
FIRST_UPDATE_TARGET_S = 1.0

# explorer -> (the control to move, the values to cycle through)
CASES = {
    "gradient_descent_1d": ("lr", [0.01, 0.1, 0.3, 0.8, 1.5]),
    "momentum_explorer": ("lr", [0.01, 0.05, 0.1, 0.15, 0.19]),
    "optimizer_race": ("lr_adam", [0.03, 0.1, 0.3, 1.0]),
    "neuron_explorer": ("w1", [-2.0, -0.5, 0.5, 1.0, 2.5]),
    "backprop_explorer": ("a", [-2.0, -1.0, 0.0, 1.0, 2.0]),
    "capacity_explorer": ("step", None),  # its recorded checkpoints
}


def time_changes(explorer, name, values, changes):
    """Set ``explorer.controls[name]`` to successive values; return (draw, total, cpu) lists in seconds."""
    control = explorer.controls[name]
    draw, total, cpu = [], [], []
    for value in itertools.islice(itertools.cycle(values), changes + 1):
        if value == control.value:
            continue
        cpu_start, start = time.process_time(), time.perf_counter()
        control.value = value  # the observer redraws, as when the reader moves the control
        drawn = time.perf_counter()
        viz.figure_to_png(explorer.figure)
        total.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        draw.append(drawn - start)
        if len(total) == changes:
            break
    return draw, total, cpu


def time_playground(changes, runs):
    """Time control changes (each starts over: new model, redraw and PNG) and first updates after Train."""
    playground = widgets.training_playground()
    rates = [3e-3, 1e-2, 3e-2, 1e-3]
    total, cpu = [], []
    for lr in itertools.islice(itertools.cycle(rates), changes):
        cpu_start, start = time.process_time(), time.perf_counter()
        playground.controls["lr"].value = lr
        total.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    first_updates = []
    for _ in range(runs):
        playground.reset()
        first_updates.append(playground.train(epochs=20))
    return total, cpu, first_updates


def milliseconds(values):
    return f"{1000 * statistics.median(values):7.1f} {1000 * max(values):7.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=15, help="control changes timed per explorer")
    parser.add_argument("--quick", action="store_true", help="4 changes per explorer")
    args = parser.parse_args()
    changes = 4 if args.quick else args.changes

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {changes} changes each")
    header = (
        f"{'explorer':22s} {'build ms':>9s} | {'draw med':>8s} {'max':>7s} | {'total med':>9s} {'max':>7s}"
    )
    print(header + f" | {'cpu med':>7s} | target {TARGET_MS:.0f} ms")
    print("-" * (len(header) + 30))
    verdicts = []
    for explorer_name, (control, values) in CASES.items():
        start = time.perf_counter()
        explorer = getattr(widgets, explorer_name)()
        build = time.perf_counter() - start
        if values is None:
            checkpoints = explorer.run.checkpoints
            values = checkpoints[:: max(1, len(checkpoints) // 8)]
        draw, total, cpu = time_changes(explorer, control, values, changes)
        ok = statistics.median(total) * 1000 <= TARGET_MS
        verdicts.append(ok)
        print(
            f"{explorer_name:22s} {1000 * build:9.0f} | {milliseconds(draw)} | "
            f"  {milliseconds(total)} | {1000 * statistics.median(cpu):7.1f} | {'ok' if ok else 'SLOWER'}"
        )

    total, cpu, first_updates = time_playground(changes, runs=3 if args.quick else 5)
    ok = statistics.median(total) * 1000 <= TARGET_MS
    verdicts.append(ok)
    print(
        f"{'training_playground':22s} {'':9s} | {'(draw and PNG together)':>15s} |   {milliseconds(total)} | "
        f"{1000 * statistics.median(cpu):7.1f} | {'ok' if ok else 'SLOWER'}"
    )
    first_ok = max(first_updates) <= FIRST_UPDATE_TARGET_S
    verdict = "ok" if first_ok else "SLOWER"
    print(
        f"\nplayground first update after Train: median {statistics.median(first_updates):.2f} s, "
        f"max {max(first_updates):.2f} s (target {FIRST_UPDATE_TARGET_S:.0f} s: {verdict})"
    )
    load = os.getloadavg()[0]
    print(f"load average after: {load:.2f}")
    if load > os.cpu_count():
        print("the machine was busy (more runnable processes than cores): wall-clock times include waiting")
        print("for a core; the cpu column is the explorers' own cost")
    return 0 if all(verdicts) and first_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

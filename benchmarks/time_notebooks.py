"""Execute each notebook in a fresh kernel and print how long it took.

Usage::

    python benchmarks/time_notebooks.py                 # every lecture
    python benchmarks/time_notebooks.py solutions/*/*.ipynb

Targets: each lecture <= 20 s, all seven together <= 45 s on a 2-core machine.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execution_seconds(path: Path) -> float:
    nb = nbformat.read(str(path), as_version=4)  # this nbformat opens only str paths
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": path.parent}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(argv):
    paths = [Path(p) for p in argv] or sorted((ROOT / "lectures").glob("[0-9][0-9]-*.ipynb"))
    total = 0.0
    print(f"{'notebook':<55} {'seconds':>8}")
    for path in paths:
        seconds = execution_seconds(path)
        total += seconds
        print(f"{path.name:<55} {seconds:8.1f}")
    print(f"{'total':<55} {total:8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])

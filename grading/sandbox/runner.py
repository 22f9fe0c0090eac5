"""Execute a notebook inside the sandbox and print its cells' outputs as JSON.

Started by :func:`grading.sandbox.run_notebook` as::

    python -m grading.sandbox.runner NOTEBOOK CELL_TIMEOUT

It runs every cell with nbclient (errors do not stop the run; a cell past ``CELL_TIMEOUT``
seconds is interrupted) and writes one JSON object to its standard output::

    {"status": "ran" | "kernel died" | "runner failed: ...",
     "timed_out_cells": [cell index, ...],
     "cells": [{"outputs": [...], "execution_count": n}, ...]}

The kernel and anything it starts write to /dev/null instead of that stream. This file runs in the
sandbox with the student's code: the grader treats all of its output as untrusted data.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _keep_out_of_proc() -> None:
    """Make this process non-dumpable: same-user processes (the kernel) can then no longer open
    its /proc/<pid>/fd entries and write a result of their own into the stream the grader reads."""
    import ctypes

    pr_set_dumpable = 4
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_dumpable, 0, 0, 0, 0)


def _result_stream():
    """A private copy of standard output for the result; fds 1 and 2 go to /dev/null for children."""
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")  # dup: not inherited by the kernel
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    return result


def execute(notebook, cell_timeout: int) -> dict:
    """Run ``notebook`` in place; return the run's status and the indices of timed-out cells."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from traitlets.config import Config

    started: dict[int, float] = {}
    timed_out: list[int] = []

    def on_cell_execute(cell, cell_index):
        started[cell_index] = time.monotonic()

    def on_cell_executed(cell, cell_index, execute_reply):
        if time.monotonic() - started.get(cell_index, time.monotonic()) >= cell_timeout:
            timed_out.append(cell_index)

    config = Config()
    config.KernelManager.transport = "ipc"  # unix sockets in the sandbox's home: no TCP at all
    client = NotebookClient(
        notebook,
        config=config,
        timeout=cell_timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        shutdown_kernel="immediate",  # every output is in: no need to wait for a clean exit
        record_timing=False,
        kernel_name="python3",
        extra_arguments=["--HistoryManager.hist_file=:memory:"],
        resources={"metadata": {"path": os.getcwd()}},
        on_cell_execute=on_cell_execute,
        on_cell_executed=on_cell_executed,
    )
    try:
        client.execute()
        status = "ran"
    except DeadKernelError:
        status = "kernel died"
    except Exception as error:  # reported to the grader, which turns it into a note
        status = f"runner failed: {type(error).__name__}: {str(error)[:200]}"
    return {"status": status, "timed_out_cells": timed_out}


def main(argv: list[str]) -> int:
    import nbformat  # after the sandbox's sitecustomize has hidden what a run does not need

    path, cell_timeout = argv[0], int(argv[1])
    _keep_out_of_proc()
    result_stream = _result_stream()
    notebook = nbformat.read(path, as_version=4)
    outcome = execute(notebook, cell_timeout)
    outcome["cells"] = [
        {"outputs": cell.get("outputs", []), "execution_count": cell.get("execution_count")}
        for cell in notebook.cells
    ]
    json.dump(outcome, result_stream)
    result_stream.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Normalize a notebook: optionally execute it, then keep only metadata that means something.

Kept: sources, outputs, and the cell metadata for slides, tags and nbgrader; the notebook's
``kernelspec``, ``language_info`` and ``widgets`` as JupyterLab writes them. Dropped: execution
timings, collapsed/scrolled flags and anything else a run or a machine leaves behind.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor, ExecutePreprocessor

from tools.notebooks.jupyterlab_format import KERNEL_NAME, JupyterLabFormat

KEPT_CELL_METADATA = {"slideshow", "tags", "nbgrader", "editable", "deletable"}
KEPT_NOTEBOOK_METADATA = {"kernelspec", "language_info", "widgets", "celltoolbar", "nbgrader"}
CELL_TIMEOUT = 120  # seconds; nbclient waits forever without one


def normalize(nb: nbformat.NotebookNode, folder: Path, execute: bool = False) -> nbformat.NotebookNode:
    """Return ``nb`` normalized in place; with ``execute``, run it top to bottom first.

    Parameters
    ----------
    nb : NotebookNode
        The notebook, as read by ``nbformat.read(..., as_version=4)``.
    folder : Path
        Working folder of the kernel (the notebook's own folder), for relative paths.
    execute : bool
        Run every cell in a fresh kernel, numbering the cells 1, 2, 3, ... as they run.
    """
    steps = [
        ClearMetadataPreprocessor(
            preserve_cell_metadata_mask=KEPT_CELL_METADATA,
            preserve_nb_metadata_mask=KEPT_NOTEBOOK_METADATA,
        ),
        JupyterLabFormat(),
    ]
    if execute:
        # The widget state this run records is replaced by JupyterLab's (see jupyterlab_format);
        # it is recorded anyway because nbclient 0.11 fails on Output widgets without it.
        runner = ExecutePreprocessor(timeout=CELL_TIMEOUT, kernel_name=KERNEL_NAME, record_timing=False)
        steps.insert(0, runner)
    resources = {"metadata": {"path": str(folder)}}
    for step in steps:
        nb, resources = step.preprocess(nb, resources)
    return nb


def normalized_text(path: Path, execute: bool = False) -> str:
    """The normalized notebook at ``path`` as JupyterLab's server writes it to disk.

    ``nbformat.write`` is what the server calls on save (one-space indent, sorted keys, multi-line
    strings split into lists, a final newline), so the same call is used here.
    """
    nb = normalize(nbformat.read(path, as_version=4), path.parent, execute=execute)
    return nbformat.writes(nb) + "\n"

"""What JupyterLab 4 with the course's configuration writes that nbconvert does not know about.

Measured by opening executed lectures in JupyterLab 4.6 (ipywidgets 8.1, the course's
``jupyter/jupyter_lab_config.py``) and saving them unchanged; no maintained tool produces this,
so it is written here by hand:

- ``kernelspec`` as the running kernel's spec names it (``"Python 3 (ipykernel)"``), not as the
  file said;
- ``widgets``: with the course's ``saveState`` on, JupyterLab saves the widget manager's state,
  which for a notebook opened without being run is empty;
- then the course's save hook drops the widget views that state does not back, so a stored
  notebook holds none: the explorers put a PNG and a text beside their view, and that picture is
  what a reader sees until the kernel runs.

- JSON output data (such as the probes' reports in solutions) as JavaScript writes it back:
  a whole-number float such as ``900.0`` becomes ``900``, since JavaScript has one number type.

``language_info`` is what the kernel reports when the notebook is executed (nbclient stores it,
and JupyterLab writes the same once the kernel starts), so it is kept as stored.
"""

from __future__ import annotations

from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from nbconvert.preprocessors import Preprocessor
from traitlets.config import PyFileConfigLoader

KERNEL_NAME = "python3"
WIDGET_STATE_MIMETYPE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"
EMPTY_WIDGET_STATE = {WIDGET_STATE_MIMETYPE: {"state": {}, "version_major": 2, "version_minor": 0}}
COURSE_CONFIG = Path(__file__).resolve().parents[2] / "jupyter" / "jupyter_lab_config.py"


def kernelspec_metadata(kernel_name: str = KERNEL_NAME) -> dict[str, str]:
    """The ``kernelspec`` entry JupyterLab writes for ``kernel_name`` as installed here."""
    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    return {"display_name": spec.display_name, "language": spec.language, "name": kernel_name}


def course_save_hook():
    """The pre-save hook the course's JupyterLab runs on every save (read from its config)."""
    config = PyFileConfigLoader(COURSE_CONFIG.name, path=str(COURSE_CONFIG.parent)).load_config()
    return config.ContentsManager.pre_save_hook


def as_javascript_numbers(value):
    """``value`` (parsed JSON) with whole-number floats as ints, as ``JSON.stringify`` writes them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: as_javascript_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_javascript_numbers(item) for item in value]
    return value


class JupyterLabFormat(Preprocessor):
    """Give a notebook the metadata JupyterLab writes, then apply the course's save hook."""

    def preprocess(self, nb, resources):
        nb.metadata["kernelspec"] = kernelspec_metadata()
        nb.metadata["widgets"] = EMPTY_WIDGET_STATE
        course_save_hook()({"type": "notebook", "content": nb}, path=None, contents_manager=None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mimetype, value in data.items():
                if mimetype.endswith("json") and not isinstance(value, str):
                    data[mimetype] = as_javascript_numbers(value)
        return cell, resources

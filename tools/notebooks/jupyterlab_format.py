"""What JupyterLab 4 with the course's settings writes that nbconvert does not know about.

Measured by opening executed lectures in JupyterLab 4.6 (ipywidgets 8.1, the course's setting
``saveState: true``) and saving them unchanged; no maintained tool produces this, so it is written
here by hand:

- ``kernelspec`` as the running kernel's spec names it (``"Python 3 (ipykernel)"``), not as the
  file said;
- ``widgets``: with ``saveState`` on, JupyterLab saves the widget manager's state, which for a
  notebook opened without being run is empty;
- no widget views in the outputs: a stored view would point at a widget model that no kernel and
  no saved state holds ("Error displaying widget: model not found"). The explorers put a PNG and a
  text beside their view, and that picture is what a reader without a kernel sees.

``language_info`` is what the kernel reports when the notebook is executed (nbclient stores it,
and JupyterLab writes the same once the kernel starts), so it is kept as stored.
"""

from __future__ import annotations

from jupyter_client.kernelspec import KernelSpecManager
from nbconvert.preprocessors import Preprocessor

KERNEL_NAME = "python3"
WIDGET_STATE_MIMETYPE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"
EMPTY_WIDGET_STATE = {WIDGET_STATE_MIMETYPE: {"state": {}, "version_major": 2, "version_minor": 0}}


def kernelspec_metadata(kernel_name: str = KERNEL_NAME) -> dict[str, str]:
    """The ``kernelspec`` entry JupyterLab writes for ``kernel_name`` as installed here."""
    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    return {"display_name": spec.display_name, "language": spec.language, "name": kernel_name}


class JupyterLabFormat(Preprocessor):
    """Give a notebook the metadata JupyterLab writes and drop widget views no state backs."""

    def preprocess(self, nb, resources):
        nb.metadata["kernelspec"] = kernelspec_metadata()
        nb.metadata["widgets"] = EMPTY_WIDGET_STATE
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW_MIMETYPE, None)
        return cell, resources

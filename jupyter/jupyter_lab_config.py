"""JupyterLab for the course: ``jupyter lab --config=jupyter/jupyter_lab_config.py``.

Serves the whole course folder (lectures and exercises, whose links assume that root), opens
START.md, and applies the course's settings in ``settings/overrides.json``:

- widget state is saved with the notebook, so a lecture run and saved reopens with its explorers'
  pictures instead of "Error displaying widget: model not found";
- Markdown files open rendered, with working links.

Settings a person changes in JupyterLab's Settings Editor still take precedence.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE_ROOT = HERE.parent
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def drop_widget_views_without_state(model, **kwargs):
    """Before a notebook is saved, drop each widget view whose model its widget state lacks.

    ipywidgets saves the models of the running kernel only: a notebook reopened and saved again
    keeps views of models that no longer exist, which would reopen as "Error displaying widget:
    model not found". The explorers put a PNG beside each view, and that picture shows instead.
    (A save hook is jupyter_server's own way to do this; ipywidgets has no option for it.)
    """
    if model.get("type") != "notebook":
        return
    notebook = model["content"]
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None and view.get("model_id") not in state:
                del output["data"][WIDGET_VIEW]


c = get_config()  # noqa: F821 -- defined by traitlets when it loads this file
c.ServerApp.root_dir = str(COURSE_ROOT)
c.LabApp.default_url = "/lab/tree/START.md"
c.LabApp.app_settings_dir = str(HERE / "settings")
c.ContentsManager.pre_save_hook = drop_widget_views_without_state

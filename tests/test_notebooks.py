"""Checks on the stored course notebooks that nbval (which executes them) does not make.

nbval runs every notebook under lectures/ and solutions/ as part of the test command; these tests
check what a reader sees without running anything: notebooks stored as JupyterLab saves them, no
stored errors, slide metadata on every cell, checked key numbers, and that each lecture converts
to slides and HTML with its figures.
"""

import base64
import html
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager
from nbconvert import HTMLExporter, SlidesExporter
from pictures import ink_at_edges

from tools.notebooks import normalized_text
from tools.notebooks.jupyterlab_format import WIDGET_VIEW_MIMETYPE, course_save_hook, kernelspec_metadata

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "lectures").glob("*.ipynb"))
STORED = LECTURES + sorted((ROOT / "solutions").glob("*/*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


def ids(paths):
    return [p.stem for p in paths]


def test_the_course_has_lectures_and_solutions_named_as_taught():
    assert len(LECTURES) >= 7, f"lectures found: {ids(LECTURES)}"
    assert all(p.name[:3].rstrip("-").isdigit() for p in LECTURES), "lectures are named NN-topic.ipynb"
    assert len(STORED) > len(LECTURES), "no solution notebooks found under solutions/<assignment>/"


def test_notebooks_are_stored_as_the_normalizer_writes_them():
    command = [sys.executable, "-m", "tools.notebooks", "--check", "lectures", "solutions"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def lecture_copy(tmp_path):
    """A copy of the first lecture, to be spoilt by a test."""
    copy = tmp_path / LECTURES[0].name
    copy.write_bytes(LECTURES[0].read_bytes())
    return copy


def test_normalizer_drops_an_execution_timestamp_and_widget_views(lecture_copy):
    notebook = json.loads(lecture_copy.read_text(encoding="utf-8"))
    notebook["cells"][1]["metadata"]["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    output = {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "slider"}}
    output["data"][WIDGET_VIEW_MIMETYPE] = {"model_id": "0123", "version_major": 2, "version_minor": 0}
    notebook["cells"][1]["outputs"].append(output)
    lecture_copy.write_text(json.dumps(notebook), encoding="utf-8")

    check = [sys.executable, "-m", "tools.notebooks", "--check", str(lecture_copy)]
    assert subprocess.run(check, cwd=ROOT, capture_output=True).returncode == 1
    cleaned = json.loads(normalized_text(lecture_copy))
    assert "execution" not in cleaned["cells"][1]["metadata"]
    assert cleaned["cells"][1]["outputs"][-1]["data"] == {"text/plain": ["slider"]}  # as nbformat splits it


def test_normalizer_refuses_what_is_not_a_notebook(tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("not a notebook")
    for argument in (stray, tmp_path / "missing.ipynb", tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "tools.notebooks", "--check", str(argument)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert str(argument) in result.stderr and ".ipynb" in result.stderr, result.stderr


@pytest.mark.parametrize("path", STORED, ids=ids(STORED))
def test_stored_notebook_is_what_jupyter_server_writes_on_save(path, tmp_path):
    """Saving the stored notebook through the server's own contents manager changes no byte."""
    manager = FileContentsManager(root_dir=str(tmp_path))
    model = {"type": "notebook", "format": "json", "content": nbformat.read(path, as_version=4)}
    manager.save(model, path.name)
    assert (tmp_path / path.name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("path", STORED, ids=ids(STORED))
def test_stored_metadata_is_what_jupyterlab_writes(path):
    metadata = nbformat.read(path, as_version=4).metadata
    assert metadata.kernelspec == kernelspec_metadata()
    # Written by the kernel on execution; JupyterLab writes the same details when it starts one.
    assert {"name", "version", "codemirror_mode", "pygments_lexer"} <= set(metadata.language_info)
    state = metadata.widgets["application/vnd.jupyter.widget-state+json"]
    assert state["state"] == {}


@pytest.mark.parametrize("path", STORED, ids=ids(STORED))
def test_notebook_is_stored_executed_without_errors_or_warnings(path):
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code_cells] == list(range(1, len(code_cells) + 1)), (
        "store the notebook executed top to bottom in a fresh kernel: python -m tools.notebooks --execute"
    )
    for cell in code_cells:
        for output in cell.outputs:
            assert output.output_type != "error", f"stored error in cell:\n{cell.source[:200]}"
            if output.output_type == "stream" and output.name == "stderr":
                pytest.fail(f"stored stderr output (a warning?) in cell:\n{cell.source[:200]}")
            assert WIDGET_VIEW_MIMETYPE not in output.get("data", {}), "a widget view without state"


@pytest.mark.parametrize("path", LECTURES, ids=ids(LECTURES))
def test_every_figure_is_stored_with_twice_the_pixels_of_its_shown_size(path):
    """Sharp on a 2x screen or a projector's zoom: each PNG carries the CSS size it is shown at,
    and has twice as many pixels (a figure rendered by another formatter would have neither)."""
    figures = 0
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []):
            if "image/png" not in output.get("data", {}):
                continue
            figures += 1
            png = base64.b64decode(output["data"]["image/png"])
            pixels = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # IHDR chunk
            shown = output.get("metadata", {}).get("image/png", {})
            assert "width" in shown, f"cell {index}: a figure without the size to show it at"
            assert pixels == (2 * shown["width"], 2 * shown["height"]), f"cell {index}: {pixels}, {shown}"
    assert figures > 0


@pytest.mark.parametrize("path", LECTURES, ids=ids(LECTURES))
def test_every_cell_has_slide_metadata(path):
    nb = nbformat.read(path, as_version=4)
    missing = [i for i, c in enumerate(nb.cells) if c.metadata.get("slideshow", {}).get("slide_type") is None]
    assert not missing, f"cells without slideshow metadata: {missing}"
    types = {c.metadata.slideshow.slide_type for c in nb.cells}
    assert types <= SLIDE_TYPES
    assert nb.cells[0].metadata.slideshow.slide_type == "slide"


@pytest.mark.parametrize("path", LECTURES, ids=ids(LECTURES))
def test_key_numbers_are_checked_by_nbval(path):
    nb = nbformat.read(path, as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code" and "# NBVAL_CHECK_OUTPUT" in c.source]
    assert checked, "mark the cells that print the lecture's key numbers with # NBVAL_CHECK_OUTPUT"
    assert all(c.outputs for c in checked), "a checked cell must have stored output to compare"


def stored_pngs(nb) -> list[str]:
    """The base64 PNGs of a notebook's outputs, in order."""
    return [
        output.data["image/png"].replace("\n", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


@pytest.mark.parametrize("path", LECTURES, ids=ids(LECTURES))
@pytest.mark.parametrize("exporter", [SlidesExporter, HTMLExporter], ids=["slides", "html"])
def test_lecture_converts_for_handouts_with_its_title_and_figures(path, exporter):
    nb = nbformat.read(path, as_version=4)
    body, _ = exporter().from_notebook_node(nb)
    first_heading = next(c for c in nb.cells if c.cell_type == "markdown")
    title = first_heading.source.splitlines()[0].lstrip("# ").strip()
    assert title.startswith("Lecture"), f"the first cell should open with the lecture's title, not {title!r}"
    assert html.escape(title, quote=False) in body
    pngs = stored_pngs(nb)
    assert pngs, "a lecture shows figures"
    for png in pngs:
        base64.b64decode(png, validate=True)
        assert png in body, "a stored figure is missing from the handout"
    if exporter is SlidesExporter:
        assert body.count("<section") >= 5, "a lecture should give several slides"


def test_course_save_hook_drops_only_views_whose_model_is_not_saved():
    def output(model_id):
        view = {"model_id": model_id, "version_major": 2, "version_minor": 0}
        return {"output_type": "display_data", "data": {WIDGET_VIEW_MIMETYPE: view, "image/png": "iVBO"}}

    state = {"state": {"kept": {"model_name": "FloatSliderModel"}}, "version_major": 2, "version_minor": 0}
    notebook = {
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": state}},
        "cells": [{"cell_type": "code", "outputs": [output("kept"), output("gone")]}],
    }
    course_save_hook()({"type": "notebook", "content": notebook}, path="x.ipynb", contents_manager=None)
    kept, gone = notebook["cells"][0]["outputs"]
    assert kept["data"][WIDGET_VIEW_MIMETYPE]["model_id"] == "kept"
    assert gone["data"] == {"image/png": "iVBO"}


@pytest.mark.parametrize("path", STORED, ids=ids(STORED))
def test_no_stored_figure_is_cut_off_at_its_edges(path):
    """A label, title or legend that runs past a figure's edge leaves ink in its outermost pixels."""
    cut = {}
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                edges = ink_at_edges(base64.b64decode(output["data"]["image/png"]))
                if edges:
                    cut[index] = edges
    assert cut == {}, f"figures with ink at their edges (cell: dark pixels per edge): {cut}"

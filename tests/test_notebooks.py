"""Checks on the stored lecture notebooks that nbval (which executes them) does not make.

nbval runs every notebook under lectures/ and solutions/ as part of the test command; these tests
check what a reader sees without running anything: normalized metadata, no stored errors, slide
metadata on every cell, checked key numbers, and that each lecture converts to slides and HTML.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter, SlidesExporter

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "lectures").glob("[0-9][0-9]-*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}

pytestmark = pytest.mark.skipif(not LECTURES, reason="no lecture notebooks yet")


def lecture_ids():
    return [p.stem for p in LECTURES]


def test_notebooks_are_normalized():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "normalize_notebooks.py"), "--check", "lectures", "solutions"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_normalizer_catches_a_stray_execution_timestamp(tmp_path):
    notebook = json.loads(LECTURES[0].read_text(encoding="utf-8"))
    notebook["cells"][0]["metadata"]["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    stale = tmp_path / "stale.ipynb"
    stale.write_text(json.dumps(notebook), encoding="utf-8")
    check = [sys.executable, str(ROOT / "tools" / "normalize_notebooks.py"), "--check", str(stale)]
    assert subprocess.run(check, capture_output=True).returncode == 1


@pytest.mark.parametrize("path", LECTURES, ids=lecture_ids())
def test_lecture_is_stored_executed_without_errors_or_warnings(path):
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code_cells), "store the notebook executed, top to bottom"
    for cell in code_cells:
        for output in cell.outputs:
            assert output.output_type != "error", f"stored error in cell:\n{cell.source[:200]}"
            if output.output_type == "stream" and output.name == "stderr":
                pytest.fail(f"stored stderr output (a warning?) in cell:\n{cell.source[:200]}")


@pytest.mark.parametrize("path", LECTURES, ids=lecture_ids())
def test_every_cell_has_slide_metadata(path):
    nb = nbformat.read(path, as_version=4)
    missing = [i for i, c in enumerate(nb.cells) if c.metadata.get("slideshow", {}).get("slide_type") is None]
    assert not missing, f"cells without slideshow metadata: {missing}"
    types = {c.metadata.slideshow.slide_type for c in nb.cells}
    assert types <= SLIDE_TYPES
    assert nb.cells[0].metadata.slideshow.slide_type == "slide"


@pytest.mark.parametrize("path", LECTURES, ids=lecture_ids())
def test_key_numbers_are_checked_by_nbval(path):
    nb = nbformat.read(path, as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code" and "# NBVAL_CHECK_OUTPUT" in c.source]
    assert checked, "mark the cells that print the lecture's key numbers with # NBVAL_CHECK_OUTPUT"
    assert all(c.outputs for c in checked), "a checked cell must have stored output to compare"


@pytest.mark.parametrize("path", LECTURES, ids=lecture_ids())
@pytest.mark.parametrize("exporter", [SlidesExporter, HTMLExporter], ids=["slides", "html"])
def test_lecture_converts_for_handouts(path, exporter):
    body, _ = exporter().from_filename(str(path))
    first_heading = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    title = first_heading.source.splitlines()[0].lstrip("# ").strip()
    assert title.split()[0] in body
    if exporter is SlidesExporter:
        assert body.count("<section") >= 5, "a lecture should give several slides"

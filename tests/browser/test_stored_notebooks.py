"""The stored course notebooks, opened, saved and reopened in JupyterLab as a student does.

- Opening a stored notebook and saving it unchanged writes the same bytes (so opening a lecture,
  and autosave, leave ``git status`` clean), and its explorers show their pictures before any
  cell runs.
- A lecture run and saved, closed with its kernel shut down, reopens with its explorers'
  pictures, never "Error displaying widget: model not found".

Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from lab_harness import (
    REPO_ROOT,
    open_notebook,
    rendering_problems,
    run_all_cells,
    save_notebook,
    shut_down_kernels,
    unexecuted_cells,
    wait_for_quiet_notebook,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LECTURES = sorted((REPO_ROOT / "lectures").glob("*.ipynb"))
# Every notebook a person opens: lectures, exercises (students), solutions (instructors).
STORED = (
    LECTURES + sorted(REPO_ROOT.glob("exercises/*/*.ipynb")) + sorted(REPO_ROOT.glob("solutions/*/*.ipynb"))
)
# A line that only calls an explorer, so that the cell displays it.
EXPLORER_CALL = re.compile(r"^widgets\.[a-z_0-9]+\(.*\)\s*$", re.MULTILINE)


def code_cells(path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def explorer_cells(path) -> list[int]:
    """Indices, among the code cells, of the cells that display an explorer."""
    return [i for i, cell in enumerate(code_cells(path)) if EXPLORER_CALL.search(cell.source)]


def figure_cells(path) -> list[int]:
    """Indices, among the code cells, of the cells stored with a figure (explorers included)."""
    return [
        i
        for i, cell in enumerate(code_cells(path))
        if any("image/png" in output.get("data", {}) for output in cell.outputs)
    ]


def cells_without_picture(page, indices: list[int]) -> list[int]:
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    return [i for i in indices if cells.nth(i).locator(".jp-Cell-outputArea img").count() == 0]


def test_the_stored_notebooks_are_found_and_some_show_explorers():
    assert len(LECTURES) >= 7 and len(STORED) > len(LECTURES)
    assert sum(bool(explorer_cells(p)) for p in LECTURES) >= 4
    assert all(set(explorer_cells(p)) <= set(figure_cells(p)) for p in LECTURES), "explorers store a PNG"


def test_stored_notebooks_show_their_pictures_and_save_unchanged(lab_root, lab_server, page, artifacts_dir):
    names = [path.relative_to(REPO_ROOT).as_posix() for path in STORED]
    for path, name in zip(STORED, names):
        (lab_root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, lab_root / name)
    differences = []
    for path, name in zip(STORED, names):
        saved = lab_root / name
        open_notebook(page, lab_server, name)
        problems = rendering_problems(page)
        assert not problems, f"{name}:\n" + "\n\n".join(problems)
        missing = cells_without_picture(page, figure_cells(path))
        assert not missing, f"{name}: code cells {missing} were stored with a figure but show none"
        save_notebook(page, saved)
        if saved.read_bytes() != path.read_bytes():
            differences.append(name)
            shutil.copy(saved, artifacts_dir / f"saved-{name.replace('/', '-')}")
        shut_down_kernels(lab_server)
    assert not differences, (
        f"JupyterLab rewrote {differences} on an unchanged save (its versions are in {artifacts_dir}); "
        "re-normalize with python -m tools.notebooks"
    )


def test_lecture_run_saved_and_reopened_shows_its_explorers(lab_root, lab_server, page, artifacts_dir):
    lecture = next(p for p in LECTURES if explorer_cells(p))
    explorers, figures = explorer_cells(lecture), figure_cells(lecture)
    saved = lab_root / lecture.name
    shutil.copy(lecture, saved)

    open_notebook(page, lab_server, lecture.name)
    run_all_cells(page)
    wait_for_quiet_notebook(page, lab_server, timeout=180)
    assert unexecuted_cells(page) == [], "Run All left cells unexecuted"
    save_notebook(page, saved)
    shut_down_kernels(lab_server)

    # Twice: reopening must hold, and so must saving the reopened notebook and reopening it again.
    for attempt in ("reopened", "reopened-again"):
        open_notebook(page, lab_server, lecture.name)
        cells = page.locator(".jp-Notebook .jp-CodeCell")
        cells.nth(explorers[0]).scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        screenshot = artifacts_dir / f"{lecture.stem}-{attempt}.png"
        cells.nth(explorers[0]).screenshot(path=screenshot)
        print(f"explorer after a save and {attempt}: {screenshot}")
        problems = rendering_problems(page)
        assert not problems, f"{attempt}:\n" + "\n\n".join(problems)
        missing = cells_without_picture(page, figures)
        assert not missing, f"{attempt}: code cells {missing} show no figure"
        save_notebook(page, saved)
        shut_down_kernels(lab_server)

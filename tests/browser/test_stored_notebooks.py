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
EXPLORER_CALL = re.compile(r"\bwidgets\.\w+\(")


def explorer_cells(path) -> list[int]:
    """Indices, among the code cells, of the cells that show an explorer."""
    code_cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    return [i for i, cell in enumerate(code_cells) if EXPLORER_CALL.search(cell.source)]


def explorers_without_picture(page, indices: list[int]) -> list[int]:
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    return [i for i in indices if cells.nth(i).locator(".jp-Cell-outputArea img").count() == 0]


def test_the_stored_notebooks_are_found_and_some_show_explorers():
    assert len(LECTURES) >= 7 and len(STORED) > len(LECTURES)
    assert sum(bool(explorer_cells(p)) for p in LECTURES) >= 4


def test_stored_notebooks_show_their_pictures_and_save_unchanged(lab_root, lab_server, page, artifacts_dir):
    for path in STORED:
        shutil.copy(path, lab_root / path.name)
    differences = []
    for path in STORED:
        saved = lab_root / path.name
        open_notebook(page, lab_server, path.name)
        problems = rendering_problems(page)
        assert not problems, f"{path.name}:\n" + "\n\n".join(problems)
        missing = explorers_without_picture(page, explorer_cells(path))
        assert not missing, f"{path.name}: explorers in code cells {missing} show no picture"
        save_notebook(page, saved)
        if saved.read_bytes() != path.read_bytes():
            differences.append(path.relative_to(REPO_ROOT))
            shutil.copy(saved, artifacts_dir / f"saved-{path.name}")
        shut_down_kernels(lab_server)
    assert not differences, (
        f"JupyterLab rewrote {[str(d) for d in differences]} on an unchanged save (its versions are in "
        f"{artifacts_dir}); re-normalize with python -m tools.notebooks"
    )


def test_lecture_run_saved_and_reopened_shows_its_explorers(lab_root, lab_server, page, artifacts_dir):
    lecture = next(p for p in LECTURES if explorer_cells(p))
    explorers = explorer_cells(lecture)
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
        missing = explorers_without_picture(page, explorers)
        assert not missing, f"{attempt}: explorers in code cells {missing} show no picture"
        save_notebook(page, saved)
        shut_down_kernels(lab_server)

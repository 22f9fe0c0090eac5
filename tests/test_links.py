"""Every link between the course's files resolves, from the start page JupyterLab opens.

The course's JupyterLab serves the repository root (``jupyter/jupyter_lab_config.py``), so a
relative link in a notebook resolves against the notebook's folder within that root, as it does
on disk. Markdown is parsed with mistune (nbconvert's own Markdown parser), so links in code are
not mistaken for links.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import mistune
import nbformat
import pytest
from traitlets.config import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "jupyter" / "jupyter_lab_config.py"
MARKDOWN_FILES = sorted(ROOT.glob("*.md"))
NOTEBOOKS = sorted(
    path
    for folder in ("lectures", "exercises", "solutions")
    for path in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in path.parts
)
parse = mistune.create_markdown(renderer=None)


def link_targets(tokens) -> list[str]:
    """The URLs of the links and images in mistune's token tree, in order."""
    found = []
    for token in tokens:
        if token["type"] in ("link", "image"):
            found.append(token["attrs"]["url"])
        found += link_targets(token.get("children", []))
    return found


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = nbformat.read(path, as_version=4).cells
        return "\n\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


def local_links(markdown: str) -> list[str]:
    """Links in ``markdown`` that point into the course (not to the web, not within the page)."""
    links = []
    for url in link_targets(parse(markdown)):
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        links.append(unquote(parts.path))
    return links


def missing_targets(path: Path, markdown: str) -> list[str]:
    """One message per local link in ``markdown`` (found in ``path``) whose target is missing."""
    problems = []
    for link in local_links(markdown):
        target = (path.parent / link).resolve()
        if not target.exists() or not target.is_relative_to(ROOT):
            shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
            problems.append(
                f"{path.relative_to(ROOT)} links to {link!r}, but {shown} does not exist; "
                "expected a file of the course (check the lecture's or exercise's name)"
            )
    return problems


def test_the_course_has_markdown_and_notebooks_to_check():
    assert {"README.md", "START.md"} <= {p.name for p in MARKDOWN_FILES}
    assert len(NOTEBOOKS) >= 7 + 2 * 6, f"found only {len(NOTEBOOKS)} notebooks"


def test_link_checker_names_a_missing_lecture():
    page = ROOT / "exercises" / "a1_neurons" / "example.ipynb"  # only its place matters
    present, missing = "../../lectures/02-neurons-and-activations.ipynb", "../../lectures/09-nope.ipynb"
    text = f"[Lecture 2]({present}), [Lecture 9]({missing}), [web](https://example.org/x.ipynb)"
    text += " [here](#top) `[code](not-a-link.ipynb)`"
    assert local_links(text) == [present, missing]
    (problem,) = missing_targets(page, text)
    assert "exercises/a1_neurons/example.ipynb links to '../../lectures/09-nope.ipynb'" in problem
    assert "lectures/09-nope.ipynb does not exist" in problem


@pytest.mark.parametrize("path", MARKDOWN_FILES + NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves(path):
    problems = missing_targets(path, markdown_of(path))
    assert not problems, "\n".join(problems)


def test_start_page_links_every_lecture_and_exercise():
    linked = {(ROOT / link).resolve() for link in local_links(markdown_of(ROOT / "START.md"))}
    students_see = [p for p in NOTEBOOKS if p.parts[len(ROOT.parts)] in ("lectures", "exercises")]
    unlinked = [str(p.relative_to(ROOT)) for p in students_see if p not in linked]
    assert not unlinked, f"START.md does not link {unlinked}"


def test_course_jupyterlab_serves_the_root_opens_the_start_page_and_saves_widget_state():
    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    assert Path(config.ServerApp.root_dir) == ROOT
    start_page = config.LabApp.default_url.removeprefix("/lab/tree/")
    assert (ROOT / start_page).is_file(), f"default_url {config.LabApp.default_url} names no file"
    overrides = json.loads((Path(config.LabApp.app_settings_dir) / "overrides.json").read_text())
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"] == {"saveState": True}
    assert overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["markdown"]


def test_readme_first_command_uses_the_course_configuration():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_command = next(t["raw"] for t in parse(readme) if t["type"] == "block_code")
    assert f"jupyter lab --config={CONFIG.relative_to(ROOT)}" in first_command

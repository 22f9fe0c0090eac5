"""The browser libraries a handout needs, from installed packages, copied beside the handouts.

- **MathJax 2** from the PyPI package ``jupyter-server-mathjax`` (in ``requirements-instructor.txt``);
  it ships the configuration ``TeX-AMS-MML_HTMLorMML-full`` and the STIX web fonts.
- **reveal.js 5** and **require.js** for the slides, from the npm packages listed in the course's
  ``package.json`` (``npm ci`` in the course folder puts them in ``node_modules/``). No PyPI
  package ships a reveal.js that nbconvert's slides template can load.

Everything is copied into ``<output>/assets/``, which travels with the handouts: the pages refer
to it by relative paths, so the folder works from a USB stick or a course website, with no network.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ASSETS = "assets"
# The configuration jupyter-server-mathjax ships, then our own (MathJax's place for local ones).
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe,local/offline"
MATHJAX_URL = f"{ASSETS}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
# jupyter-server-mathjax ships the STIX web fonts only: without this, MathJax looks for its TeX
# fonts first, does not find them, and fails on symbols such as primes.
MATHJAX_LOCAL_CONFIG = """MathJax.Hub.Config({
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}
});
MathJax.Ajax.loadComplete("[MathJax]/config/local/offline.js");
"""
REVEAL_URL_PREFIX = f"{ASSETS}/reveal.js"
REQUIRE_JS_URL = f"{ASSETS}/require.js"


class MissingAsset(RuntimeError):
    """A library the handouts need is not installed; the message says how to install it."""


def mathjax_folder() -> Path:
    """The folder holding ``MathJax.js`` in the installed ``jupyter-server-mathjax``."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise MissingAsset(
            "handouts render math with the MathJax of the PyPI package jupyter-server-mathjax, which is "
            "not installed: python -m pip install -r requirements-instructor.txt"
        ) from None
    folder = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (folder / "MathJax.js").is_file():
        raise MissingAsset(
            f"jupyter-server-mathjax is installed but {folder / 'MathJax.js'} is missing: reinstall it"
        )
    return folder


def node_package(course_root: Path, name: str, needed: str) -> Path:
    """The folder of the npm package ``name`` in ``course_root/node_modules``, holding ``needed``."""
    folder = course_root / "node_modules" / name
    if not (folder / needed).is_file():
        raise MissingAsset(
            f"slides need the npm package {name!r}, which is missing from {course_root / 'node_modules'}: "
            f"run `npm ci` in {course_root} (package.json lists it), or build without slides (--formats html)"
        )
    return folder


def copy_assets(course_root: Path, output: Path, slides: bool) -> Path:
    """Copy MathJax (and, for ``slides``, reveal.js and require.js) into ``output/assets``.

    Returns the assets folder. Raises MissingAsset, naming the install command, if one is missing.
    """
    mathjax = mathjax_folder()
    if slides:  # look for every library before copying any
        reveal = node_package(course_root, "reveal.js", "dist/reveal.js")
        requirejs = node_package(course_root, "requirejs", "require.js")
    assets = output / ASSETS
    shutil.copytree(mathjax, assets / "mathjax", dirs_exist_ok=True)
    (assets / "mathjax" / "config" / "local").mkdir(exist_ok=True)
    (assets / "mathjax" / "config" / "local" / "offline.js").write_text(
        MATHJAX_LOCAL_CONFIG, encoding="utf-8"
    )
    if slides:
        for part in ("dist", "plugin"):  # the deck loads dist/ and plugin/notes/ only
            shutil.copytree(reveal / part, assets / "reveal.js" / part, dirs_exist_ok=True)
        shutil.copy2(reveal / "LICENSE", assets / "reveal.js" / "LICENSE")
        shutil.copy2(requirejs / "require.js", assets / "require.js")
    return assets

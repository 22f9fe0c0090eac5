"""python -m handouts refuses bad input with a message that says what was expected."""

from pathlib import Path

import pytest

from handouts import build
from handouts.__main__ import main
from handouts.assets import MissingAsset

LECTURE = Path(__file__).resolve().parents[1] / "lectures" / "02-neurons-and-activations.ipynb"


def test_a_missing_notebook_is_named(tmp_path, capsys):
    assert main([str(tmp_path / "nope.ipynb"), "--out", str(tmp_path / "out")]) == 2
    assert f"not notebooks (.ipynb files that exist): {tmp_path / 'nope.ipynb'}" in capsys.readouterr().err


def test_an_unknown_format_lists_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="unknown format.*epub.*expected some of html, slides, pdf"):
        build.build([LECTURE], tmp_path, tmp_path, formats=["html", "epub"])


def test_slides_without_npm_ci_say_how_to_install_reveal(tmp_path):
    with pytest.raises(MissingAsset, match="npm package 'reveal.js'.*npm ci"):
        build.build([LECTURE], tmp_path / "out", course_root=tmp_path, formats=["slides"])
    assert not (tmp_path / "out" / "assets").exists()  # nothing half-copied

"""grading.held_out: an instructor's own digits for 6.3, read strictly, kept from the sandbox."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from grading import classroom, held_out, sandbox
from grading.sandbox import sandbox_environment


def optdigits_text(counts, labels) -> str:
    """Images in UCI's optdigits format: 64 counts and the label per line, comma separated."""
    return "".join(",".join(str(int(v)) for v in [*row, label]) + "\n" for row, label in zip(counts, labels))


@pytest.fixture
def counts_and_labels():
    rng = np.random.default_rng(3)
    return rng.integers(0, 17, size=(120, 64)), rng.integers(0, 10, size=120)


def test_a_file_in_optdigits_format_reads_as_load_digits_gives_images(tmp_path, counts_and_labels):
    counts, labels = counts_and_labels
    counts[0, :] = 16  # the largest count is the brightest pixel, 1.0
    path = tmp_path / "optdigits.tra"
    first, second = optdigits_text(counts[:60], labels[:60]), optdigits_text(counts[60:], labels[60:])
    path.write_text(first + "\n  \n" + second)  # a blank line in between
    images, read_labels = held_out.read_digits(path)
    assert images.shape == (120, 64) and images.dtype == np.float64
    np.testing.assert_array_equal(images * 16, counts)
    assert images[0].tolist() == [1.0] * 64
    np.testing.assert_array_equal(read_labels, labels)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda line: line.rsplit(",", 1)[0], "line 5: 64 comma-separated values; expected 65"),
        (lambda line: line.replace(",", ";"), "line 5: 1 comma-separated values"),
        (lambda line: "17," + line.split(",", 1)[1], "line 5: pixel count 17; expected 0 to 16"),
        (lambda line: "-1," + line.split(",", 1)[1], "line 5: pixel count -1"),
        (lambda line: line.rsplit(",", 1)[0] + ",10", "line 5: label 10; expected a digit 0 to 9"),
        (lambda line: "0.5," + line.split(",", 1)[1], "line 5: expected integers, got '0.5,"),
    ],
    ids=["short", "semicolons", "count-17", "negative", "label-10", "fraction"],
)
def test_a_bad_line_is_named_with_what_was_expected(tmp_path, counts_and_labels, change, expected):
    lines = optdigits_text(*counts_and_labels).splitlines()
    lines[4] = change(lines[4])
    path = tmp_path / "digits.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(held_out.HeldOutDigitsError, match=expected.replace("(", r"\(")) as caught:
        held_out.read_digits(path)
    assert str(path) in str(caught.value)


def test_a_missing_unreadable_or_tiny_file_is_refused(tmp_path, counts_and_labels):
    with pytest.raises(held_out.HeldOutDigitsError, match="cannot read the held-out digits"):
        held_out.read_digits(tmp_path / "nowhere.tra")
    binary = tmp_path / "digits.npz"
    binary.write_bytes(b"PK\x03\x04\xff\xfe")
    with pytest.raises(held_out.HeldOutDigitsError, match="cannot read the held-out digits"):
        held_out.read_digits(binary)
    tiny = tmp_path / "tiny.tra"
    tiny.write_text(optdigits_text(counts_and_labels[0][:99], counts_and_labels[1][:99]))
    with pytest.raises(held_out.HeldOutDigitsError, match="99 images; an accuracy needs at least 100"):
        held_out.read_digits(tiny)


def test_without_a_file_the_verdict_falls_back_to_its_own_images(monkeypatch):
    monkeypatch.delenv(held_out.ENVIRONMENT_VARIABLE, raising=False)
    assert held_out.instructors_digits() is None


def unset_until_the_test_ends(monkeypatch) -> None:
    """Unset the variable; monkeypatch restores its state after the test, whoever set it since."""
    monkeypatch.setenv(held_out.ENVIRONMENT_VARIABLE, "")
    monkeypatch.delenv(held_out.ENVIRONMENT_VARIABLE)


def test_grading_with_a_bad_file_stops_before_anything_is_graded(tmp_path, capsys, monkeypatch):
    unset_until_the_test_ends(monkeypatch)
    bad = tmp_path / "digits.tra"
    bad.write_text("1,2,3\n")
    course = tmp_path / "course"  # no course at all: the file is checked first
    code = classroom.main(["a6_training", "--course", str(course), "--held-out-digits", str(bad)])
    assert code == 2
    assert "grading stopped" in capsys.readouterr().err
    assert not course.exists()
    assert held_out.ENVIRONMENT_VARIABLE not in os.environ


def test_the_sandbox_is_not_told_where_the_file_is(monkeypatch, tmp_path):
    monkeypatch.setenv(held_out.ENVIRONMENT_VARIABLE, str(tmp_path / "secret-digits.tra"))
    environment = sandbox_environment()
    assert held_out.ENVIRONMENT_VARIABLE not in environment
    assert not any("secret-digits" in value for value in environment.values())


def test_a_good_file_reaches_the_verdicts_of_every_worker(tmp_path, counts_and_labels, monkeypatch, capsys):
    unset_until_the_test_ends(monkeypatch)
    path = tmp_path / "optdigits.tra"
    path.write_text(optdigits_text(*counts_and_labels))
    seen = {}

    def grade_class(settings, jobs, csv_path):  # workers start from this process's environment
        seen["path"] = os.environ.get(held_out.ENVIRONMENT_VARIABLE)
        return []

    monkeypatch.setattr(classroom, "grade_class", grade_class)
    assert classroom.main(["a6_training", "--course", str(tmp_path), "--held-out-digits", str(path)]) == 0
    assert seen["path"] == str(path.resolve())
    assert "6.3 is graded on 120 held-out digits" in capsys.readouterr().out


def test_a_file_the_sandbox_could_read_is_refused(tmp_path, counts_and_labels, capsys, monkeypatch):
    unset_until_the_test_ends(monkeypatch)
    inside = Path(sys.base_prefix) / "optdigits.tra"  # in the Python installation, which the sandbox shows
    monkeypatch.setattr(classroom, "grade_class", lambda *args: pytest.fail("graded with a visible file"))
    code = classroom.main(["a6_training", "--course", str(tmp_path), "--held-out-digits", str(inside)])
    assert code == 2
    assert f"a graded notebook could read {inside}" in capsys.readouterr().err
    assert sandbox.shows("/usr/share/optdigits.tra") and not sandbox.shows(tmp_path / "optdigits.tra")


def test_the_default_images_blend_towards_a_shift_and_add_noise_of_the_stated_size():
    flat = np.full((4000, 64), 0.5)  # away from the border, every shift of a flat image is the same
    made = held_out.shifted_and_noisy(flat, seed=5)
    assert made.shape == (4000, 64) and made.min() >= 0.0 and made.max() <= 1.0
    inner = made.reshape(-1, 8, 8)[:, 1:7, 1:7]
    assert inner.mean() == pytest.approx(0.5, abs=0.002)
    assert inner.std() == pytest.approx(0.05, rel=0.02)
    np.testing.assert_array_equal(made, held_out.shifted_and_noisy(flat, seed=5))
    assert not np.array_equal(made, held_out.shifted_and_noisy(flat, seed=6))

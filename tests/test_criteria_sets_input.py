"""Hostile or broken criteria overlays: every one is a CriteriaSetError naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from iopauth.criteria import _set_files as criteria_sets_module
from iopauth.criteria import evaluate, load_criteria
from iopauth.errors import CriteriaSetError

from .casebuilder import build_case


def _overlay(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "payer.toml"
    path.write_text('id = "payer-x"\nextends = "iop-standard"\n' + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("criteria = 5\n", "criteria must be a list of tables"),
        ("[params]\nmin_hours_adult = " + "9" * 5000 + "\n", "number too long"),
        ("[params]\nmin_hours_adult = " + "9" * 400 + "\n", "params.min_hours_adult"),
        ("[params]\nmin_hours_adult = nan\n", "params.min_hours_adult must be a finite"),
        ("[params]\nmin_hours_adult = inf\n", "params.min_hours_adult must be a finite"),
        ("[params]\nmax_hours = -inf\n", "params.max_hours must be a finite"),
        ("x = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    ],
)
def test_broken_overlays_are_criteria_set_errors(tmp_path: Path, body: str, message: str) -> None:
    """Wrong types, huge or non-finite numbers and deep nesting never give a traceback."""
    with pytest.raises(CriteriaSetError, match=message):
        load_criteria(_overlay(tmp_path, body))


def test_a_large_finite_parameter_cannot_overflow_arithmetic(tmp_path: Path) -> None:
    """A 400-digit parameter is refused at load time, before a rule does arithmetic with it."""
    body = "[params]\nmax_hours = " + "1" + "0" * 400 + "\n"
    with pytest.raises(CriteriaSetError, match=r"params\.max_hours"):
        evaluate(build_case(), criteria=load_criteria(_overlay(tmp_path, body)))


def test_criteria_files_are_read_up_to_a_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A criteria file past the size limit is refused unread past it; a device is not read."""
    monkeypatch.setattr(criteria_sets_module, "MAX_SET_BYTES", 100)
    with pytest.raises(CriteriaSetError, match="larger than 100 bytes"):
        load_criteria(_overlay(tmp_path, "# " + "x" * 200 + "\n"))
    with pytest.raises(CriteriaSetError, match="not a regular file or pipe"):
        load_criteria(Path("/dev/zero"))  # a device is never read at all

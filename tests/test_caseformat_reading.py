"""Reading case documents: duplicate keys, numbers, Unicode, size caps and keys made safe."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from iopauth import InvalidCaseError, load_case
from iopauth.caseformat import _reading as reading

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cases"
STEPDOWN = EXAMPLE / "medicare-stepdown-depression.json"


def _doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STEPDOWN.read_text("utf-8"))
    return data


def _errors(source: Any) -> list[str]:
    with pytest.raises(InvalidCaseError) as info:
        load_case(source)
    return list(info.value.errors)


def test_duplicate_keys_are_refused_with_their_paths() -> None:
    """A key given twice in one object is an error at its path, at any depth."""
    text = STEPDOWN.read_text("utf-8")
    twice = text.replace('"case_id":', '"patient": {}, "case_id":', 1)
    twice = twice.replace('"given":', '"given": "Other", "given":', 1)
    assert sorted(_errors(twice)) == [
        "$.patient.name.given: given more than once",
        "$.patient: given more than once",
    ]


def test_integers_past_pythons_digit_limit_are_case_errors() -> None:
    """A 5,000-digit integer is a rule at its path, not a ValueError from json.loads."""
    text = json.dumps(_doc()).replace('"weeks": 8', '"weeks": ' + "9" * 5000, 1)
    assert _errors(text) == ["$.plan.weeks: must be between -1000000000 and 1000000000"]


@pytest.mark.parametrize("value", [10**400, -(10**30), 2e12])
def test_numbers_out_of_range_are_case_errors(value: float) -> None:
    """A number a float cannot hold, or far past any real value, is refused at its path."""
    doc = _doc()
    doc["plan"]["schedule"]["hours_per_day"] = value
    assert _errors(doc) == [
        "$.plan.schedule.hours_per_day: must be between -1000000000 and 1000000000"
    ]


def test_float_overflow_in_json_text_is_a_case_error() -> None:
    """1e400 in JSON text is infinite, and refused as such."""
    text = json.dumps(_doc()).replace('"hours_per_day": 3.5', '"hours_per_day": 1e400', 1)
    assert _errors(text) == ["$.plan.schedule.hours_per_day: must be a finite number"]


def test_lone_surrogates_are_refused_like_undecodable_bytes() -> None:
    """A JSON escape making a lone surrogate is refused, as the same bytes in a file are."""
    text = json.dumps(_doc()).replace('"family": "', '"family": "\\ud800', 1)
    assert _errors(text) == [
        "$.patient.name.family: must be valid Unicode text (it holds a lone surrogate)"
    ]
    doc = _doc()
    doc["patient"]["name"]["family"] = "Bad\udcff"  # what surrogateescape makes of byte 0xff
    assert len(_errors(doc)) == 1
    undecodable = json.dumps(_doc()).encode("utf-8").replace(b"Testperson", b"Test\xffperson")
    assert _errors(undecodable) == ["$: the document is not UTF-8 text"]


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069"])
@pytest.mark.parametrize(
    ("where", "path"),
    [
        (("patient", "name", "family"), "$.patient.name.family"),
        (("patient", "name", "given"), "$.patient.name.given"),
        (("coverage", "member_id"), "$.coverage.member_id"),
    ],
)
def test_bidi_controls_are_refused_in_identifying_fields(
    char: str, where: tuple[str, ...], path: str
) -> None:
    """Embedding, override and isolate controls cannot disguise a name or a member id."""
    doc = _doc()
    parent = doc
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = char + parent[where[-1]]
    assert _errors(doc) == [f"{path}: must not contain bidirectional control characters"]


def test_unknown_key_is_escaped_shortened_and_gets_no_hint_when_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unknown key prints as its path and length only (a key can hold a member id or an
    escape sequence); a short one gets a hint; difflib never sees a long one."""
    real = difflib.get_close_matches

    def guarded(word: str, *args: Any, **kwargs: Any) -> list[str]:
        assert len(word) <= reading.KEY_ECHO, "difflib ran on a long key"
        return real(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", guarded)
    doc = _doc()
    doc["patient"]["\x1b[31mred" + "k" * 10_000] = 1
    doc["patient"]["nmae"] = 1
    errors = _errors(doc)
    assert errors == [
        "$.patient[unknown key of 10008 characters]: unknown field",
        "$.patient[unknown key of 4 characters]: unknown field; did you mean 'name'?",
    ]
    doc = _doc()
    doc["coverage"]["CSA-0047-1193"] = 1
    assert _errors(doc) == ["$.coverage[unknown key of 13 characters]: unknown field"]


def test_free_form_keys_are_never_echoed() -> None:
    """A bad value under a ratings key is reported by position, not by the key."""
    doc = _doc()
    rating = doc["level_of_care_ratings"][0]
    rating["ratings"] = {"Jane Q Patient": "x", **rating["ratings"]}
    errors = _errors(doc)
    assert errors == ["$.level_of_care_ratings[0].ratings[key #1]: must be an integer"]


def test_reads_stop_at_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files, text and bytes past the limit are refused, read no further; devices unread."""
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_text(" " * 2000 + "{}", encoding="utf-8")
    rule = ["$: the document is larger than 1000 bytes"]
    assert _errors(str(big)) == rule
    assert _errors(big) == rule
    assert _errors(Path("/dev/zero")) == ["$: the path is not a regular file or pipe"]
    assert _errors(" " * 2000 + "{}") == rule
    assert _errors(b" " * 2000 + b"{}") == rule


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_string_naming_a_pipe_is_not_opened(tmp_path: Path) -> None:
    """Only a regular file named by a string is read; a FIFO name is just (bad) JSON text."""
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)
    assert _errors(str(fifo))[0].startswith("$: not valid JSON")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_path_naming_a_fifo_nobody_writes_reads_empty_at_once(tmp_path: Path) -> None:
    """A Path to a FIFO without a writer is opened without blocking: empty, not a hang."""
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)
    assert _errors(fifo)[0].startswith("$: not valid JSON")


def test_nesting_past_the_depth_limit_is_refused_at_the_root() -> None:
    """101 levels, and 100,000 levels, are refused at $ without a RecursionError."""
    assert _errors("[" * 101 + "]" * 101) == ["$: JSON nested deeper than 100 levels"]
    assert _errors("[" * 100_000 + "]" * 100_000) == ["$: JSON nested too deeply"]


def test_key_text_escapes_controls_and_bidi() -> None:
    """Printed keys keep letters and escape controls, bidi controls and backslashes."""
    assert reading.key_text("médications") == "médications"
    assert reading.key_text("a\u202eb\\c\n") == "a\\u202eb\\\\c\\n"

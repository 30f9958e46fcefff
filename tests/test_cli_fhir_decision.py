"""``iopauth fhir decision``: the decision in words, payer values quoted only in their shape.

Built from the IG's own response examples (tests/data/pas-ig, HL7/davinci-pas 46be73e4) and
made hostile: escape sequences, a patient's name and 20,000 characters where codes and numbers
belong are counted, never printed (issue 24 point 1).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from iopauth.cli import main

IG = Path(__file__).resolve().parent / "data" / "pas-ig" / "examples"
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
NAME = "Harold Testperson"
HOSTILE = ("\x1b[2J\x1b]0;owned\x07", NAME, "9" * 20_000, "A1\n\rFAKE: approved")


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _write(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "response.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((IG / f"{name}.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        (
            "ReferralAuthorizationResponseBundleExample",
            [
                "The payer approved the request.",
                "Decided on: 2005-05-02",
                "Authorization number: AUTH0001",
                "Authorized: 1 unit, from 2005-05-02 to 2005-06-02",
                "Line 1: approved (X12 A1); service 3; authorization number AUTH0001; 1 unit; "
                "from 2005-05-02 to 2005-06-02; issued 2005-05-02",
            ],
        ),
        (
            "ReferralPendingAuthorizationResponseBundleExample",
            [
                "The payer has not decided yet: the request is pended.",
                "Answered on: 2005-05-02",
                "Payer's reference: PEND0001",
                "Line 1: not decided yet (X12 A4); payer's reference PEND0001",
            ],
        ),
        (
            "RejectionResponseBundleExample",
            [
                "The payer denied the request.",
                "Decided on: 2005-05-02",
                "Line 1: denied (X12 A3)",
            ],
        ),
    ],
)
def test_ig_responses_in_words(name: str, lines: list[str]) -> None:
    """The IG's approval, pended and denial examples, printed as sentences."""
    code, out, err = _run("fhir", "decision", str(IG / f"{name}.json"))
    assert (code, err) == (0, "")
    assert out.splitlines() == lines


def _hostile_response(value: str) -> dict[str, Any]:
    """The IG's approval with ``value`` as every payer-supplied code and number."""
    bundle = _example("ReferralAuthorizationResponseBundleExample")
    response = bundle["entry"][0]["resource"]
    response["preAuthRef"] = value
    review = response["item"][0]["adjudication"][0]["extension"][0]
    review["extension"] = [
        {"url": "number", "valueString": value},
        {
            "url": PAS + "extension-reviewActionCode",
            "valueCodeableConcept": {"coding": [{"code": value}]},
        },
        {
            "url": "reasonCode",
            "valueCodeableConcept": {"coding": [{"code": value}], "text": value},
        },
    ]
    response["item"][0]["extension"].append(
        {"url": PAS + "extension-administrationReferenceNumber", "valueString": value}
    )
    response["outcome"] = "partial"
    response["error"] = [
        {
            "code": {"coding": [{"code": value}]},
            "extension": [
                {
                    "url": PAS + "extension-errorElement",
                    "extension": [{"url": "error", "valueString": value}],
                }
            ],
        }
    ]
    response["communicationRequest"] = [{"reference": value}]
    return bundle


@pytest.mark.parametrize("value", HOSTILE, ids=["escapes", "name", "20000", "newline"])
def test_hostile_values_are_counted_not_printed(tmp_path: Path, value: str) -> None:
    """Escape sequences, a name, 20,000 characters: nothing of them reaches the terminal."""
    code, out, err = _run("fhir", "decision", _write(tmp_path, _hostile_response(value)))
    assert (code, err) == (0, "")
    assert not any(c in out for c in "\x1b\x07\r")
    assert not any(word in out for word in (NAME, "owned", "FAKE"))
    assert "9" * 40 not in out
    assert max(len(line) for line in out.splitlines()) < 200
    lines = out.splitlines()
    assert lines[0] == "The answer does not say what was decided: contact the payer."
    if len(value) > 10_000:  # too long to store: left out of the decision, with a note
        assert (
            "Note: a value longer than 10000 characters was left out (see the payer's response)"
        ) in lines
        return
    assert (
        "Review action codes iopauth does not know: 1 not shown (not in the expected form)" in lines
    )
    assert "Reason codes: 1 not shown (not in the expected form)" in lines
    assert "Payer's reference: sent in an unexpected form, not shown (see --json)" in lines
    assert "Error reported by the payer: not shown at X12 element not shown" in lines
    assert "The payer's own words: 1 (see --json)" in lines


@pytest.mark.parametrize("value", HOSTILE, ids=["escapes", "name", "20000", "newline"])
def test_hostile_json_output_is_escaped(tmp_path: Path, value: str) -> None:
    """``--json`` keeps the values (a program reads them) with control characters escaped."""
    code, out, _ = _run("fhir", "decision", "--json", _write(tmp_path, _hostile_response(value)))
    assert code == 0
    assert not any(c in out for c in "\x1b\x07\r")
    kept = [value.strip()] if len(value) <= 10_000 else []
    assert json.loads(out).get("unknown_codes", []) == kept


def test_hostile_error_outcome_is_not_quoted(tmp_path: Path) -> None:
    """An error outcome whose codes are hostile: exit 2, the codes described, not repeated."""
    bundle = _hostile_response("\x1b[31m" + NAME)
    bundle["entry"][0]["resource"]["outcome"] = "error"
    code, out, err = _run("fhir", "decision", _write(tmp_path, bundle))
    assert (code, out) == (2, "")
    assert "\x1b" not in err
    assert NAME not in err
    assert "the payer reports error (a code not in the expected form)" in err


def test_well_formed_codes_are_printed(tmp_path: Path) -> None:
    """X12-shaped codes and a conservative authorization number are quoted as sent."""
    bundle = _hostile_response("ZZ")  # an X12-shaped code iopauth does not know
    bundle["entry"][0]["resource"]["preAuthRef"] = "PA-2026-0412"
    code, out, _ = _run("fhir", "decision", _write(tmp_path, bundle))
    lines = out.splitlines()
    assert code == 0
    assert "Review action codes iopauth does not know: ZZ" in lines
    assert "Reason codes: ZZ" in lines
    assert "Payer's reference: PA-2026-0412" in lines
    assert "Error reported by the payer: ZZ at X12 element not shown" in lines
    assert (
        "The payer asks for more information in 1 request(s) on its server: fetch them "
        "(references in --json)"
    ) in lines

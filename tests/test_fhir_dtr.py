"""DTR: a payer's Questionnaire answered from the case; the questionnaire package read.

Fixtures: tests/data/dtr/ (HL7/davinci-dtr ef91b18f, translated from FSH; and
``iop-questionnaire.json``, ours, written as a payer would; see PROVENANCE.md).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

import iopauth
from iopauth import fhir
from iopauth.errors import FhirError, FormMappingError
from iopauth.fhir._dtr_items import MAX_DEPTH, MAX_ITEMS
from iopauth.fhir._dtr_mapping import parse_questionnaire_mapping
from iopauth.fhir._dtr_package import MAX_PACKAGE_ENTRIES
from iopauth.model import Instrument

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data" / "dtr"
EXPECTED = json.loads((DATA / "expected.json").read_text())
IOP = json.loads((DATA / "iop-questionnaire.json").read_text())
CASES = sorted((ROOT / "examples" / "cases").glob("*.json"))
MAPPING = fhir.load_questionnaire_mapping(ROOT / "examples" / "dtr" / "iop-admission.toml")
ORIGIN = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin"
AUTHORED = date(2026, 6, 5)


def _answers(response: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if "answer" in item:
                found[item["linkId"]] = item["answer"]
            walk(item.get("item", []))

    walk(response.get("item", []))
    return found


def _latest_total(case: iopauth.Case, instrument: Instrument) -> int | None:
    given = [
        m
        for m in case.measures
        if m.instrument is instrument and m.administered_on <= case.request.request_date
    ]
    if not given:
        return None
    return iopauth.measures.score(max(given, key=lambda m: m.administered_on)).total


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_our_iop_questionnaire_from_every_example(path: Path) -> None:
    """Totals, diagnosis and schedule come from the case; each answer says it was automatic."""
    case = iopauth.load_case(path)
    result = fhir.answer_questionnaire(IOP, case, MAPPING, authored=AUTHORED)
    answers = _answers(result.response)
    for link_id, instrument in (
        ("measures.phq9", Instrument.PHQ9),
        ("measures.gad7", Instrument.GAD7),
    ):
        total = _latest_total(case, instrument)
        if total is None:
            assert link_id not in answers
        else:
            assert answers[link_id][0]["valueInteger"] == total
    primary = next(d for d in case.diagnoses if d.primary)
    assert answers["diagnosis.primary"][0]["valueCoding"]["code"] == primary.code
    assert (
        answers["schedule.hours-per-week"][0]["valueDecimal"] == case.plan.schedule.hours_per_week
    )
    for given in answers.values():
        for answer in given:
            (origin,) = [e for e in answer["extension"] if e["url"] == ORIGIN]
            # dtrx-1: an automatic answer names its source and no author
            assert origin["extension"] == [{"url": "source", "valueCode": "auto-client"}]
    left = {u.link_id for u in result.unanswered}
    assert "attestation.statement" in left  # nothing in a case answers it: a person does
    assert "prior-treatment.outpatient-start" not in left  # disabled: the trial is unanswered
    assert result.not_run == ("diagnosis.primary",)  # its CQL expression is not run
    assert result.response["status"] == "in-progress"
    assert not result.complete
    assert result.response["questionnaire"] == IOP["url"] + "|" + IOP["version"]
    assert result.response["authored"] == "2026-06-05"
    qr = pytest.importorskip("fhir.resources.R4B.questionnaireresponse")
    qr.QuestionnaireResponse.model_validate(copy.deepcopy(result.response))


def test_without_a_mapping_only_known_codes_are_answered() -> None:
    """No mapping: the schedule is left for a person, with the reason."""
    case = iopauth.load_case(CASES[0])
    result = fhir.answer_questionnaire(IOP, case, authored=AUTHORED)
    reasons = {u.link_id: u.reason for u in result.unanswered}
    assert reasons["schedule.hours-per-week"] == "no mapping entry and no code iopauth knows"
    assert "schedule.hours-per-week" not in _answers(result.response)


def test_enable_when_opens_the_dates_once_the_trial_is_answered() -> None:
    """A mapping answering the trial "yes" enables the start date, which then waits for a person."""
    extra = parse_questionnaire_mapping(
        '[questionnaire]\nurl = "http://example.org/iop-payer/Questionnaire/iop-admission"\n'
        '[[items]]\nlink_id = "prior-treatment.outpatient-trial"\ntext = true\n'
    )
    case = iopauth.load_case(CASES[0])
    result = fhir.answer_questionnaire(IOP, case, extra, authored=AUTHORED)
    left = {u.link_id: u for u in result.unanswered}
    assert left["prior-treatment.outpatient-start"].required
    assert "prior-treatment.outpatient-end" in left
    assert _answers(result.response)["prior-treatment.outpatient-trial"][0] == {
        "valueBoolean": True,
        "extension": [
            {"url": ORIGIN, "extension": [{"url": "source", "valueCode": "auto-client"}]}
        ],
    }


def test_an_enable_when_cycle_is_an_error_at_its_place() -> None:
    """Two items enabled by each other: a FhirError naming the place, not the payer's words."""
    q = {
        "resourceType": "Questionnaire",
        "item": [
            {
                "linkId": "a",
                "type": "boolean",
                "enableWhen": [{"question": "b", "operator": "exists", "answerBoolean": True}],
            },
            {
                "linkId": "b",
                "type": "boolean",
                "enableWhen": [{"question": "a", "operator": "exists", "answerBoolean": True}],
            },
        ],
    }
    with pytest.raises(FhirError) as raised:
        fhir.answer_questionnaire(q, iopauth.load_case(CASES[0]), authored=AUTHORED)
    assert raised.value.errors == ("$.item[0].enableWhen: the conditions form a cycle",)


def test_hostile_questionnaires_are_bounded() -> None:
    """Too many items, too deep a nesting, unknown types and bad conditions: clear errors."""
    case = iopauth.load_case(CASES[0])
    many = {
        "resourceType": "Questionnaire",
        "item": [{"linkId": str(i), "type": "string"} for i in range(MAX_ITEMS + 1)],
    }
    with pytest.raises(FhirError, match=f"more than {MAX_ITEMS} items"):
        fhir.answer_questionnaire(many, case, authored=AUTHORED)
    deep: dict[str, Any] = {"linkId": "leaf", "type": "string"}
    for i in range(MAX_DEPTH + 2):
        deep = {"linkId": f"g{i}", "type": "group", "item": [deep]}
    with pytest.raises(FhirError, match=f"deeper than {MAX_DEPTH}"):
        fhir.answer_questionnaire(
            {"resourceType": "Questionnaire", "item": [deep]}, case, authored=AUTHORED
        )
    odd: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "item": [
            {"linkId": "x", "type": "hologram", "required": True},
            {
                "linkId": "y",
                "type": "string",
                "enableWhen": [{"question": "nowhere", "operator": "=", "answerString": "1"}],
            },
        ],
    }
    with pytest.raises(FhirError, match=r"\$\.item\[1\]\.enableWhen\[0\]\.question: names no item"):
        fhir.answer_questionnaire(odd, case, authored=AUTHORED)
    del odd["item"][1]
    result = fhir.answer_questionnaire(odd, case, authored=AUTHORED)
    assert [(u.link_id, u.reason) for u in result.unanswered] == [
        ("x", "an item of this type is answered by a person")
    ]


@pytest.mark.parametrize(
    "name", [n for n in sorted(EXPECTED["questionnaires"]) if n != "iop-questionnaire.json"]
)
def test_the_guides_questionnaires_are_read(name: str) -> None:
    """Every item of the guide's example questionnaires is read; none is claimed from the case."""
    q = json.loads((DATA / name).read_text())
    result = fhir.answer_questionnaire(q, iopauth.load_case(CASES[0]), authored=AUTHORED)
    expected = [
        i
        for i in EXPECTED["questionnaires"][name]["items"]
        if i["type"] not in ("group", "display")
    ]
    # none of these items carries a code iopauth knows, so each waits for a person
    assert result.answered == ()
    assert {u.link_id for u in result.unanswered} <= {i["linkId"] for i in expected}


def test_a_mapping_for_another_questionnaire_is_refused() -> None:
    """The mapping names its Questionnaire; another one, or an unknown linkId, is an error."""
    wrong = parse_questionnaire_mapping(
        '[questionnaire]\nurl = "http://example.org/other"\n'
        '[[items]]\nlink_id = "nope"\ntext = "x"\n'
    )
    with pytest.raises(FhirError) as raised:
        fhir.answer_questionnaire(IOP, iopauth.load_case(CASES[0]), wrong, authored=AUTHORED)
    assert raised.value.errors == (
        "mapping: is for another Questionnaire (questionnaire.url differs)",
        "mapping items[0].link_id: names no item of the Questionnaire",
    )


def test_mapping_errors_name_their_place() -> None:
    """Every problem of a mapping file at once, at its TOML path."""
    with pytest.raises(FormMappingError) as raised:
        parse_questionnaire_mapping(
            '[questionnaire]\ntitle = 3\n[[items]]\nlink_id = "a"\npath = "plan.nowhere"\n'
            '[[items]]\nlink_id = "b"\n[[items]]\nlink_id = "c"\nderived = "moon"\ncolour = 1\n'
        )
    errors = raised.value.errors
    assert "questionnaire.url: required: the Questionnaire's canonical url" in errors
    assert "questionnaire.title: must be a string" in errors
    assert any(e.startswith("items[0].path: ") for e in errors)
    assert "items[1]: give exactly one of path, derived, criterion, text (found none)" in errors
    assert "items[2].derived: no derived value 'moon'" in errors
    assert "items[2].colour: unknown key" in errors


def test_the_package_answer_of_the_guide() -> None:
    """$questionnaire-package: the Questionnaires in the guide's Parameters and bundles."""
    package = fhir.questionnaire_package(DATA / "parameters-questionnaire-package-output.json")
    urls = [q["url"] for q in package.questionnaires]
    assert urls == ["http://hl7.org/fhir/us/davinci-dtr/Questionnaire/home-o2-std-questionnaire"]
    assert package.questionnaire(urls[0]) is package.questionnaires[0]
    for name, want in EXPECTED["packages"].items():
        found = fhir.questionnaire_package(DATA / name)
        q_ids = [e["id"] for e in want["entries"] if e["resourceType"] == "Questionnaire"]
        assert [q["id"] for q in found.questionnaires] == q_ids
        assert len(found.value_sets) == len(want["value_sets"])
        assert len(found.libraries) == len(want["libraries"])


def test_package_answers_are_bounded() -> None:
    """A package with more resources than the bound, or of another type, is refused."""
    entry = {"resource": {"resourceType": "Questionnaire", "status": "active"}}
    huge = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [entry] * (MAX_PACKAGE_ENTRIES + 1),
    }
    with pytest.raises(FhirError, match=str(MAX_PACKAGE_ENTRIES)):
        fhir.questionnaire_package(huge)
    with pytest.raises(FhirError, match="must be Parameters or Bundle"):
        fhir.questionnaire_package({"resourceType": "Patient"})


def test_no_score_from_after_the_responses_date() -> None:
    """A response dated before the case's measures carries none of them, and says why."""
    case = iopauth.load_case(ROOT / "examples" / "cases" / "medicare-stepdown-depression.json")
    early = fhir.answer_questionnaire(IOP, case, MAPPING, authored=date(2026, 5, 1))
    assert "measures.phq9" not in _answers(early.response)
    reasons = {u.link_id: u.reason for u in early.unanswered}
    assert reasons["measures.phq9"] == "the case records none on or before the response's date"
    middle = fhir.answer_questionnaire(IOP, case, MAPPING, authored=date(2026, 5, 30))
    # the PHQ-9 of May 22 (items sum to 24), not the one of June 5
    assert _answers(middle.response)["measures.phq9"][0]["valueInteger"] == 24


def test_a_mapping_is_read_through_the_bounded_reader(tmp_path: Path) -> None:
    """A FIFO with no writer, or a mapping over the cap, is refused at once, never waited on."""
    import os

    fifo = tmp_path / "mapping.toml"
    os.mkfifo(fifo)
    # a pipe without a writer reads as empty at once: an empty mapping, reported, no hang
    with pytest.raises(FormMappingError):
        fhir.load_questionnaire_mapping(fifo)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (1024 * 1024 + 1))
    with pytest.raises(FormMappingError) as raised:
        fhir.load_questionnaire_mapping(big)
    assert str(raised.value).startswith("big.toml: 1 problem")


def test_the_example_mapping_answers_the_outpatient_trial_from_the_history() -> None:
    """The example case records outpatient care from October 1, 2025 to May 8, 2026 (ended
    with an insufficient response): the example mapping answers the trial question and its
    dates from it; only the attestation is left for a person."""
    case = iopauth.load_case(ROOT / "examples" / "cases" / "medicare-stepdown-depression.json")
    result = fhir.answer_questionnaire(IOP, case, MAPPING, authored=AUTHORED)
    answers = _answers(result.response)
    assert answers["prior-treatment.outpatient-trial"][0]["valueBoolean"] is True
    assert answers["prior-treatment.outpatient-start"][0]["valueDate"] == "2025-10-01"
    assert answers["prior-treatment.outpatient-end"][0]["valueDate"] == "2026-05-08"
    assert [u.link_id for u in result.unanswered] == ["attestation.statement"]
    # a history without outpatient care gives no answer: the question waits for a person
    bare = attrs.evolve(case, history=())
    left = fhir.answer_questionnaire(IOP, bare, MAPPING, authored=AUTHORED).unanswered
    assert "prior-treatment.outpatient-trial" in {u.link_id for u in left}

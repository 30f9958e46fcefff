"""complete_adaptive: $next-question rounds answered from the case until done or a person is needed.

The adaptive service here reveals our IOP questionnaire (tests/data/dtr/iop-questionnaire.json,
ours: PROVENANCE.md) one top-level group per round, as an adaptive payer form grows; the guide's
own $next-question exchange (tests/data/dtr/parameters-next-question-*.json) is the one-round
case.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from iopauth import fhir, load_case
from iopauth.errors import FhirError
from iopauth.fhir import AdaptiveOutcome
from iopauth.fhir._dtr_mapping import parse_questionnaire_mapping
from iopauth.model import Instrument

from .local_service import serve

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data" / "dtr"
IOP = json.loads((DATA / "iop-questionnaire.json").read_text())
CASE = load_case(ROOT / "examples" / "cases" / "medicare-stepdown-depression.json")
# The example mapping's schedule entries only: these tests need the outpatient-trial question
# (which the example mapping answers from the treatment history) left for a person.
MAPPING = parse_questionnaire_mapping(
    '[questionnaire]\nurl = "http://example.org/iop-payer/Questionnaire/iop-admission"\n'
    '[[items]]\nlink_id = "schedule.hours-per-week"\nderived = "hours_per_week"\n'
    '[[items]]\nlink_id = "schedule.days-per-week"\nderived = "days_per_week"\n'
)
AUTHORED = date(2026, 6, 5)
ORIGIN = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin"
START = {
    "resourceType": "QuestionnaireResponse",
    "id": "adaptive",
    "questionnaire": "#iop-admission",
    "status": "in-progress",
    "subject": {"reference": "Patient/patient"},
}


class Growing:
    """An adaptive payer form: each call adds the next of ``groups`` top-level groups of our
    IOP questionnaire to the contained Questionnaire, and says ``completed`` once every group
    has been asked and answered (or at once when ``stall``: never anything new)."""

    def __init__(self, groups: int = len(IOP["item"]), *, stall: bool = False) -> None:
        self.groups = groups
        self.stall = stall
        self.received: list[dict[str, Any]] = []

    def next_question(self, questionnaire_response: Any) -> dict[str, Any]:
        qr = copy.deepcopy(dict(questionnaire_response))
        self.received.append(qr)
        contained = qr.get("contained", [])
        asked = len(contained[0]["item"]) if contained else 0
        if asked >= self.groups and not self.stall:
            return {**qr, "status": "completed"}
        shown = max(asked, 1) if self.stall else asked + 1
        questionnaire = {**IOP, "id": "iop-admission", "item": IOP["item"][:shown]}
        return {**qr, "contained": [questionnaire], "status": "in-progress"}


def _answers(response: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if "answer" in item:
                found[item["linkId"]] = item["answer"]
            walk(item.get("item", []))

    walk(response.get("item", []))
    return found


def test_the_guides_exchange_completes_in_one_round() -> None:
    """The guide's $next-question answer is already completed: one round, nothing asked."""
    given = json.loads((DATA / "parameters-next-question-input.json").read_text())
    output = (DATA / "parameters-next-question-output.json").read_bytes()

    def reply(*_args: Any) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/fhir+json"}, output

    with serve(reply) as base, fhir.DtrClient(base) as client:
        result = fhir.complete_adaptive(
            client, given["parameter"][0]["resource"], CASE, authored=AUTHORED
        )
    assert (result.outcome, result.rounds, result.answered) == (AdaptiveOutcome.COMPLETED, 1, ())
    assert result.complete
    assert result.response == json.loads(output)["parameter"][0]["resource"]


def test_rounds_are_answered_until_a_person_is_needed() -> None:
    """Diagnosis, measures and schedule come from the case (mapping for the hours); the
    required outpatient-trial question in round 4 stops the loop for a person."""
    service = Growing()
    result = fhir.complete_adaptive(service, START, CASE, MAPPING, authored=AUTHORED)
    assert (result.outcome, result.rounds) == (AdaptiveOutcome.PERSON_NEEDED, 4)
    assert result.answered == (
        "diagnosis.primary",
        "measures.phq9",
        "measures.gad7",
        "schedule.hours-per-week",
        "schedule.days-per-week",
    )
    assert [(w.link_id, w.required) for w in result.waiting] == [
        ("prior-treatment.outpatient-trial", True)
    ]
    assert result.not_run == ("diagnosis.primary",)
    answers = _answers(result.response)
    primary = next(d for d in CASE.diagnoses if d.primary)
    assert answers["diagnosis.primary"][0]["valueCoding"]["code"] == primary.code
    phq9 = max(
        (m for m in CASE.measures if m.instrument is Instrument.PHQ9),
        key=lambda m: m.administered_on,
    )
    assert answers["measures.phq9"][0]["valueInteger"] == fhir_total(phq9)
    assert answers["schedule.hours-per-week"][0]["valueDecimal"] == (
        CASE.plan.schedule.hours_per_week
    )
    # round 2 received round 1's answer, marked automatic
    sent = _answers(service.received[1])
    assert list(sent) == ["diagnosis.primary"]
    assert sent["diagnosis.primary"][0]["extension"][0]["url"] == ORIGIN
    assert result.response["authored"] == "2026-06-05"
    assert result.response["status"] == "in-progress"


def fhir_total(measure: Any) -> int | None:
    from iopauth.measures import score

    total: int | None = score(measure).total
    return total


def test_a_persons_answer_is_kept_and_the_loop_goes_on() -> None:
    """Resumed with the person's answer: it is kept as given and the form completes."""
    service = Growing(groups=5)
    first = fhir.complete_adaptive(service, START, CASE, MAPPING, authored=AUTHORED)
    assert first.outcome is AdaptiveOutcome.PERSON_NEEDED
    resumed = copy.deepcopy(first.response)
    person = {"valueBoolean": False}
    resumed["item"].append(
        {
            "linkId": "prior-treatment",
            "item": [{"linkId": "prior-treatment.outpatient-trial", "answer": [person]}],
        }
    )
    result = fhir.complete_adaptive(service, resumed, CASE, MAPPING, authored=AUTHORED)
    # round 1 asks the risk group, answered from the C-SSRS screener; round 2 completes
    assert (result.outcome, result.rounds) == (AdaptiveOutcome.COMPLETED, 2)
    assert result.answered == ("risk.cssrs-level",)
    final = _answers(result.response)
    assert final["prior-treatment.outpatient-trial"] == [person]
    assert final["diagnosis.primary"] == _answers(first.response)["diagnosis.primary"]


def test_a_payer_that_asks_nothing_new_stops_the_loop() -> None:
    """The same question again and again is not looped on: no new questions, round 2."""
    result = fhir.complete_adaptive(Growing(stall=True), START, CASE, authored=AUTHORED)
    assert (result.outcome, result.rounds) == (AdaptiveOutcome.NO_NEW_QUESTIONS, 2)
    assert not result.complete


def test_rounds_are_bounded() -> None:
    """max_rounds calls at most; a bound outside 1-1000 is refused."""
    service = Growing()
    result = fhir.complete_adaptive(service, START, CASE, MAPPING, authored=AUTHORED, max_rounds=2)
    assert (result.outcome, result.rounds, len(service.received)) == (
        AdaptiveOutcome.ROUND_LIMIT,
        2,
        2,
    )
    assert list(_answers(result.response)) == [
        "diagnosis.primary",
        "measures.phq9",
        "measures.gad7",
    ]
    for bad in (0, 1001):
        with pytest.raises(ValueError, match="max_rounds"):
            fhir.complete_adaptive(service, START, CASE, authored=AUTHORED, max_rounds=bad)


def test_an_answer_without_its_questionnaire_is_an_error() -> None:
    """A non-completed answer must contain the Questionnaire it grows."""

    class Bare:
        def next_question(self, questionnaire_response: Any) -> dict[str, Any]:
            return {**dict(questionnaire_response), "status": "in-progress"}

    with pytest.raises(FhirError) as caught:
        fhir.complete_adaptive(Bare(), START, CASE, authored=AUTHORED)
    assert caught.value.errors == (
        "$.contained: the payer's answer holds no contained Questionnaire for its questions",
    )

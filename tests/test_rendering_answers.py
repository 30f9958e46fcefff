"""Questionnaire answers in words, the payer-text rule and enableWhen (rendering/answers.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from iopauth.errors import RenderError
from iopauth.rendering.answers import PayerText, answer_words, conditions_hold, fhir_date

from .strategies import payer_texts


def _words(answer: dict[str, Any]) -> str:
    return answer_words(answer, "$.item[0].answer[0]", PayerText(10_000, 100_000))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"valueBoolean": True}, "Yes"),
        ({"valueBoolean": False}, "No"),
        ({"valueInteger": 19}, "19"),
        ({"valueDecimal": 10.5}, "10.5"),
        ({"valueDecimal": 0.125}, "0.125"),  # as given: never rounded
        ({"valueDecimal": 1e-7}, "0.0000001"),
        ({"valueDecimal": 15.0}, "15"),
        ({"valueDate": "2026-06-05"}, "June 5, 2026"),
        ({"valueDate": "2026-06"}, "June 2026"),
        ({"valueDate": "2026"}, "2026"),
        ({"valueDateTime": "2026-06-05T14:30:00-05:00"}, "June 5, 2026, 14:30 (UTC-05:00)"),
        ({"valueDateTime": "2026-06-05T09:05:00Z"}, "June 5, 2026, 09:05 (UTC)"),
        ({"valueDateTime": "2026-06-05"}, "June 5, 2026"),
        ({"valueTime": "08:15:00"}, "08:15"),
        ({"valueString": "low"}, "low"),
        ({"valueUri": "http://example.org/x"}, "http://example.org/x"),
        (
            {"valueCoding": {"system": "http://x", "code": "R", "display": "Replacement"}},
            "Replacement",
        ),
        ({"valueCoding": {"system": "http://x", "code": "R"}}, "R"),
        # a diagnosis by its official title (ICD-10-CM FY2026 table) and its code
        (
            {"valueCoding": {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.1"}},
            "Major depressive disorder, recurrent, moderate (ICD-10-CM F33.1)",
        ),
        (
            {"valueCoding": {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z99.XX"}},
            "ICD-10-CM Z99.XX",
        ),
        (
            {
                "valueQuantity": {
                    "value": 95,
                    "system": "http://unitsofmeasure.org",
                    "code": "mm[Hg]",
                }
            },
            "95 mm[Hg]",
        ),
        ({"valueQuantity": {"value": 3, "unit": "hours", "comparator": ">="}}, "at least 3 hours"),
        (
            {"valueReference": {"reference": "Patient/1", "display": "Mr. Saul Moki"}},
            "Mr. Saul Moki",
        ),
        (
            {"valueReference": {"reference": "Patient/1"}},
            "A record in the sender's system (not printed here)",
        ),
        ({"valueAttachment": {"title": "Sleep study"}}, "Attached file: Sleep study"),
    ],
)
def test_answers_read_as_words(answer: dict[str, Any], words: str) -> None:
    assert _words(answer) == words


@pytest.mark.parametrize(
    "answer",
    [
        {"valueBoolean": "yes"},
        {"valueInteger": True},
        {"valueDate": "05/06/2026"},
        {"valueDate": "2026-02-30"},
        {"valueTime": "8am"},
        {"valueCoding": {"system": "http://x"}},
        {"valueDecimal": float("nan")},
        {},
    ],
)
def test_malformed_answers_are_errors_at_their_place(answer: dict[str, Any]) -> None:
    with pytest.raises(RenderError, match=r"\$\.item\[0\]\.answer\[0\]"):
        _words(answer)


def test_partial_dates() -> None:
    assert fhir_date("2026-00") is None
    assert fhir_date("26") is None
    assert fhir_date("2026-12") == "December 2026"


@given(payer_texts())
@settings(max_examples=60)
def test_any_allowed_text_is_printed_exactly_as_given(text: str) -> None:
    """The page never rewrites the payer's words (the template escapes them)."""
    assert _words({"valueString": text}) == text.strip()


def test_the_total_is_shared_by_every_string() -> None:
    budget = PayerText(10, 15)
    assert budget.optional("0123456789", "a") == "0123456789"
    with pytest.raises(RenderError, match="b: the questionnaire prints more than 15"):
        budget.optional("0123456", "b")


_TRUE = [{"valueBoolean": True}]


@pytest.mark.parametrize(
    ("when", "behavior", "answers", "asked"),
    [
        ([{"question": "a", "operator": "=", "answerBoolean": True}], "all", {"a": [True]}, True),
        ([{"question": "a", "operator": "=", "answerBoolean": True}], "all", {}, False),
        ([{"question": "a", "operator": "exists", "answerBoolean": False}], "all", {}, True),
        ([{"question": "a", "operator": ">=", "answerInteger": 10}], "all", {"a": [12]}, True),
        ([{"question": "a", "operator": ">=", "answerInteger": 10}], "all", {"a": ["x"]}, False),
        ([{"question": "a", "operator": "=", "answerInteger": 1}], "all", {"a": [True]}, False),
        (
            [
                {"question": "a", "operator": "=", "answerBoolean": True},
                {"question": "b", "operator": "exists", "answerBoolean": True},
            ],
            "any",
            {"b": ["x"]},
            True,
        ),
        (
            [{"question": "c", "operator": "=", "answerCoding": {"system": "s", "code": "1"}}],
            "all",
            {"c": [{"system": "s", "code": "1", "display": "One"}]},
            True,
        ),
    ],
)
def test_enable_when_against_the_answers(
    when: list[dict[str, Any]], behavior: str, answers: dict[str, list[object]], asked: bool
) -> None:
    item = {"linkId": "x", "enableWhen": when, "enableBehavior": behavior}
    assert conditions_hold(item, answers, "$.item[0]") is asked


def test_a_bad_enable_when_is_an_error() -> None:
    with pytest.raises(RenderError, match="operator"):
        conditions_hold({"enableWhen": [{"question": "a", "operator": "~"}]}, {}, "$.item[0]")
    with pytest.raises(RenderError, match="at most 50"):
        conditions_hold({"enableWhen": [{"question": "a"}] * 51}, {}, "$.item[0]")

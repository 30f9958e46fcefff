"""The "Payer questionnaire" page: a DTR QuestionnaireResponse in the payer's words, in the
packet, its bounds, and hostile payer text printed as text.

Fixtures: our IOP questionnaire (examples/dtr, answered from an example case by
``answer_questionnaire``) and the DTR guide's own examples in tests/data/dtr (see PROVENANCE.md
there): the home-oxygen QuestionnaireResponse with the Questionnaire it answers, the adaptive
response that contains its Questionnaire, and the package pairing that does not match.
"""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import attrs
import pypdf
import pytest
from hypothesis import given, settings
from markupsafe import escape

from iopauth import fhir
from iopauth.caseformat.serialize import load_case
from iopauth.errors import RenderError
from iopauth.model import Case
from iopauth.rendering import (
    PayerForm,
    PayerQuestionnaire,
    RenderOptions,
    packet_parts,
    render_documents,
)
from iopauth.rendering.environment import number
from iopauth.rendering.questionnaire import (
    MAX_ANSWERS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_TEXT,
    MAX_TOTAL_TEXT,
    questionnaire_view,
)
from iopauth.rendering.render import layout_documents
from iopauth.rendering.session import Session

from .layoutcheck import problems
from .strategies import payer_texts

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"
MILD = ROOT / "examples" / "cases" / "commercial-mild-adjustment.json"
IOP_Q = ROOT / "examples" / "dtr" / "iop-questionnaire.json"
IOP_MAPPING = ROOT / "examples" / "dtr" / "iop-admission.toml"
DTR = Path(__file__).resolve().parent / "data" / "dtr"
IG_QR = DTR / "questionnaireresponse-home-o2.json"
IG_Q = DTR / "questionnaire-referred.json"
AUTHORED = date(2026, 6, 5)


def _answered(case: Case) -> fhir.AnsweredQuestionnaire:
    mapping = fhir.load_questionnaire_mapping(IOP_MAPPING)
    return fhir.answer_questionnaire(IOP_Q, case, mapping, authored=AUTHORED)


def _page_html(case: Case, given: PayerQuestionnaire, **options: Any) -> str:
    """The page's HTML alone (no layout)."""
    session = Session(case, None, RenderOptions(questionnaire=given, **options), ())
    return session.html("payer-questionnaire")


def _rows(view: Any) -> dict[str, Any]:
    return {r.text: r for r in view.rows}


def _qr(*items: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": list(items)}


def test_the_page_follows_the_letter_and_payer_form_before_the_enclosures() -> None:
    case = load_case(CASE)
    given = PayerQuestionnaire(response=_answered(case).response)
    assert case.request.documents  # the example has documents on hand: enclosures listed
    parts = packet_parts(case, RenderOptions(questionnaire=given))
    assert parts == ("request-letter", "payer-questionnaire", "enclosures")
    form = PayerForm(pdf=b"%PDF", mapping=ROOT / "examples" / "forms" / "tdi-nofr001.toml")
    beside = packet_parts(case, RenderOptions(questionnaire=given, form=form))
    assert beside == ("request-letter", "payer-form", "payer-questionnaire", "enclosures")
    bare = attrs.evolve(case, request=attrs.evolve(case.request, documents=()))
    assert packet_parts(bare, RenderOptions(questionnaire=given)) == (
        "request-letter",
        "payer-questionnaire",
    )
    assert "payer-questionnaire" not in packet_parts(case)


def test_the_packet_prints_our_questionnaire_answered_from_the_case() -> None:
    """One PDF: the page's words, the cover's list and page count, no field names."""
    case = load_case(CASE)
    answered = _answered(case)
    given = PayerQuestionnaire(response=answered.response, questionnaire=IOP_Q)
    pdf = render_documents(case, ["packet"], options=RenderOptions(questionnaire=given))["packet"]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    title = json.loads(IOP_Q.read_text(encoding="utf-8"))["title"]
    cover = pages[0]
    assert f"Payer questionnaire: {title}" in cover
    assert f"Pages {len(pages)}, including this cover" in cover
    found = [i for i, text in enumerate(pages) if "asks these questions" in text]
    page = " ".join(pages[found[0] :])
    assert "Re: Harold J Testperson" in pages[found[0]]  # the reline, as on every part
    assert f"Questionnaire {title}" in page
    assert "Version 1.0.0" in page
    # our example reads as a (fictional) payer's, not as a test fixture
    assert "Published by Example Behavioral Health Plan (fictional)" in page
    assert "fixture" not in page.lower()
    # every answered question with its answer in words, from the record
    hours = number(case.plan.schedule.hours_per_week)
    assert f"Scheduled treatment hours per week {hours} Patient's record" in page
    assert f"Scheduled treatment days per week {case.plan.schedule.days} Patient's" in page
    primary = case.primary_diagnosis
    assert f"(ICD-10-CM {primary.code})" in page
    assert f"{len(answered.answered)} questions answered, all from the patient's record" in page
    # the questions left for a person say so, once each
    assert page.count("To be answered by the clinician") == len(answered.unanswered) + 1
    assert "The payer requires an answer." in page
    # the outpatient trial and its dates come from the treatment history (examples/dtr mapping)
    assert "Outpatient treatment start date October 1, 2025" in page
    # the list of enclosures names it first, as in this packet
    enclosures = next(text for text in pages[found[0] :] if "Enclosures" in text)
    # (the clinician's attestation, which the payer requires, is still open: not "answered")
    listed = f"1 Payer questionnaire: {title}, in progress: 1 required question open (in this"
    assert listed in enclosures
    assert ", answered (in this packet" not in enclosures
    assert f"Payer questionnaire: {title} (in progress: 1 required question open)" in cover
    assert "2 Psychiatric evaluation" in enclosures
    # no linkId, JSON key or code of the exchange reaches the page
    for word in ("measures.phq9", "linkId", "valueInteger", "auto-client", "information-origin"):
        assert word not in " ".join(pages)


def test_a_draft_packet_marks_the_questionnaire_page_too() -> None:
    mild = load_case(MILD)
    given = PayerQuestionnaire(response=_answered(mild).response, questionnaire=IOP_Q)
    page = _page_html(mild, given)
    assert 'class="draft-watermark"' in page
    assert "DRAFT: not for submission" in page
    final = _page_html(mild, given, final=True)
    assert 'class="draft-watermark"' not in final


def test_the_dtr_guide_example_reads_with_its_questionnaire() -> None:
    """The guide's QuestionnaireResponse: two answers overridden by a person, one question
    without an answer, quantities with units, nested groups, a reference by its display."""
    view = questionnaire_view(PayerQuestionnaire(response=IG_QR, questionnaire=IG_Q))
    rows = _rows(view)
    assert view.title == "Referred Questionnaire for QuestionnaireResponse"
    assert view.version == "0.1.0"
    assert view.publisher == "Da Vinci DTR"
    assert view.authored == date(2023, 8, 21)
    assert view.completed
    assert rows["Last Name but Different This Time"].origin == "changed"
    assert rows["Date of Face-To-Face Evaluation"].answers == ("July 18, 2019",)
    assert rows["Date of Face-To-Face Evaluation"].origin == "changed"
    assert rows["Date Of Birth"].answers == ("December 1, 1956",)
    assert rows["Current Order Is For A Portable Device"].origin == "open"
    saturation = (
        "Arterial oxygen saturation (Patient on room air while at rest and awake when tested)"
    )
    assert rows[saturation].answers == ("95 mm[Hg]",)
    assert rows["Record"].answers == ("Mr. Saul Moki",)
    assert rows["Record"].origin == "unstated"
    assert rows[
        "Is there a documented improvement of hypoxemia during exercise with oxygen?"
    ].answers == ("Yes",)
    peak = next(r for r in view.rows if r.text == "Peak Flow Rate")
    assert peak.kind == "heading"
    assert peak.depth == 1
    lpm = view.rows[view.rows.index(peak) + 1]
    assert (lpm.text, lpm.depth, lpm.answers) == ("LPM", 2, ("2",))
    assert (view.from_record, view.by_person, view.unstated, view.open) == (25, 2, 1, 1)
    assert view.answered == (
        "28 questions answered: 25 from the patient's record, 2 by a person, "
        "1 with no source stated"
    )


def test_without_its_questionnaire_the_response_names_it_by_its_canonical() -> None:
    view = questionnaire_view(PayerQuestionnaire(response=IG_QR))
    assert view.title is None
    assert view.url == "http://hl7.org/fhir/us/davinci-dtr/Questionnaire/referred-questionnaire"
    # an item the response holds without an answer is still open (5.1b)
    assert _rows(view)["Current Order Is For A Portable Device"].origin == "open"
    assert [r.text for r in view.rows if r.kind == "heading"][:2] == [
        "Patient Information",
        "Provider who is performing face-to-face evaluation",
    ]


def test_a_response_that_contains_its_questionnaire_uses_it() -> None:
    view = questionnaire_view(
        PayerQuestionnaire(response=DTR / "questionnaireresponse-home-o2-adaptive.json")
    )
    assert view.title == "Adaptive Home Oxygen Therapy Order Template"
    assert [r.origin for r in view.rows] == ["record", "record"]  # auto-server
    assert _rows(view)["Order Reason"].answers == ("Replacement",)


def test_a_questionnaire_the_response_does_not_answer_is_refused() -> None:
    """The guide's own package pairs this response with the standard home-oxygen
    Questionnaire (PROVENANCE odd point 1): printing one's answers under the other's
    questions would be false, so it is an error."""
    given = PayerQuestionnaire(response=IG_QR, questionnaire=DTR / "questionnaire-home-o2-std.json")
    with pytest.raises(RenderError, match="not the one the response answers"):
        questionnaire_view(given)


def test_a_question_enabled_by_an_answer_is_listed_as_open() -> None:
    case = load_case(CASE)
    response = copy.deepcopy(_answered(case).response)
    # as if the mapping left the trial for a person: the dates are asked only after a yes
    response["item"] = [i for i in response["item"] if i["linkId"] != "prior-treatment"]
    trial = {"linkId": "prior-treatment.outpatient-trial", "answer": [{"valueBoolean": True}]}
    response["item"].append({"linkId": "prior-treatment", "item": [trial]})
    rows = _rows(questionnaire_view(PayerQuestionnaire(response=response, questionnaire=IOP_Q)))
    trial_row = rows["Has the member had a trial of outpatient treatment for this condition?"]
    assert trial_row.answers == ("Yes",)
    assert trial_row.origin == "unstated"
    assert rows["Outpatient treatment start date"].origin == "open"
    assert rows["Outpatient treatment start date"].required
    assert not rows["Outpatient treatment end date (leave blank if ongoing)"].required


HOSTILE = "<script>alert(1)</script>{{ 7*7 }}{% raw %}"


def test_hostile_payer_text_prints_as_text() -> None:
    case = load_case(CASE)
    response = _qr(
        {
            "linkId": "g",
            "text": HOSTILE,
            "item": [
                {"linkId": "q", "text": HOSTILE, "answer": [{"valueString": HOSTILE}]},
            ],
        },
    )
    response["questionnaire"] = "http://example.org/Q|<b>1</b>"
    page = _page_html(case, PayerQuestionnaire(response=response))
    assert "<script>" not in page
    assert "<b>1</b>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}{% raw %}") == 3
    assert "&lt;b&gt;1&lt;/b&gt;" in page  # the version, as the payer wrote it


@given(payer_texts())
@settings(max_examples=10, deadline=None)
def test_any_payer_wording_is_escaped_on_the_page(text: str) -> None:
    case = load_case(CASE)
    response = _qr({"linkId": "q", "text": text, "answer": [{"valueString": text}]})
    page = _page_html(case, PayerQuestionnaire(response=response))
    assert page.count(str(escape(text.strip()))) >= 2


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Member\u202eDI", "control, bidirectional or invisible"),
        ("a\x00b", "control, bidirectional or invisible"),
        ("x" * (MAX_TEXT + 1), f"longer than {MAX_TEXT}"),
    ],
)
def test_bad_payer_text_is_refused_by_place_never_quoted(text: str, rule: str) -> None:
    response = _qr({"linkId": "q", "text": "Name", "answer": [{"valueString": text}]})
    with pytest.raises(RenderError, match=rule) as caught:
        questionnaire_view(PayerQuestionnaire(response=response))
    assert "response $.item[0].answer[0].valueString" in str(caught.value)
    assert text[:20] not in str(caught.value)


def _nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"linkId": "leaf", "answer": [{"valueBoolean": True}]}
    for level in range(depth - 1):
        node = {"linkId": f"g{level}", "item": [node]}
    return node


@pytest.mark.parametrize(
    ("response", "rule"),
    [
        (
            _qr(
                *(
                    {"linkId": f"q{i}", "answer": [{"valueInteger": i}]}
                    for i in range(MAX_ITEMS + 1)
                )
            ),
            f"more than {MAX_ITEMS} items",
        ),
        (_qr(_nested(MAX_DEPTH + 1)), f"deeper than {MAX_DEPTH}"),
        (
            _qr({"linkId": "q", "answer": [{"valueInteger": 1}] * (MAX_ANSWERS + 1)}),
            f"more than {MAX_ANSWERS} answers",
        ),
        (
            _qr(
                *(
                    {"linkId": f"q{i}", "text": "x" * 9000}
                    for i in range(MAX_TOTAL_TEXT // 9000 + 1)
                )
            ),
            f"more than {MAX_TOTAL_TEXT} characters",
        ),
        (_qr({"linkId": "q", "answer": [{"valueFoo": 1}]}), "not an answer value FHIR R4 allows"),
        (
            _qr({"linkId": "q", "answer": [{"valueInteger": 1, "valueString": "1"}]}),
            "exactly one value",
        ),
        (_qr({"linkId": "q", "answer": [{"valueDate": "2026-13-01"}]}), "must be a FHIR date"),
        (_qr({"linkId": "q", "answer": [{"valueDecimal": 1e300}]}), "larger than"),
        (_qr({"text": "no linkId"}), "linkId: required"),
        ({"resourceType": "Questionnaire"}, "must be QuestionnaireResponse"),
    ],
    ids=["items", "depth", "answers", "total", "type", "two", "date", "number", "link", "kind"],
)
def test_responses_out_of_bounds_are_refused(response: dict[str, Any], rule: str) -> None:
    with pytest.raises(RenderError, match=rule):
        questionnaire_view(PayerQuestionnaire(response=response))


def test_a_response_with_nothing_answered_says_so() -> None:
    view = questionnaire_view(PayerQuestionnaire(response=_qr({"linkId": "q", "text": "Why?"})))
    assert view.answered == "No question is answered yet"
    assert (view.open, view.rows[0].origin) == (1, "open")


def test_exactly_at_the_bounds_is_read() -> None:
    items = [{"linkId": f"q{i}", "answer": [{"valueInteger": i}]} for i in range(MAX_ITEMS)]
    assert len(questionnaire_view(PayerQuestionnaire(response=_qr(*items))).rows) == MAX_ITEMS
    assert questionnaire_view(PayerQuestionnaire(response=_qr(_nested(MAX_DEPTH)))).rows


def test_a_file_that_is_not_json_or_too_big_is_a_render_error(tmp_path: Path) -> None:
    bad = tmp_path / "qr.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RenderError, match="questionnaire response"):
        questionnaire_view(PayerQuestionnaire(response=bad))
    with pytest.raises(RenderError, match="questionnaire response"):
        questionnaire_view(PayerQuestionnaire(response=b"x" * (16 * 1024 * 1024 + 1)))


def test_an_answer_given_is_never_hidden() -> None:
    """An answer to a question its condition does not open, and one to an item the
    Questionnaire lacks, are printed (the latter under their own heading)."""
    case = load_case(CASE)
    response = copy.deepcopy(_answered(case).response)
    response["item"] = [i for i in response["item"] if i["linkId"] != "prior-treatment"]
    start = {"linkId": "prior-treatment.outpatient-start", "answer": [{"valueDate": "2026-01-05"}]}
    stray = {"linkId": "stray", "text": "Anything else?", "answer": [{"valueString": "No"}]}
    response["item"] += [{"linkId": "prior-treatment", "item": [start]}, stray]
    view = questionnaire_view(PayerQuestionnaire(response=response, questionnaire=IOP_Q))
    rows = _rows(view)
    assert rows["Outpatient treatment start date"].answers == ("January 5, 2026",)
    assert "Outpatient treatment end date (leave blank if ongoing)" not in rows  # not asked
    assert view.rows[-2].kind == "heading"
    assert view.rows[-2].text.startswith("Other answers in the response")
    assert (view.rows[-1].text, view.rows[-1].answers) == ("Anything else?", ("No",))


def test_the_answers_stay_out_of_the_options_repr() -> None:
    response = _qr({"linkId": "name", "answer": [{"valueString": "Harold Testperson"}]})
    options = RenderOptions(questionnaire=PayerQuestionnaire(response=response))
    assert "Harold" not in repr(options)
    assert "Harold" not in repr(options.questionnaire)


@pytest.mark.parametrize("source", ["ours", "guide"])
def test_the_page_and_the_checklist_pass_the_layout_check(source: str) -> None:
    """No heading or group row strands at a page's foot, no short label broken, no empty
    column: our questionnaire (one page) and the DTR guide's (two pages), with a CRD answer."""
    case = load_case(MILD)
    if source == "ours":
        given = PayerQuestionnaire(response=_answered(case).response, questionnaire=IOP_Q)
    else:
        given = PayerQuestionnaire(response=IG_QR, questionnaire=IG_Q)
    crd = fhir.coverage_requirements(
        Path(__file__).resolve().parent
        / "data"
        / "crd"
        / "response-cards-and-servicerequest-update.json"
    )
    options = RenderOptions(questionnaire=given, coverage_requirements=crd)
    layouts = layout_documents(case, ["packet", "checklist"], options=options)
    assert [p for name, doc in layouts.items() for p in problems(name, doc)] == []


def _letter_enclosures(html: str) -> list[str]:
    block = re.search(r'<div class="enclosures">.*?</ul>', html, re.S)
    assert block is not None
    return [unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", block[0])]


def _listed_enclosures(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body is not None
    rows = re.findall(r"<tr><td>\d+</td><td>(.*?)</td>", body[1])
    return [unescape(re.sub(r"<[^>]+>", "", r)) for r in rows]


def test_the_letter_cover_and_list_of_enclosures_agree_on_the_questionnaire() -> None:
    """A reviewer counted 8 enclosures in the request letter, 9 on the cover and the list of
    enclosures (the letter left the payer questionnaire out), and found the cover and the list
    calling the questionnaire "answered" while a question the payer requires was open."""
    case = load_case(CASE)
    title = json.loads(IOP_Q.read_text(encoding="utf-8"))["title"]
    given = PayerQuestionnaire(response=_answered(case).response, questionnaire=IOP_Q)
    view = questionnaire_view(given)
    assert view.open_required == 1  # the clinician's attestation
    session = Session(case, None, RenderOptions(questionnaire=given), ())
    letter = _letter_enclosures(session.html("request-letter"))
    listed = _listed_enclosures(session.html("enclosures"))
    cover = unescape(re.sub(r"<[^>]+>", " ", session.html("fax-cover")))
    assert len(letter) == len(listed) == len(case.request.documents) + 1
    state = "in progress: 1 required question open"
    assert letter[0] == f"Payer questionnaire: {title}, {state}, June 5, 2026"
    assert listed[0] == f"Payer questionnaire: {title}, {state} (in this packet, before this list)"
    assert f"Payer questionnaire: {title} ({state})" in " ".join(cover.split())
    for ours, theirs in zip(letter[1:], listed[1:], strict=True):
        assert ours.startswith(theirs)  # the same documents in the same order
    # with no required question open each list says "answered"
    answer = {"linkId": "a", "text": "Q", "answer": [{"valueBoolean": True}]}
    done = PayerQuestionnaire(response=_qr(answer))
    session = Session(case, None, RenderOptions(questionnaire=done), ())
    assert _letter_enclosures(session.html("request-letter"))[0] == "Payer questionnaire, answered"
    assert _listed_enclosures(session.html("enclosures"))[0].startswith(
        "Payer questionnaire, answered (in this packet"
    )
    assert "Payer questionnaire (answered)" in session.html("fax-cover")
    # the letter alone, without a questionnaire, lists only the documents on hand
    plain = Session(case, None, RenderOptions(), ()).html("request-letter")
    assert len(_letter_enclosures(plain)) == len(case.request.documents)

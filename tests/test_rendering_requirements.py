"""The payer's documentation requirements (CRD) in the staff checklist (rendering/requirements.py).

Fixtures: the CRD guide's example answers in tests/data/crd (see PROVENANCE.md there) and our
IOP answer in examples/crd.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import attrs
import pypdf
import pytest
from hypothesis import given, settings
from markupsafe import escape

from iopauth import fhir
from iopauth.caseformat.serialize import load_case
from iopauth.errors import RenderError
from iopauth.fhir import CoverageInformation, CoverageRequirements
from iopauth.fhir._crd import CoverageReason
from iopauth.model import Case
from iopauth.rendering import PayerQuestionnaire, RenderOptions, render
from iopauth.rendering.questionnaire import questionnaire_view
from iopauth.rendering.requirements import payer_requirements
from iopauth.rendering.session import Session

from .strategies import payer_texts

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"
OURS = ROOT / "examples" / "crd" / "iop-coverage-answer.json"
CRD = Path(__file__).resolve().parent / "data" / "crd"
QUESTIONNAIRE = ROOT / "examples" / "dtr" / "iop-questionnaire.json"


def test_our_iop_answer_in_words() -> None:
    view = payer_requirements(fhir.coverage_requirements(OURS))
    assert view.prior_authorization == "Prior authorization is needed."
    assert view.documentation == (
        "Clinical documentation: details a clinician gives (the payer's questionnaire "
        "answered by a clinician)",
    )
    assert view.purposes == ("Send it with the prior authorization request",)
    assert view.questionnaires == (
        "http://example.org/iop-payer/Questionnaire/iop-admission, version 1.0.0",
    )
    assert view.reasons == (
        "Intensive outpatient admission requires prior authorization under this plan",
    )
    assert view.unknown == 0


def test_the_guides_answer_with_cards_reasons_and_a_satisfied_authorization() -> None:
    found = fhir.coverage_requirements(CRD / "response-cards-and-servicerequest-update.json")
    view = payer_requirements(found)
    assert view.prior_authorization.startswith("The payer says prior authorization is already")
    assert view.documentation == (
        "Possibly more documentation, once the payer has more information",
    )
    assert view.information == ("Other information the payer states",)
    assert view.reasons == (
        "In-network required unless exigent circumstances",
        "Diagnosis needed to determine documentation requirements",
    )
    # the cards' summaries exactly as the payer wrote them
    assert [summary for _, summary in view.cards] == [s for _, s in found.cards]
    assert {level for level, _ in view.cards} == {"Information"}


def test_an_answer_without_coverage_information_names_its_questionnaire() -> None:
    view = payer_requirements(
        fhir.coverage_requirements(CRD / "response-cards-form-completion.json")
    )
    assert view.prior_authorization == (
        "The payer's answer does not say whether prior authorization is needed."
    )
    assert view.questionnaires == ("http://example.org/Questionnaire/XYZ, version 2",)
    assert len(view.cards) == 5


def test_unknown_codes_are_counted_never_printed() -> None:
    info = CoverageInformation(
        order=None, covered="maybe-later", pa_needed="auth-needed", doc_needed=("x-ray",)
    )
    found = CoverageRequirements(coverage=(info,), questionnaires=(), cards=(("loud", "Hi"),))
    view = payer_requirements(found)
    assert view.unknown == 2
    assert view.coverage == ()
    assert view.documentation == ()
    assert view.cards == (("Card", "Hi"),)
    assert "maybe-later" not in repr(view)
    assert "x-ray" not in repr(view)


def test_bad_payer_text_is_refused_by_place() -> None:
    reason = CoverageReason(system=None, code=None, text="In\u202enetwork")
    info = CoverageInformation(order=None, pa_needed="auth-needed", reasons=(reason,))
    found = CoverageRequirements(coverage=(info,), questionnaires=(), cards=())
    with pytest.raises(RenderError, match="coverage_requirements reason 1: holds a control"):
        payer_requirements(found)


@given(payer_texts())
@settings(max_examples=10, deadline=None)
def test_payer_words_are_escaped_in_the_checklist(text: str) -> None:
    reason = CoverageReason(system=None, code=None, text=text)
    info = CoverageInformation(order=None, pa_needed="auth-needed", reasons=(reason,))
    found = CoverageRequirements(coverage=(info,), questionnaires=(), cards=(("info", text),))
    options = RenderOptions(coverage_requirements=found)
    page = Session(load_case(CASE), None, options, ()).html("checklist")
    assert page.count(str(escape(text.strip()))) >= 2


def test_the_checklist_lists_the_payers_requirements_beside_ours() -> None:
    """One PDF: the payer's section follows iopauth's own document list."""
    options = RenderOptions(coverage_requirements=fhir.coverage_requirements(OURS))
    pdf = render(load_case(CASE), "checklist", options=options)
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    assert text.index("Documents") < text.index("What the payer asks for")
    assert "Prior authorization Prior authorization is needed." in text
    assert "Send it with the prior authorization request" in text
    assert (
        "\u201cIntensive outpatient admission requires prior authorization under this plan\u201d"
        in text
    )
    for word in ("auth-needed", "withpa", "doc-needed", "clinical documentation"):
        assert word not in text  # codes in words, never the codes
    plain = render(load_case(CASE), "checklist")
    assert "What the payer asks for" not in " ".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(plain)).pages
    )


def _answered(case: Case) -> PayerQuestionnaire:
    """Our IOP questionnaire answered from ``case`` (examples/dtr), with the Questionnaire."""
    mapping = fhir.load_questionnaire_mapping(ROOT / "examples" / "dtr" / "iop-admission.toml")
    answered = fhir.answer_questionnaire(QUESTIONNAIRE, case, mapping, authored=date(2026, 3, 2))
    return PayerQuestionnaire(response=answered.response, questionnaire=QUESTIONNAIRE)


def test_the_checklist_names_the_questionnaire_and_its_open_required_questions() -> None:
    """A reviewer found the questionnaire named only by its address though its title was
    given, the section's opening sentence garbled, and a required question still open missing
    from the items to resolve. One PDF, given the CRD answer and our questionnaire answered
    from the example case (its clinician's attestation, required, is open)."""
    case = load_case(CASE)
    given = _answered(case)
    found = fhir.coverage_requirements(OURS)
    options = RenderOptions(coverage_requirements=found, questionnaire=given)
    pdf = render(case, "checklist", options=options)
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    source = json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))
    title = source["title"]
    assert f"The payer's questionnaires {title}, version 1.0.0" in text
    assert "example.org/iop-payer/Questionnaire" not in text  # the title, not the address
    assert (
        f"When the order was written, {case.coverage.payer_name} was asked what it needs for "
        "this service. This is its answer" in text
    )
    assert "answered when asked, with the order" not in text
    attestation = source["item"][-1]["item"][0]
    assert attestation["required"] is True
    before_sending = text[text.index("Before sending") :]
    wording = " ".join(attestation["text"].split())
    assert (
        f"Have the clinician answer the payer's required question \u201c{wording}\u201d "
        f"({title}): it has no answer yet." in before_sending
    )
    # each open required question once, as many as the questionnaire page counts
    view = questionnaire_view(given)
    assert view.open_required == len(view.open_questions) >= 1
    for open_text in view.open_questions:
        assert f"“{' '.join(open_text.split())}”" in before_sending
    items = before_sending.count("Have the clinician answer the payer's required question")
    assert items == view.open_required
    # without the questionnaire the payer's address stands for it, and no question is listed
    alone = Session(case, None, RenderOptions(coverage_requirements=found), ()).html("checklist")
    assert "http://example.org/iop-payer/Questionnaire/iop-admission, version 1.0.0" in alone
    assert "required question" not in alone


def test_a_questionnaire_of_another_version_is_named_by_its_address() -> None:
    view = questionnaire_view(_answered(load_case(CASE)))
    other = CoverageRequirements(
        coverage=(),
        questionnaires=("http://example.org/iop-payer/Questionnaire/iop-admission|2.0.0",),
        cards=(),
    )
    assert payer_requirements(other, view).questionnaires == (
        "http://example.org/iop-payer/Questionnaire/iop-admission, version 2.0.0",
    )
    same = attrs.evolve(other, questionnaires=(other.questionnaires[0].split("|")[0],))
    assert payer_requirements(same, view).questionnaires == (view.title,)

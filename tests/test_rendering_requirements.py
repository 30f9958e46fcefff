"""The payer's documentation requirements (CRD) in the staff checklist (rendering/requirements.py).

Fixtures: the CRD guide's example answers in tests/data/crd (see PROVENANCE.md there) and our
IOP answer in examples/crd.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from hypothesis import given, settings
from markupsafe import escape

from iopauth import fhir
from iopauth.caseformat.serialize import load_case
from iopauth.errors import RenderError
from iopauth.fhir import CoverageInformation, CoverageRequirements
from iopauth.fhir._crd import CoverageReason
from iopauth.rendering import RenderOptions, render
from iopauth.rendering.requirements import payer_requirements
from iopauth.rendering.session import Session

from .strategies import payer_texts

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"
OURS = ROOT / "examples" / "crd" / "iop-coverage-answer.json"
CRD = Path(__file__).resolve().parent / "data" / "crd"


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

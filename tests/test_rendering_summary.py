"""The patient summary: the payer's answer, the 988 crisis line and the guardian's language
(iopauth.rendering.summary and templates/patient-summary.html.j2)."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

from iopauth.authorization import (
    Authorization,
    Decision,
    DecisionStatus,
    Review,
    ReviewType,
    add_request,
    apply_decision,
)
from iopauth.caseformat.serialize import load_case
from iopauth.errors import RenderError
from iopauth.model import Case, IdeationLevel, Instrument, MeasureAdministration
from iopauth.rendering import RenderOptions, render_html, summary_language
from iopauth.rendering.summary import crisis_line

from .casebuilder import build_case

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"
STEPDOWN = EXAMPLES / "medicare-stepdown-depression.json"
CONCURRENT = EXAMPLES / "medicaid-alcohol-depression-concurrent.json"
APPEAL = EXAMPLES / "commercial-adolescent-appeal.json"
MILD = EXAMPLES / "commercial-mild-adjustment.json"
ENGLISH = RenderOptions(language="en")
SPANISH = RenderOptions(language="es")
NOT_YET = ("They have not decided yet", "Todavía no han decidido")
CRISIS_EN = (
    "If you are in crisis or thinking about suicide, call or text 988, or chat at "
    "988lifeline.org. If you are in danger now, call 911."
)
CRISIS_ES = (
    "Si está en crisis o piensa en el suicidio, llame al 988 y marque 2, o envíe AYUDA por "
    "mensaje de texto al 988. Si corre peligro ahora, llame al 911."
)


def _text(markup: str) -> str:
    body = markup[markup.index("<body") :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _summary(case: Case, options: RenderOptions = ENGLISH, **payer: Any) -> str:
    return _text(render_html(case, "patient-summary", options=options, **payer))


def _decision(status: DecisionStatus, **fields: Any) -> Decision:
    return Decision(status=status, decided_on=date(2026, 6, 5), **fields)


# --- the payer's answer ------------------------------------------------------------------------


def test_an_approval_states_the_dates_amount_and_next_step_in_both_languages() -> None:
    """An approved decision: who approved, on which day, the dates, the program days and the
    approval number, and what happens when it ends; never "not decided yet"."""
    case = load_case(STEPDOWN)
    approved = _decision(
        DecisionStatus.APPROVED,
        authorization_number="CSA-1",
        authorized_units=20,
        authorized_start=date(2026, 6, 9),
        authorized_end=date(2026, 7, 6),
    )
    english = _summary(case, decision=approved)
    payer = case.coverage.payer_name
    assert f"{payer} approved this care on June 5, 2026." in english
    assert "Approved dates June 9, 2026 to July 6, 2026" in english
    assert "Approved amount 20 program days" in english
    assert "Approval number CSA-1" in english
    assert "This approval ends on July 6, 2026." in english
    spanish = _summary(case, SPANISH, decision=approved)
    assert f"{payer} aprobó esta atención el 5 de junio de 2026." in spanish
    assert "Fechas aprobadas Del 9 de junio de 2026 al 6 de julio de 2026" in spanish
    assert "Cantidad aprobada 20 días de programa" in spanish
    for text in (english, spanish):
        assert not any(words in text for words in NOT_YET)
        assert "We are asking" not in text
        assert "Le pedimos a" not in text


def test_a_partial_approval_says_part_and_what_happens_to_the_rest() -> None:
    case = load_case(STEPDOWN)
    partial = _decision(
        DecisionStatus.PARTIALLY_APPROVED,
        authorized_units=1,
        authorized_start=date(2026, 6, 9),
        authorized_end=date(2026, 6, 9),
    )
    english = _summary(case, decision=partial)
    assert "approved part of the care we asked for" in english
    assert "Approved amount 1 program day " in english
    assert "We will talk with you about the part they did not approve." in english
    spanish = _summary(case, SPANISH, decision=partial)
    assert "aprobó una parte de la atención que pedimos" in spanish
    assert "1 día de programa" in spanish
    assert not any(words in english + spanish for words in NOT_YET)


def test_a_denial_and_a_pended_request_are_reported_as_such() -> None:
    case = load_case(STEPDOWN)
    denied = _summary(case, decision=_decision(DecisionStatus.DENIED))
    assert "Your plan said no on June 5, 2026." in denied
    assert "We can ask them to look at it again. This is called an appeal." in denied
    assert "approved" not in denied.split("Who to call")[0].split("decided so far")[1]
    pended = _summary(case, decision=_decision(DecisionStatus.PENDED))
    assert "asked us for more information before they decide" in pended
    assert "We are asking" not in pended


def test_an_authorization_approved_with_a_request_for_more_pending() -> None:
    """The concurrent example with its approved May authorization and a continued-stay
    request sent: the approval is stated and the new request is said to be waiting."""
    case = load_case(CONCURRENT)
    auth = Authorization(
        case_id=case.case_id,
        payer_name=case.coverage.payer_name,
        plan_type=case.coverage.plan_type,
        level_of_care=case.plan.level,
        service_codes=(case.request.service_code,),
        authorization_number="BCC-2026-118840",
        reviews=(Review(kind=ReviewType.INITIAL, requested_on=date(2026, 4, 28)),),
    )
    auth = apply_decision(
        auth,
        Decision(
            status=DecisionStatus.APPROVED,
            decided_on=date(2026, 5, 1),
            authorized_units=16,
            authorized_start=date(2026, 5, 4),
            authorized_end=date(2026, 5, 31),
        ),
    )
    asked = add_request(auth, kind=ReviewType.CONCURRENT, requested_on=date(2026, 5, 27))
    text = _summary(case, authorization=asked)
    assert "approved this care on May 1, 2026." in text
    assert "Approved dates May 4, 2026 to May 31, 2026" in text
    assert "Approved amount 16 program days" in text
    assert "We are asking them to approve more care, from June 1, 2026 to June 28, 2026." in text
    # the case itself asks to continue past May 31: that request too is said to be waiting
    assert "We are asking them to approve more care, from June 1" in _summary(
        case, authorization=auth
    )
    # an approval that covers the request: the next step is the approval's end
    covering = Decision(
        status=DecisionStatus.APPROVED,
        authorized_start=date(2026, 6, 1),
        authorized_end=date(2026, 6, 28),
    )
    assert "This approval ends on June 28, 2026." in _summary(case, decision=covering)


def test_an_appeal_summary_follows_the_denial() -> None:
    text = _summary(load_case(APPEAL))
    assert "Your plan said no on April 15, 2026." in text
    assert "This is called an appeal. We will tell you when they answer." in text


def test_a_summary_decision_for_another_authorization_is_refused() -> None:
    case = load_case(CONCURRENT)
    other = _decision(DecisionStatus.APPROVED, authorization_number="SOMETHING-ELSE")
    with pytest.raises(RenderError, match=r"decision\.authorization_number"):
        render_html(case, "patient-summary", decision=other)


def test_a_case_that_does_not_meet_its_criteria_is_not_said_to_be_requested() -> None:
    """The mild example does not meet its criteria: its summary is a marked draft and says
    no request has been made; once the clinician makes the letter final, it says one is."""
    case = load_case(MILD)
    draft = render_html(case, "patient-summary", options=ENGLISH)
    text = _text(draft)
    assert "We are asking" not in text
    assert f"We have not asked {case.coverage.payer_name} to approve this care yet." in text
    assert "DRAFT" in draft
    spanish = _summary(case, SPANISH)
    assert "Le pedimos a" not in spanish
    assert "Todavía no le hemos pedido" in spanish
    final = render_html(case, "patient-summary", options=RenderOptions(language="en", final=True))
    assert f"We are asking {case.coverage.payer_name} to approve this care" in _text(final)
    assert "DRAFT" not in final


# --- 988 ---------------------------------------------------------------------------------------


def _no_risk_signal() -> Case:
    return build_case({"risk.suicidal_ideation": IdeationLevel.NONE})


def test_the_crisis_line_appears_only_with_a_recorded_risk_signal() -> None:
    quiet = _no_risk_signal()
    assert not crisis_line(quiet)
    assert "988" not in _summary(quiet)
    phq9 = MeasureAdministration(
        instrument=Instrument.PHQ9, administered_on=date(2026, 3, 16), items=(1,) * 8 + (1,)
    )
    phq9_zero = attrs.evolve(phq9, items=(2,) * 8 + (0,))
    cssrs = MeasureAdministration(
        instrument=Instrument.CSSRS_SCREENER,
        administered_on=date(2026, 3, 16),
        items=(1, 0, 0, 0, 0, 0, 0),
    )
    cssrs_none = attrs.evolve(cssrs, items=(0,) * 7)
    assert not crisis_line(attrs.evolve(quiet, measures=(phq9_zero, cssrs_none)))
    signals = [
        build_case({"risk.suicidal_ideation": IdeationLevel.PASSIVE}),
        build_case({"risk.suicidal_ideation": IdeationLevel.ACTIVE}),
        attrs.evolve(quiet, measures=(*quiet.measures, phq9)),
        attrs.evolve(quiet, measures=(*quiet.measures, cssrs)),
    ]
    for case in signals:
        english = _summary(case)
        spanish = _summary(case, SPANISH)
        assert CRISIS_EN in english
        assert "free and answers 24 hours a day, 7 days a week" in english
        assert CRISIS_ES in spanish
        for text in (english, spanish):
            assert "Press 3" not in text
            assert "press 3" not in text
            assert "marque 3" not in text


# --- the guardian ------------------------------------------------------------------------------


def _minor(guardian_language: str | None, patient_language: str | None = "en") -> Case:
    case = load_case(APPEAL)
    assert case.patient.guardian is not None
    guardian = attrs.evolve(case.patient.guardian, preferred_language=guardian_language)
    patient = attrs.evolve(case.patient, guardian=guardian, preferred_language=patient_language)
    return attrs.evolve(case, patient=patient)


def test_the_guardians_language_chooses_a_minors_summary_language() -> None:
    case = _minor("es")
    assert summary_language(case).tag == "es"
    text = _text(render_html(case, "patient-summary"))
    assert "Su programa ambulatorio intensivo" in text
    # the guardian's language gives way only to the caller's explicit choice
    assert "Your intensive outpatient program" in _summary(case, ENGLISH)
    # without a guardian language, the patient's own
    assert summary_language(_minor(None, "es")).tag == "es"
    assert summary_language(_minor(None, "en")).tag == "en"


def test_the_guardian_language_is_not_used_for_an_adult() -> None:
    case = _minor("es")
    adult = attrs.evolve(case, patient=attrs.evolve(case.patient, birth_date=date(1990, 1, 1)))
    assert summary_language(adult).tag == "en"


def test_the_spanish_summary_addresses_one_reader_as_usted() -> None:
    """One form of address throughout: usted; never ustedes, a plural command or a gendered
    "juntos" for a mother and her daughter."""
    case = _minor("es")
    text = _text(render_html(case, "patient-summary"))
    assert "Lucia Examplegirl: esta hoja también es para usted. Por favor, léala con" in text
    for plural in ("ustedes", "juntos", "juntas", "léanla", "Léanla", "lean ", "vengan"):
        assert plural not in text
    assert "usted" in text


def test_a_guardian_language_that_is_not_a_language_tag_is_refused() -> None:
    from iopauth.caseformat.serialize import dump_case
    from iopauth.errors import InvalidCaseError

    data = dump_case(load_case(APPEAL))
    data["patient"]["guardian"]["preferred_language"] = "Spanish please"
    with pytest.raises(InvalidCaseError, match=r"\$\.patient\.guardian\.preferred_language"):
        load_case(data)


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.json")),
    ids=lambda p: p.stem,
)
def test_no_two_sentences_run_together(path: Path) -> None:
    """A reviewer found "June 28, 2026.The next review" in the patient summary."""
    from iopauth.rendering import render_html

    page = render_html(load_case(path), "patient-summary")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert not re.search(r"[a-z0-9][.!?][A-Z][a-z]", text), path.name

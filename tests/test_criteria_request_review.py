"""The request itself (issue 21 §5): retrospective requests, intensity past the level, codes
and settings the payer or the diagnosis does not fit, a minor's guardian consent."""

from __future__ import annotations

from datetime import date, timedelta

from iopauth.criteria import Outcome, Status, determination_to_json, evaluate
from iopauth.model import DateRange, Diagnosis, LevelOfCare, PlanType, Setting

from .casebuilder import REQUEST, START, THERAPIST_NPI, build_case, weekly

# the base case asks on March 20 for a period that began on March 2: make it prospective
AHEAD = {"request.period": DateRange(start=REQUEST, end=REQUEST + timedelta(days=41))}


def test_request_dated_after_the_period_starts_is_a_retrospective_review() -> None:
    result = evaluate(build_case(), "iop-standard")
    retro = result.retrospective
    assert retro is not None
    assert (retro.first_service, retro.served_through) == (START, date(2026, 3, 19))
    assert retro.days_since_first_service == 18
    assert any(
        note.startswith(
            "Retrospective review: the request is dated March 20, 2026, after the requested "
            "period began on March 2, 2026; services from March 2, 2026 to March 19, 2026 were "
            "already provided, and the request comes 18 days after the first service."
        )
        for note in result.notes
    )
    assert any(
        item.startswith("State why prior authorization was not obtained")
        for item in result.action_items
    )
    # the outcome is the criteria's: a retrospective review is reported, not judged
    assert result.outcome is Outcome.MEETS
    data = determination_to_json(result)["retrospective"]
    assert data["first_service"] == "2026-03-02"
    assert data["served_through"] == "2026-03-19"


def test_sessions_attended_on_an_initial_request_are_retrospective() -> None:
    """Admitted before asking, with sessions attended: services began before the request."""
    result = evaluate(build_case(AHEAD), "iop-standard")
    retro = result.retrospective
    assert retro is not None
    assert retro.first_service == START
    assert retro.basis == (
        "7 sessions attended since admission on March 2, 2026 are already recorded on this "
        "initial request"
    )


def test_a_request_ahead_of_its_period_is_not_retrospective() -> None:
    prospective = {**AHEAD, "plan.start_date": REQUEST, "engagement.sessions_attended": 0}
    prospective["plan.signed_on"] = REQUEST
    prospective["plan.certified_on"] = REQUEST
    result = evaluate(build_case(prospective), "iop-standard")
    assert result.retrospective is None
    assert not any("Retrospective" in note for note in result.notes)


def test_medicare_hours_at_php_intensity_keep_the_outcome_and_recommend_php() -> None:
    """21 hours a week under medicare-iop: no cap, so the outcome stays; PHP is recommended."""
    result = evaluate(build_case(weekly(3, 7.0)), "medicare-iop")
    assert result.by_criterion()["mcr.poc_9h"].status is Status.MET
    assert result.outcome is evaluate(build_case(), "medicare-iop").outcome
    assert result.recommended_level is LevelOfCare.PHP
    assert result.recommendation_basis == ("mcr.poc_9h",)
    assert (
        "The plan gives 21 hours a week, the intensity of partial hospitalization (20 hours a "
        "week or more). No regulation caps intensive outpatient hours, so this does not change "
        "the outcome; consider whether partial hospitalization is the level to request."
    ) in result.notes
    below = evaluate(build_case(weekly(3, 6.0)), "medicare-iop")
    assert not any("partial hospitalization" in note for note in below.notes)


def test_s9480_to_traditional_medicare_is_pointed_out() -> None:
    medicare = evaluate(build_case(), "medicare-iop")
    assert any(note.startswith("The request names S9480") for note in medicare.notes)
    advantage = build_case({"coverage.plan_type": PlanType.MEDICARE_ADVANTAGE})
    assert not any("S9480" in note for note in evaluate(advantage, "medicare-iop").notes)


def test_an_otp_for_another_diagnosis_is_pointed_out() -> None:
    otp = build_case({"program.setting": Setting.OTP})
    assert any(
        note.endswith("for opioid use disorder only; the primary diagnosis is F33.1.")
        for note in evaluate(otp, "iop-standard").notes
    )
    opioid = build_case(
        {"program.setting": Setting.OTP, "diagnoses": (Diagnosis(code="F11.20", primary=True),)}
    )
    assert not any("opioid" in note for note in evaluate(opioid, "sud-iop").notes)


MINOR = {"patient.birth_date": date(2010, 5, 1), "level_of_care_ratings": ()}


def test_a_minor_needs_the_guardians_consent_recorded() -> None:
    result = evaluate(build_case(MINOR), "iop-standard")
    finding = result.by_criterion()["adm.guardian_consent"]
    assert finding.status is Status.UNKNOWN
    assert finding.reason == (
        "The patient is 15: the record does not yet show the parent's or guardian's consent "
        "to treatment."
    )
    assert "The parent's or guardian's signed consent to treatment" in (
        result.missing_documentation
    )
    refused = evaluate(
        build_case({**MINOR, "engagement.guardian_consent_signed": False}), "iop-standard"
    )
    finding = refused.by_criterion()["adm.guardian_consent"]
    assert finding.status is Status.NOT_MET
    # no domain source states the rule (state laws vary): it never decides alone
    assert not finding.verified
    assert refused.outcome is Outcome.INSUFFICIENT_INFORMATION
    signed = evaluate(
        build_case({**MINOR, "engagement.guardian_consent_signed": True}), "iop-standard"
    )
    assert signed.by_criterion()["adm.guardian_consent"].status is Status.MET
    adult = evaluate(build_case(), "iop-standard").by_criterion()["adm.guardian_consent"]
    assert adult.reason == "The patient is 40, an adult, and consents on their own behalf."


def test_who_certified_the_plan_is_checked_by_npi_and_role() -> None:
    """Medicare needs a physician's certification: the certifying NPI is matched to a
    clinician on the case, whose role must be a physician's."""
    therapist = evaluate(build_case({"plan.certified_by_npi": THERAPIST_NPI}), "medicare-iop")
    finding = therapist.by_criterion()["mcr.physician_cert"]
    assert finding.status is Status.NOT_MET
    assert finding.reason == (
        "The plan was certified on March 2, 2026 by a clinician on the case credentialed LCSW, "
        "who is not a physician; Medicare requires a physician's certification."
    )
    stranger = evaluate(build_case({"plan.certified_by_npi": "1234567893"}), "medicare-iop")
    finding = stranger.by_criterion()["mcr.physician_cert"]
    assert finding.status is Status.UNKNOWN
    assert finding.reason.startswith(
        "The certification of March 2, 2026 names an NPI that matches no clinician on the case"
    )
    physician = evaluate(build_case(), "medicare-iop").by_criterion()["mcr.physician_cert"]
    assert physician.status is Status.MET


def test_a_recertification_due_inside_the_period_is_pointed_out() -> None:
    """medicare-iop: certified on the request day, a 70-day period passes the 60-day
    recertification (42 CFR 424.24(d)(3)(ii)): a note with the due date and an action item; a
    period that ends before it, or another set, says nothing."""
    certified = {"plan.certified_on": REQUEST, "coverage.plan_type": PlanType.MEDICARE}
    long = {"request.period": DateRange(start=REQUEST, end=REQUEST + timedelta(days=70))}
    result = evaluate(build_case({**AHEAD, **certified, **long}), "medicare-iop")
    assert (
        "The requested period runs to May 29, 2026; the physician's recertification falls due "
        "by May 19, 2026, 60 days after the certification of March 20, 2026, inside the period."
    ) in result.notes
    scheduled = "Schedule the physician's recertification"
    assert any(a.startswith(scheduled) for a in result.action_items)
    short = evaluate(build_case({**AHEAD, **certified}), "medicare-iop")
    assert not any("falls due" in note for note in short.notes)
    other = evaluate(build_case({**AHEAD, **certified, **long}), "iop-standard")
    assert not any("falls due" in note for note in other.notes)

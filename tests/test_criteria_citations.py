"""Reasons a reviewer can quote (issue 21 §6): citations that fit the population, discharge
reasons that never claim a held document is missing, a "meets" that asks for nothing."""

from __future__ import annotations

import attrs

from iopauth.criteria import Outcome, Status, criteria_sets, evaluate, get_criteria

from .casebuilder import asam, build_case, weekly


def test_asam_is_cited_only_by_substance_use_criteria() -> None:
    for name in criteria_sets():
        for criterion in get_criteria(name).criteria:
            # withdrawal is a substance-use matter whatever the set (clinical-thresholds.md §3)
            if "ASAM" in criterion.citation and not criterion.id.startswith("wd."):
                assert name == "sud-iop", (name, criterion.id)


def test_mental_health_program_hours_cite_no_sud_standard_and_never_decide_alone() -> None:
    """iop-standard's hours: no ASAM Level 2.1 citation (clinical-thresholds.md §7), so the
    criterion is unverified; 6 hours a week for an adult asks for the hours, never denies."""
    criterion = next(
        c for c in get_criteria("iop-standard").criteria if c.id == "adm.program_intensity"
    )
    assert criterion.citation == ""
    assert not criterion.verified
    result = evaluate(build_case(weekly(3, 2.0)), "iop-standard")
    finding = result.by_criterion()["adm.program_intensity"]
    assert finding.status is Status.NOT_MET
    assert finding.reason.startswith("The plan schedules 6 hours a week;")
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION
    assert "adm.program_intensity" in result.unverified


def test_a_recorded_asam_level_cites_its_own_edition() -> None:
    third = evaluate(build_case(), "sud-iop").by_criterion()["sud.asam_level"]
    assert third.citation == (
        "The ASAM Criteria, 3rd ed., American Society of Addiction Medicine, 2013"
    )
    case = build_case({"level_of_care_ratings": (attrs.evolve(asam("2.1"), version="4"),)})
    fourth = evaluate(case, "sud-iop").by_criterion()["sud.asam_level"]
    assert fourth.citation.endswith("4th ed., American Society of Addiction Medicine, 2023")


def test_discharge_reason_names_only_what_is_missing() -> None:
    """A risk assessment is on the case, the medical section is not: the undecided "needs a
    higher level" item says only medical stability and withdrawal risk are missing; with no
    level-of-care rating recorded, none calls for a higher level (a reviewer's case: a
    discharge with every goal met was held open for a rating)."""
    result = evaluate(
        build_case({"level_of_care_ratings": (), "medical": None}), "iop-standard", "discharge"
    )
    finding = result.by_criterion()["dc.needs_higher_level"]
    assert finding.status is Status.UNKNOWN
    assert finding.reason == (
        "The risk assessment of March 2, 2026 records no imminent danger to self or others; "
        "the record does not yet state whether the patient is medically stable, or the "
        "withdrawal risk."
    )
    assert "does not yet hold a current risk assessment" not in finding.reason
    group = result.by_criterion()["dc.discharge"]
    assert "risk assessment" not in group.reason
    rated_nothing = evaluate(build_case({"level_of_care_ratings": ()}), "iop-standard", "discharge")
    assert rated_nothing.by_criterion()["dc.needs_higher_level"].status is Status.NOT_MET


def test_meets_lists_no_missing_documentation() -> None:
    """Discharge met by one item while another is undecided: "meets", nothing asked for."""
    case = build_case({"engagement.consent_signed": False, "medical": None})
    result = evaluate(case, "iop-standard", "discharge")
    assert result.outcome is Outcome.MEETS
    assert result.by_criterion()["dc.needs_higher_level"].status is Status.UNKNOWN
    assert result.missing_documentation == ()


def test_an_eating_disorder_citation_stays_off_other_populations() -> None:
    """The medical-instability finding cites SAHM 2022 only for an eating disorder (a reviewer
    found it on an adult alcohol-use letter)."""
    from iopauth.model import Diagnosis

    def cited(case: object, name: str) -> str:
        found = evaluate(case, name).by_criterion()["ex.medical_instability"]  # type: ignore[arg-type]
        return found.citation

    base = build_case()
    assert base.primary_diagnosis.code[:3] != "F50"
    anorexia = attrs.evolve(base, diagnoses=(Diagnosis(code="F50.010", primary=True),))
    for name in ("iop-standard", "php-standard", "sud-iop"):
        assert cited(base, name) == "", name
    assert cited(anorexia, "iop-standard").startswith("Society for Adolescent Health")


def test_change_sources_are_cited_only_for_recorded_instruments() -> None:
    """A reviewer found the GAD-7 change source cited on a case with no GAD-7."""
    from iopauth.model import Instrument

    case = build_case()
    assert any(m.instrument is Instrument.PHQ9 for m in case.measures)
    phq9_only = attrs.evolve(
        case, measures=tuple(m for m in case.measures if m.instrument is Instrument.PHQ9)
    )
    cited = evaluate(phq9_only, "iop-standard", "continued").by_criterion()
    citation = cited["cs.progress_or_plan_change"].citation
    assert "(PHQ-9 change)" in citation
    assert "GAD-7" not in citation

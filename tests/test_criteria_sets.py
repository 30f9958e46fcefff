"""Shipped criteria sets: every criterion met, not met and unknown; loading and overlays."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from iopauth.criteria import (
    CriteriaSet,
    Criterion,
    CriterionKind,
    Review,
    Status,
    criteria_sets,
    evaluate,
    get_criteria,
    load_criteria,
)
from iopauth.errors import CriteriaSetError, InvalidCaseError
from iopauth.model import (
    Diagnosis,
    EpisodeOutcome,
    FunctionalDomain,
    FunctionalImpairment,
    Goal,
    GoalStatus,
    Instrument,
    LabResult,
    LevelOfCare,
    MeasureAdministration,
    Schedule,
    Severity,
    Vitals,
    WithdrawalHistory,
    WithdrawalRisk,
)

from .casebuilder import (
    START,
    THERAPIST_NPI,
    asam,
    build_case,
    episode,
    locus,
    unchecked,
    weekly,
)

_NOT_BEHAVIORAL = {"diagnoses": (Diagnosis(code="Z63.0", primary=True),)}
_NO_DIAGNOSES = {"diagnoses": ()}
# four hours a week: the base case's twelve hours of services go too, or the case is invalid
_FEW_HOURS = {"plan.schedule": Schedule(days_per_week=2, hours_per_day=2.0), "plan.services": ()}
_NO_HOURS = {"plan.schedule": Schedule(days_per_week=3)}
_PHP_HOURS = weekly(5, 5.0)
_STALLED_GOAL = (
    Goal(
        description="Mood",
        measure="PHQ-9 below 10",
        target_date=date(2026, 4, 27),
        status=GoalStatus.IN_PROGRESS,
    ),
)
_UNMEASURABLE_GOAL = (Goal(description="Feel better", measure=" ", target_date=date(2026, 4, 27)),)
_NO_IMPROVEMENT = (
    MeasureAdministration(instrument=Instrument.PHQ9, administered_on=START, total=20),
    MeasureAdministration(instrument=Instrument.PHQ9, administered_on=date(2026, 3, 16), total=19),
)
_ALL_MET = (
    Goal(
        description="Mood",
        measure="PHQ-9 below 10",
        target_date=date(2026, 4, 27),
        status=GoalStatus.MET,
    ),
)

_LATEST = date(2026, 5, 15)  # day 74: past the 60-day recertification
_MINIMAL_NOW = {
    "measures": (
        MeasureAdministration(instrument=Instrument.PHQ9, administered_on=START, total=20),
        MeasureAdministration(
            instrument=Instrument.PHQ9, administered_on=date(2026, 3, 16), total=4
        ),
    ),
    "functioning": (FunctionalImpairment(domain=FunctionalDomain.WORK, severity=Severity.MILD),),
}
_ITEM9_ONE = (
    MeasureAdministration(
        instrument=Instrument.PHQ9,
        administered_on=date(2026, 3, 16),
        items=(2, 2, 1, 1, 1, 1, 1, 1, 1),
    ),
)
_ITEM9_ZERO = (
    MeasureAdministration(
        instrument=Instrument.PHQ9,
        administered_on=date(2026, 3, 16),
        items=(2, 2, 1, 1, 1, 1, 1, 1, 0),
    ),
)

# criterion id -> status -> overrides of the base case (tests/casebuilder.py). Exclusions are
# applies / does not apply / unknown. Shared ids have the same rule in every set that uses them.
CASES: dict[str, dict[Status, dict[str, Any]]] = {
    "adm.diagnosis": {
        Status.MET: {},
        Status.NOT_MET: _NOT_BEHAVIORAL,
        Status.UNKNOWN: _NO_DIAGNOSES,
    },
    "adm.impairment": {
        Status.MET: {},
        Status.NOT_MET: {
            "presentation.outpatient_insufficient": False,
            "history": (episode(LevelOfCare.OUTPATIENT, EpisodeOutcome.COMPLETED),),
        },
        Status.UNKNOWN: {"presentation.outpatient_insufficient": None, "history": ()},
    },
    "adm.can_engage": {
        Status.MET: {},
        Status.NOT_MET: {"engagement.willing": False},
        Status.UNKNOWN: {"engagement": None},
    },
    # a minor (no LOCUS rating: it is for adults) with and without the guardian's consent
    "adm.guardian_consent": {
        Status.MET: {},
        Status.NOT_MET: {
            "patient.birth_date": date(2010, 5, 1),
            "level_of_care_ratings": (),
            "engagement.guardian_consent_signed": False,
        },
        Status.UNKNOWN: {"patient.birth_date": date(2010, 5, 1), "level_of_care_ratings": ()},
    },
    "adm.support_safe_home": {
        Status.MET: {},
        Status.NOT_MET: {"psychosocial.safe_environment": False},
        Status.UNKNOWN: {"psychosocial": None},
    },
    "adm.expect_improvement": {
        Status.MET: {},
        Status.NOT_MET: {"engagement.expected_to_improve": False},
        Status.UNKNOWN: {"engagement.expected_to_improve": None},
    },
    "adm.program_intensity": {
        Status.MET: {},
        Status.NOT_MET: _FEW_HOURS,
        Status.UNKNOWN: _NO_HOURS,
    },
    "ex.imminent_danger": {
        Status.APPLIES: {"risk.imminent_danger": True},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"risk": None},
    },
    "ex.medical_instability": {
        Status.APPLIES: {"medical.medically_stable": False},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"medical": None},
    },
    "ex.withdrawal_monitoring": {
        Status.APPLIES: {"medical.withdrawal_risk": WithdrawalRisk.HIGH},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"medical.withdrawal_risk": None},
    },
    "ex.custodial_social": {
        Status.APPLIES: {"presentation.primarily_social_or_custodial": True},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"presentation.primarily_social_or_custodial": None},
    },
    "ex.lower_level_suffices": {
        Status.APPLIES: {"presentation.outpatient_insufficient": False},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"presentation.outpatient_insufficient": None},
    },
    "ex.cannot_benefit": {
        Status.APPLIES: {"medical.condition_prevents_benefit": True},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"medical.condition_prevents_benefit": None},
    },
    "cs.still_meets_severity": {
        Status.MET: {},
        Status.NOT_MET: {
            "presentation.outpatient_insufficient": False,
            "level_of_care_ratings": (locus("2"),),
            **_MINIMAL_NOW,
        },
        Status.UNKNOWN: {"presentation": None, "level_of_care_ratings": ()},
    },
    "cs.family_and_meds": {
        Status.MET: {},
        Status.UNKNOWN: {"psychosocial.family_involved": False},
    },
    "adm.level_fit": {
        Status.MET: {},
        Status.NOT_MET: {"level_of_care_ratings": (locus("4"),)},
        Status.UNKNOWN: {"level_of_care_ratings": (asam("3.1"),)},
    },
    "safety.followup": {
        Status.MET: {"measures": _ITEM9_ZERO},
        Status.UNKNOWN: {"measures": _ITEM9_ONE, "risk.assessed_on": START},
    },
    "adm.baseline_measure": {
        Status.MET: {},
        Status.UNKNOWN: {"measures": ()},
    },
    "mcr.severe_interference": {
        Status.MET: {},
        Status.NOT_MET: {"functioning": _MINIMAL_NOW["functioning"]},
        Status.UNKNOWN: {"functioning": ()},
    },
    "mcr.level_fit": {
        Status.MET: {},
        Status.NOT_MET: {"level_of_care_ratings": (locus("4"),)},
        Status.UNKNOWN: {"level_of_care_ratings": (asam("3.1"),)},
    },
    "php.level_fit": {
        Status.MET: {},
        Status.NOT_MET: {"level_of_care_ratings": (locus("6"),)},
        Status.UNKNOWN: {"level_of_care_ratings": (asam("3.1"),)},
    },
    "cs.active_individualized_tx": {
        Status.MET: {},
        Status.NOT_MET: {"plan.goals": _UNMEASURABLE_GOAL},
        Status.UNKNOWN: {"plan.goals": ()},
    },
    "cs.progress_or_plan_change": {
        Status.MET: {},
        Status.NOT_MET: {"plan.goals": _STALLED_GOAL, "measures": _NO_IMPROVEMENT},
        Status.UNKNOWN: {"plan.goals": _STALLED_GOAL, "measures": ()},
    },
    # medicare-iop's continued-stay response to treatment reads the same facts
    "mcr.response_to_treatment": {
        Status.MET: {},
        Status.NOT_MET: {"plan.goals": _STALLED_GOAL, "measures": _NO_IMPROVEMENT},
        Status.UNKNOWN: {"plan.goals": _STALLED_GOAL, "measures": ()},
    },
    "cs.attendance_engagement": {
        Status.MET: {},
        Status.NOT_MET: {"engagement.sessions_attended": 0},
        Status.UNKNOWN: {"engagement": None},
    },
    "cs.discharge_planning": {
        Status.MET: {},
        Status.NOT_MET: {"plan.discharge_plan": "  "},
        Status.UNKNOWN: {"plan.discharge_plan": None},
    },
    "cs.no_safe_lower_level": {
        Status.MET: {},
        Status.NOT_MET: {"presentation.outpatient_insufficient": False},
        Status.UNKNOWN: {"presentation.outpatient_insufficient": None},
    },
    "dc.discharge": {
        Status.MET: {"plan.goals": _ALL_MET},
        Status.NOT_MET: {},
        Status.UNKNOWN: {"risk": None},
    },
    "mcr.poc_9h": {
        Status.MET: {},
        Status.NOT_MET: {
            "plan.schedule": Schedule(days_per_week=2, hours_per_day=4.0),
            "plan.services": (),
        },
        Status.UNKNOWN: _NO_HOURS,
    },
    "mcr.physician_cert": {
        Status.MET: {},
        Status.NOT_MET: {"plan.certified_by_npi": THERAPIST_NPI},
        Status.UNKNOWN: {"plan.certified_on": None},
    },
    "mcr.written_plan": {
        Status.MET: {},
        Status.NOT_MET: {"plan.signed_on": date(2026, 4, 1)},
        Status.UNKNOWN: {"plan.signed_on": None},
    },
    "mcr.physician_care": {
        Status.MET: {},
        Status.NOT_MET: {"clinicians": build_case().clinicians[1:]},
        Status.UNKNOWN: {"clinicians": ()},
    },
    "mcr.diagnosis": {
        Status.MET: {},
        Status.NOT_MET: _NOT_BEHAVIORAL,
        Status.UNKNOWN: _NO_DIAGNOSES,
    },
    "mcr.diversionary": {
        Status.APPLIES: {"presentation.primarily_social_or_custodial": True},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"presentation": None},
    },
    "ed.medical_values": {
        Status.MET: {
            "medical.vitals": (Vitals(on=date(2026, 3, 1), heart_rate_bpm=72, bmi=21.5),),
            "medical.labs": (
                LabResult(on=date(2026, 3, 1), test="potassium", value=4.1, unit="mEq/L"),
            ),
        },
        Status.UNKNOWN: {},
    },
    "wd.withdrawal_management": {
        Status.APPLIES: {
            "medical.withdrawal": WithdrawalHistory(pawss=6),
            "measures": (
                MeasureAdministration(
                    instrument=Instrument.CIWA_AR, administered_on=date(2026, 3, 1), total=22
                ),
            ),
        },
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"level_of_care_ratings": ()},
    },
    # the same routes in the mental-health and Medicare sets, without a required ASAM rating:
    # no CIWA-Ar and no rating recorded does not apply; a severe score without its risk is open
    "wd.withdrawal_24h": {
        Status.APPLIES: {
            "medical.withdrawal": WithdrawalHistory(pawss=6),
            "measures": (
                MeasureAdministration(
                    instrument=Instrument.CIWA_AR, administered_on=date(2026, 3, 1), total=22
                ),
            ),
        },
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {
            "medical.withdrawal": WithdrawalHistory(pawss=2),
            "measures": (
                MeasureAdministration(
                    instrument=Instrument.CIWA_AR, administered_on=date(2026, 3, 1), total=22
                ),
            ),
        },
    },
    "ex.high_suicide_risk": {
        Status.APPLIES: {"risk.suicide_intent": True, "risk.suicide_plan": True},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"risk": None},
    },
    "mcr.recert_due": {
        Status.MET: {},
        Status.UNKNOWN: {"request.request_date": _LATEST},
    },
    "mcr.more_than_outpatient": {
        Status.MET: {},
        Status.NOT_MET: {"presentation.outpatient_insufficient": False},
        Status.UNKNOWN: {"presentation": None},
    },
    "mcr.can_participate": {
        Status.MET: {},
        Status.NOT_MET: {"engagement.able_to_participate": False},
        Status.UNKNOWN: {"engagement": None},
    },
    "mcr.needs_24h_care": {
        Status.APPLIES: {"risk.imminent_danger": True},
        Status.DOES_NOT_APPLY: {},
        Status.UNKNOWN: {"risk": None},
    },
    "mcr.support_system": {
        Status.MET: {},
        Status.NOT_MET: {"psychosocial.support_system": False},
        Status.UNKNOWN: {"psychosocial": None},
    },
    "mcr.likely_benefit": {
        Status.MET: {},
        Status.NOT_MET: {"engagement.expected_to_improve": False},
        Status.UNKNOWN: {"engagement": None},
    },
    "sud.diagnosis": {
        Status.MET: {},
        Status.NOT_MET: {"diagnoses": (Diagnosis(code="F33.1", primary=True),)},
        Status.UNKNOWN: _NO_DIAGNOSES,
    },
    "sud.asam_level": {
        Status.MET: {},
        Status.NOT_MET: {"level_of_care_ratings": (asam("1.0"),)},
        Status.UNKNOWN: {"level_of_care_ratings": ()},
    },
    "sud.program_intensity": {
        Status.MET: {},
        Status.NOT_MET: _FEW_HOURS,
        Status.UNKNOWN: _NO_HOURS,
    },
    "php.diagnosis": {
        Status.MET: {},
        Status.NOT_MET: _NOT_BEHAVIORAL,
        Status.UNKNOWN: _NO_DIAGNOSES,
    },
    "php.hours": {Status.MET: _PHP_HOURS, Status.NOT_MET: {}, Status.UNKNOWN: _NO_HOURS},
    "php.inpatient_alternative": {
        Status.MET: {"level_of_care_ratings": (locus("4"),)},
        Status.NOT_MET: {},
        Status.UNKNOWN: {"level_of_care_ratings": ()},
    },
    "php.physician_cert": {
        Status.MET: {},
        Status.NOT_MET: {"plan.certified_by_npi": THERAPIST_NPI},
        Status.UNKNOWN: {"plan.certified_on": None},
    },
    "php.individualized_plan": {
        Status.MET: {},
        Status.NOT_MET: {"plan.goals": _UNMEASURABLE_GOAL},
        Status.UNKNOWN: {"plan.goals": ()},
    },
    "php.can_participate": {
        Status.MET: {},
        Status.NOT_MET: {"engagement.able_to_participate": False},
        Status.UNKNOWN: {"engagement": None},
    },
}


# Findings only an invalid case reaches (no valid case lacks a diagnosis, its weekly hours or a
# clinician, or has a blank goal measure or discharge plan). evaluate refuses such a case; the
# table still checks the engine's handling of them, on a case marked as checked on purpose.
_ONLY_WITH_AN_INVALID_CASE = {
    ("adm.diagnosis", Status.UNKNOWN),
    ("mcr.diagnosis", Status.UNKNOWN),
    ("sud.diagnosis", Status.UNKNOWN),
    ("php.diagnosis", Status.UNKNOWN),
    ("adm.program_intensity", Status.UNKNOWN),
    ("mcr.poc_9h", Status.UNKNOWN),
    ("sud.program_intensity", Status.UNKNOWN),
    ("php.hours", Status.UNKNOWN),
    ("mcr.physician_care", Status.UNKNOWN),
    ("cs.active_individualized_tx", Status.NOT_MET),
    ("php.individualized_plan", Status.NOT_MET),
    ("cs.discharge_planning", Status.NOT_MET),
}


def _shipped() -> list[tuple[str, Criterion]]:
    return [(name, c) for name in criteria_sets() for c in get_criteria(name).criteria]


def _first_review(criterion: Criterion) -> Review:
    return next(r for r in Review if r in criterion.reviews)


def test_shipped_names() -> None:
    """The four shipped sets are listed by name."""
    assert set(criteria_sets()) >= {"medicare-iop", "iop-standard", "sud-iop", "php-standard"}


_REQUIRED_STATUSES = {Status.MET, Status.NOT_MET, Status.UNKNOWN}
_EXCLUSION_STATUSES = {Status.APPLIES, Status.DOES_NOT_APPLY, Status.UNKNOWN}


def _statuses(criterion: Criterion) -> set[Status]:
    exclusion = criterion.kind is CriterionKind.EXCLUSION
    return _EXCLUSION_STATUSES if exclusion else _REQUIRED_STATUSES


# Met or unknown only, by design: what the case cannot record (a clinician's "not indicated",
# a follow-up that did not happen, a score not taken) is asked for, never held against it.
_NEVER_AGAINST = frozenset(
    {
        "cs.family_and_meds",
        "safety.followup",
        "adm.baseline_measure",
        "mcr.recert_due",
        "ed.medical_values",
    }
)


def test_every_shipped_criterion_has_three_cases() -> None:
    """The table covers every shipped criterion with its kind's three statuses."""
    for _, criterion in _shipped():
        expected = _statuses(criterion)
        if criterion.id in _NEVER_AGAINST:
            expected = expected - {Status.NOT_MET}
        assert set(CASES.get(criterion.id, {})) == expected, criterion.id


def _status_cases() -> list[tuple[str, Criterion, Status]]:
    return [(n, c, s) for n, c in _shipped() for s in sorted(CASES.get(c.id, {}))]


@pytest.mark.parametrize(
    ("set_name", "criterion", "status"), _status_cases(), ids=lambda v: getattr(v, "id", v)
)
def test_criterion_status(set_name: str, criterion: Criterion, status: Status) -> None:
    """Each shipped criterion reaches met, not met and unknown on its table case."""
    case = build_case(CASES[criterion.id][status])
    if (criterion.id, status) in _ONLY_WITH_AN_INVALID_CASE:
        with pytest.raises(InvalidCaseError):
            evaluate(case, set_name, _first_review(criterion))
        case = unchecked(case)
    result = evaluate(case, set_name, _first_review(criterion))
    finding = result.by_criterion()[criterion.id]
    assert finding.status is status, finding.reason
    assert finding.reason
    against = status in (Status.NOT_MET, Status.APPLIES)
    if status is Status.UNKNOWN or (against and not criterion.verified):
        # an unverified finding against the case asks for the document instead of deciding
        assert finding.documentation
        assert set(finding.documentation) <= set(result.missing_documentation)
    else:
        assert finding.documentation == ()


@pytest.mark.parametrize(("set_name", "criterion"), _shipped(), ids=lambda v: getattr(v, "id", v))
def test_shipped_criterion_metadata(set_name: str, criterion: Criterion) -> None:
    """Every shipped criterion has text, a review, documentation and a source citation."""
    assert criterion.text
    assert criterion.title
    assert criterion.reviews
    assert criterion.documentation
    assert "http" in criterion.source or ".md" in criterion.source
    for member in criterion.members:
        assert member.documentation
        assert member.rule is not None


def test_unverified_criteria_say_so() -> None:
    """A finding resting on an unverified source is marked, and the table says so."""
    from iopauth.criteria import format_table

    medicare = get_criteria("medicare-iop")
    unverified = [c.id for c in medicare.criteria if not c.verified]
    assert "mcr.physician_cert" in unverified
    determination = evaluate(build_case(), medicare)
    assert determination.by_criterion()["mcr.physician_cert"].verified is False
    assert determination.by_criterion()["mcr.poc_9h"].verified is True
    assert "! source unverified" in format_table(determination)


def test_medicare_recert_params_are_data() -> None:
    """The 60-day recertification (42 CFR 424.24(d)(3)(ii)) and the optional day-30 review
    (0: off) are parameters an overlay can change."""
    params = get_criteria("medicare-iop").params
    assert params["first_recert_day"] == 0
    assert params["recert_interval_days"] == 60
    assert params["min_hours"] == 9


def test_get_criteria_caches_and_rejects_unknown() -> None:
    """Shipped sets compile once; an unknown name is a CriteriaSetError listing the sets."""
    assert get_criteria("iop-standard") is get_criteria("iop-standard")
    with pytest.raises(CriteriaSetError, match="iop-standard"):
        get_criteria("no-such-set")


# --- overlays and user sets -------------------------------------------------------------------

_MINIMAL = """
id = "my-set"
title = "My set"
version = "1"
level = "iop"

[params]
min_hours = 9

[[criteria]]
id = "my.hours"
title = "Hours"
reviews = ["initial"]
kind = "required"
text = "Enough hours."
source = "https://example.org/policy"
documentation = "The schedule"
rule = "plan.hours_per_week >= params.min_hours"
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_user_set(tmp_path: Path) -> None:
    """A user's TOML set loads and evaluate accepts it."""
    loaded = load_criteria(_write(tmp_path, "my.toml", _MINIMAL))
    assert isinstance(loaded, CriteriaSet)
    assert evaluate(build_case(), loaded).outcome == "meets"
    assert evaluate(build_case(), str(tmp_path / "my.toml")).outcome == "meets"


def test_overlay_changes_threshold(tmp_path: Path) -> None:
    """An overlay changes a threshold without rewriting the rule."""
    overlay = _write(
        tmp_path,
        "strict.toml",
        'extends = "medicare-iop"\nid = "strict"\n[params]\nmin_hours = 15\n',
    )
    strict = load_criteria(overlay)
    assert strict.id == "strict"
    assert strict.params["min_hours"] == 15
    finding = evaluate(build_case(), strict).by_criterion()["mcr.poc_9h"]
    assert finding.status is Status.NOT_MET
    assert "15" in finding.reason


def test_overlay_replaces_adds_and_removes(tmp_path: Path) -> None:
    """An overlay replaces a criterion by id, adds a new one and removes another."""
    text = """
extends = "iop-standard"
id = "payer-x"
title = "Payer X"
remove = ["ex.cannot_benefit"]

[[criteria]]
id = "adm.program_intensity"
title = "Payer X hours"
reviews = ["initial"]
kind = "required"
text = "At least 12 hours a week."
source = "https://payer.example/policy"
documentation = "The schedule"
rule = "plan.hours_per_week >= 12"

[[criteria]]
id = "payer_x.attendance"
title = "Attendance"
reviews = ["continued"]
text = "Attends at least 80% of sessions."
source = "https://payer.example/policy"
documentation = "Attendance record"
rule = "engagement.attendance_rate >= 0.8"
"""
    payer = load_criteria(_write(tmp_path, "x.toml", text))
    ids = [c.id for c in payer.criteria]
    assert "ex.cannot_benefit" not in ids
    assert ids[-1] == "payer_x.attendance"
    assert payer.title == "Payer X"
    replaced = next(c for c in payer.criteria if c.id == "adm.program_intensity")
    assert replaced.title == "Payer X hours"
    assert ids.count("adm.program_intensity") == 1
    continued = evaluate(build_case(), payer, "continued").by_criterion()
    assert continued["payer_x.attendance"].status is Status.MET


def test_overlay_extends_sibling_file(tmp_path: Path) -> None:
    """An overlay may extend a set file next to it."""
    _write(tmp_path, "base.toml", _MINIMAL)
    overlay = _write(
        tmp_path, "o.toml", 'extends = "base.toml"\nid = "o"\n[params]\nmin_hours = 13\n'
    )
    result = evaluate(build_case(), load_criteria(overlay))
    assert result.outcome == "does_not_meet"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id = ", "invalid TOML"),
        (_MINIMAL + "\nsurprise = 1\n", "unknown keys"),
        (_MINIMAL.replace("params.min_hours", "params.nope"), "unknown parameter 'nope'"),
        (_MINIMAL.replace("plan.hours_per_week", "plan.hours"), "unknown fact 'plan.hours'"),
        (_MINIMAL.replace('level = "iop"', 'level = "spa"'), "level must be one of"),
        (_MINIMAL.replace('kind = "required"', 'kind = "maybe"'), "kind must be"),
        (_MINIMAL.replace('reviews = ["initial"]', 'reviews = ["weekly"]'), "reviews"),
        (_MINIMAL.replace('source = "https://example.org/policy"\n', ""), "source"),
        (_MINIMAL + _MINIMAL[_MINIMAL.index("[[criteria]]") :], "duplicate criterion ids"),
        (
            _MINIMAL.replace('documentation = "The schedule"', 'not_met_reason = "{nope.x}"'),
            "unknown fact or parameter 'nope.x'",
        ),
        (_MINIMAL + "citation = 42\n", "citation must be a string"),
        (_MINIMAL + 'floor = "spa"\n', "floor is not a level of care"),
        (_MINIMAL + "itemize = true\n", "only an any_of group can itemize"),
        (_MINIMAL + "met_reason = [{ text = 1 }]\n", "reasons must be strings"),
        (_MINIMAL + 'met_reason = [{ when = "x" }]\n', "a reason variant has text"),
        (
            _MINIMAL + 'met_reason = [{ when = "plan.hours_per_week", text = "t" }]\n',
            "a rule must be true or false",
        ),
        (_MINIMAL + 'met_reason = "{plan.hours_per_week|miles}"\n', "unknown format 'miles'"),
    ],
)
def test_bad_sets_are_refused(tmp_path: Path, text: str, message: str) -> None:
    """A malformed set is a CriteriaSetError naming the set and the problem."""
    with pytest.raises(CriteriaSetError, match=message):
        load_criteria(_write(tmp_path, "bad.toml", text))


def test_bad_rule_names_set_criterion_and_column(tmp_path: Path) -> None:
    """A refused rule names the set, the criterion and the position in the rule."""
    bad = _MINIMAL.replace(
        "plan.hours_per_week >= params.min_hours", "plan.hours_per_week >= __import__('os')"
    )
    with pytest.raises(CriteriaSetError) as caught:
        load_criteria(_write(tmp_path, "bad.toml", bad))
    message = str(caught.value)
    assert "'my-set'" in message
    assert "'my.hours'" in message
    assert "column 24" in message


def test_overlay_cycle_and_unknown_remove(tmp_path: Path) -> None:
    """Overlays that extend themselves or remove unknown ids are refused."""
    cyclic = _write(tmp_path, "a.toml", 'extends = "a.toml"\nid = "a"\n')
    with pytest.raises(CriteriaSetError, match="cycle"):
        load_criteria(cyclic)
    remove = _write(tmp_path, "r.toml", 'extends = "iop-standard"\nid = "r"\nremove = ["x.y"]\n')
    with pytest.raises(CriteriaSetError, match=r"unknown 'x\.y'"):
        load_criteria(remove)


def test_missing_file_is_criteria_error(tmp_path: Path) -> None:
    """A set file that cannot be read is a CriteriaSetError, not an OSError."""
    with pytest.raises(CriteriaSetError, match="cannot read"):
        load_criteria(tmp_path / "absent.toml")


def test_reason_variants_pick_the_first_that_holds(tmp_path: Path) -> None:
    """A reason variant is used when its rule holds; the last one without a rule otherwise."""
    text = _MINIMAL + (
        "not_met_reason = [\n"
        '  { when = "plan.hours_per_week < 5", text = "Only {plan.hours_per_week|hours}." },\n'
        '  "{plan.hours_per_week|hours} of {params.min_hours|hours}.",\n'
        "]\n"
    )
    custom = load_criteria(_write(tmp_path, "v.toml", text))
    four = evaluate(build_case(weekly(2, 2.0)), custom).by_criterion()["my.hours"]
    assert four.reason == "Only 4 hours."
    six = evaluate(build_case(weekly(3, 2.0)), custom).by_criterion()["my.hours"]
    assert six.reason == "6 hours of 9 hours."


def test_any_of_needs_members(tmp_path: Path) -> None:
    """An any_of group without members, or a plain criterion with members, is refused."""
    text = _MINIMAL.replace('kind = "required"', 'kind = "any_of"')
    with pytest.raises(CriteriaSetError, match="any_of"):
        load_criteria(_write(tmp_path, "g.toml", text))


def test_kinds_in_shipped_sets() -> None:
    """Shipped sets use all three kinds, and any_of groups have members."""
    kinds = {c.kind for _, c in _shipped()}
    assert kinds == set(CriterionKind)
    for _, criterion in _shipped():
        assert (criterion.kind is CriterionKind.ANY_OF) == bool(criterion.members)


# Pages that only copy a policy, exam-preparation or marketing sites: never printed in a letter.
_SECONDARY = ("http", "www.", "scribd", "docslib", "icd.codes", "exam-prep", ".md", "[")


@pytest.mark.parametrize(("set_name", "criterion"), _shipped(), ids=lambda v: getattr(v, "id", v))
def test_citations_name_primary_authorities(set_name: str, criterion: Criterion) -> None:
    """A citation names a regulation, statute, code set or instrument paper, or is empty."""
    for secondary in _SECONDARY:
        assert secondary not in criterion.citation.lower(), (criterion.id, criterion.citation)
    if criterion.id.startswith("mcr."):
        assert criterion.citation  # every Medicare condition rests on a statute or regulation


def test_exclusion_ids_name_the_condition_that_excludes() -> None:
    """The renamed Medicare exclusions exist; the positive-sounding names are gone."""
    ids = {c.id for c in get_criteria("medicare-iop").criteria}
    assert {"mcr.needs_24h_care", "mcr.diversionary"} <= ids
    assert not ids & {"mcr.no_24h_care", "mcr.not_diversionary"}

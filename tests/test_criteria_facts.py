"""Facts derived from a case, and the facts table in docs/criteria.md."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings

from iopauth.criteria import FACTS, derive_facts, evaluate, load_criteria
from iopauth.criteria.facts import FACT_TYPES, groups_for
from iopauth.model import (
    Case,
    Diagnosis,
    EpisodeOutcome,
    Goal,
    GoalStatus,
    Instrument,
    LevelOfCare,
    MeasureAdministration,
    PlannedService,
    Schedule,
    Session,
    Weekday,
    WithdrawalRisk,
)

from .casebuilder import START, THERAPIST_NPI, asam, build_case, episode, locus
from .strategies import cases

DOC = Path(__file__).resolve().parent.parent / "docs" / "criteria.md"
_ROW = re.compile(r"^\| `([a-z0-9_.]+)` \| (\w+) \| (.+) \|$")


def _documented() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows[match[1]] = (match[2], match[3])
    return rows


def test_docs_list_every_fact_with_type_and_line() -> None:
    """docs/criteria.md lists exactly the registry's facts, with their types and lines."""
    expected = {f.name: (f.type, f.doc) for f in FACTS.values()}
    assert _documented() == expected


def test_registry_is_well_formed() -> None:
    """Every fact has a known type, a case path and one line of documentation."""
    for fact in FACTS.values():
        assert fact.type in FACT_TYPES
        assert fact.path.startswith("$.")
        assert fact.doc
        assert "\n" not in fact.doc


def test_worked_example_in_docs_loads(tmp_path: Path) -> None:
    """The overlay in the guide's worked example loads and evaluates."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)
    overlay = next(b for b in blocks if b.startswith('extends = "iop-standard"'))
    tomllib.loads(overlay)
    path = tmp_path / "payer-x-iop.toml"
    path.write_text(overlay, encoding="utf-8")
    payer = load_criteria(path)
    assert payer.params["min_hours_adult"] == 12
    assert evaluate(build_case(), payer, "continued").outcome == "meets"


def _derived_names(case: Case) -> set[str]:
    return set(derive_facts(case))


def test_every_group_derives_exactly_its_facts() -> None:
    """A full and a sparse case both derive every registered fact, no more, no less."""
    sparse = build_case(
        {
            "presentation": None,
            "risk": None,
            "medical": None,
            "psychosocial": None,
            "engagement": None,
            "measures": (),
            "history": (),
            "level_of_care_ratings": (),
            "functioning": (),
            "diagnoses": (),
            "clinicians": (),
        }
    )
    for case in (build_case(), sparse):
        assert _derived_names(case) == set(FACTS)
        for group in {f.group for f in FACTS.values()}:
            names = {n for n, f in FACTS.items() if f.group == group}
            assert set(derive_facts(case, groups=[group])) == names, group


def test_full_case_documents_its_facts() -> None:
    """On the fully documented base case only facts it truly lacks are unknown."""
    unmeasured = ("gad7", "phq2", "cssrs", "pcl5", "audit", "audit_c", "dast10")
    unknown = {
        n
        for n, v in derive_facts(build_case()).items()
        if v is None and n.split(".")[0] not in unmeasured
    }
    assert unknown == {
        "calocus.level",  # no CALOCUS rating
        "history.days_since_higher_level_discharge",  # only outpatient history
        "history.days_since_inpatient_discharge",
        "history.stepped_down_from",
        "measures.safety_flag",  # PHQ-9 recorded as totals, no screener
        "phq9.item9_positive",
        "plan.days_since_review",  # never reviewed
        "request.documents",  # none attached
        "phq9.item9",  # totals only: no item answers
        "safety.flagged",
        "safety.screen",
        "safety.screened_on",
        "rating.placement_reason",  # placed at the rated level: nothing to explain
        "asam.placement_reason",
        "engagement.guardian_consent",  # an adult: no guardian's consent to record
    }


def test_groups_limit_derivation() -> None:
    """Asking for some groups derives only those facts."""
    groups = groups_for(["plan.hours_per_week"])
    assert groups == ("schedule",)
    assert set(derive_facts(build_case(), groups=groups)) == {
        n for n, f in FACTS.items() if f.group == "schedule"
    }


def test_schedule_from_days_and_sessions() -> None:
    """Hours come from days x hours, or from the sessions with the shortest day."""
    facts = derive_facts(build_case())
    assert facts["plan.hours_per_week"] == 12.0
    assert facts["plan.days_per_week"] == 3
    assert facts["plan.min_hours_per_day"] == 4.0
    sessions = (
        Session(day=Weekday.MON, minutes=180),
        Session(day=Weekday.MON, minutes=60),
        Session(day=Weekday.WED, minutes=120),
    )
    facts = derive_facts(build_case({"plan.schedule": Schedule(sessions=sessions)}))
    assert facts["plan.hours_per_week"] == 6.0
    assert facts["plan.days_per_week"] == 2
    assert facts["plan.min_hours_per_day"] == 2.0
    unknown = derive_facts(build_case({"plan.schedule": Schedule(days_per_week=3)}))
    assert unknown["plan.hours_per_week"] is None
    assert unknown["plan.hours_per_day"] is None


def test_age_and_days_follow_as_of() -> None:
    """Age and day counts are computed on as_of (the request date by default)."""
    case = build_case()
    assert derive_facts(case)["patient.age"] == 40
    later = derive_facts(case, date(2026, 4, 1))
    assert later["plan.days_since_admission"] == 30
    assert later["plan.days_since_certification"] == 30
    assert derive_facts(case, date(2027, 2, 1))["patient.age"] == 41


def test_diagnosis_facts() -> None:
    """Diagnosis facts split F10-F19 (substance use) from other F codes (mental health)."""
    facts = derive_facts(build_case())
    assert facts["diagnoses.codes"] == ("F33.1", "F10.20")
    assert facts["diagnoses.primary_category"] == "mental_health"
    assert facts["diagnoses.co_occurring"] is True
    only_z = derive_facts(build_case({"diagnoses": (Diagnosis(code="Z63.0", primary=True),)}))
    assert only_z["diagnoses.behavioral"] is False
    assert only_z["diagnoses.primary_category"] == "other"
    assert derive_facts(build_case({"diagnoses": ()}))["diagnoses.behavioral"] is None


def test_certification_facts() -> None:
    """Certification needs a physician on the case and a date on or before as_of."""
    assert derive_facts(build_case())["plan.certified"] is True
    by_therapist = build_case({"plan.certified_by_npi": THERAPIST_NPI})
    assert derive_facts(by_therapist)["plan.certified"] is False
    stranger = build_case({"plan.certified_by_npi": "1234567893"})
    assert derive_facts(stranger)["plan.certified"] is None
    future = build_case({"plan.certified_on": date(2026, 5, 1)})
    assert derive_facts(future)["plan.certified"] is False
    assert derive_facts(build_case({"plan.certified_on": None}))["plan.certified"] is None


def test_goal_and_service_facts() -> None:
    """Goal and service facts are unknown when none is listed."""
    facts = derive_facts(build_case())
    assert facts["plan.has_measurable_goals"] is True
    assert facts["plan.goal_progress"] is True
    assert facts["plan.all_goals_met"] is False
    assert facts["plan.has_services"] is True
    bare = derive_facts(build_case({"plan.goals": (), "plan.services": ()}))
    assert bare["plan.has_measurable_goals"] is None
    assert bare["plan.goal_progress"] is None
    assert bare["plan.has_services"] is None
    revised = Goal(description="x", measure="y", target_date=START, status=GoalStatus.REVISED)
    assert derive_facts(build_case({"plan.goals": (revised,)}))["plan.revised"] is True
    idle = PlannedService(code="90853", sessions_per_week=0, minutes_per_session=60)
    assert derive_facts(build_case({"plan.services": (idle,)}))["plan.has_services"] is False


def test_history_facts() -> None:
    """History facts: failed outpatient care, discharge from a higher level, step-down."""
    facts = derive_facts(build_case())
    assert facts["history.failed_lower_level"] is True
    assert facts["history.days_since_inpatient_discharge"] is None
    stepped = build_case(
        {"history": (episode(LevelOfCare.INPATIENT, EpisodeOutcome.STEPPED_DOWN),)}
    )
    facts = derive_facts(stepped)
    assert facts["history.failed_lower_level"] is False
    assert facts["history.days_since_inpatient_discharge"] == 28
    assert facts["history.stepped_down"] is True
    assert facts["history.stepped_down_from"] == "inpatient"
    assert derive_facts(build_case({"history": ()}))["history.failed_lower_level"] is None


def test_rating_facts() -> None:
    """Recorded levels are used as recorded; the latest rating gives rating.level."""
    facts = derive_facts(build_case())
    assert facts["locus.level"] == "3"
    assert facts["asam.level"] == "2.1"
    assert facts["asam.mapped_level"] == "iop"
    assert facts["rating.level"] == "iop"
    assert facts["rating.below_iop"] is False
    lower = derive_facts(build_case({"level_of_care_ratings": (asam("2.1"), locus("2"))}))
    assert lower["rating.level"] == "outpatient"
    assert lower["rating.below_iop"] is True
    none = derive_facts(build_case({"level_of_care_ratings": ()}))
    assert none["rating.level"] is None
    assert none["rating.below_iop"] is False


def test_risk_and_medical_facts() -> None:
    """Risk and medical facts read the clinician's record; absent records are unknown."""
    facts = derive_facts(build_case({"medical.withdrawal_risk": WithdrawalRisk.HIGH}))
    assert facts["medical.withdrawal_needs_monitoring"] is True
    assert facts["risk.imminent_danger"] is False
    assert facts["risk.suicidal_ideation"] == "passive"
    empty = derive_facts(build_case({"risk": None, "medical": None}))
    assert empty["risk.imminent_danger"] is None
    assert empty["medical.withdrawal_needs_monitoring"] is None


def test_measure_facts() -> None:
    """Measure facts give the latest result and the change since baseline."""
    facts = derive_facts(build_case())
    assert facts["phq9.total"] == 12
    assert facts["phq9.severity"] == "moderate"
    assert facts["phq9.change"] == -8
    assert facts["phq9.improved"] is True
    assert facts["measures.improved"] is True
    assert facts["phq9.days_since"] == 4
    assert facts["gad7.total"] is None
    screener = MeasureAdministration(
        instrument=Instrument.CSSRS_SCREENER, administered_on=START, items=(1, 1, 1, 0, 0, 0, 0)
    )
    facts = derive_facts(build_case({"measures": (screener,)}))
    assert facts["cssrs.risk_level"] == "moderate"
    assert facts["measures.safety_flag"] is True
    assert facts["measures.improved"] is None


def test_engagement_facts() -> None:
    """Attendance rate is attended over scheduled, unknown without a schedule."""
    assert derive_facts(build_case())["engagement.attendance_rate"] == pytest.approx(7 / 8)
    no_schedule = build_case({"engagement.sessions_scheduled": None})
    assert derive_facts(no_schedule)["engagement.attendance_rate"] is None


@settings(max_examples=40, deadline=None)
@given(case=cases())
def test_facts_have_registered_types(case: Case) -> None:
    """On any valid case every fact is unknown or a value of its registered type."""
    checks = {
        "bool": lambda v: isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
        "strings": lambda v: isinstance(v, tuple) and all(isinstance(s, str) for s in v),
    }
    for name, value in derive_facts(case).items():
        assert value is None or checks[FACTS[name].type](value), name

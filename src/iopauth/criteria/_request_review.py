"""What a determination says about the record and the request beyond its criteria.

The criteria decide the outcome; this adds what a reviewer would also point out, without
changing the outcome:

* two recorded facts that disagree (criteria/_consistency.py): a note with both figures and
  an action item to reconcile them;
* a retrospective request (clinical-thresholds.md §5): the request is dated after its period
  starts, or attendance is already recorded in the period. A note, an action item, and
  :class:`~iopauth.criteria.result.RetrospectiveReview` for the letter;
* intensity past the level: a plan of ``php_min_hours`` (20) hours a week or more under a set
  with no hours cap (``medicare-iop``) is partial-hospitalization intensity (medicare-iop.md
  §3). No regulation caps intensive outpatient hours, so the outcome stays; the note says so
  and partial hospitalization becomes the recommended level to consider, with the hours
  finding as its basis;
* a recertification that falls due inside the requested period (sets with a
  ``recert_interval_days`` parameter: medicare-iop, 60 days): a note with the due date and an
  action item to schedule it;
* a service code the payer type does not pay: S9480 has Medicare status I, not payable by
  Medicare (codes.md §5), so an S9480 request to traditional Medicare is pointed out;
* a setting that does not fit the diagnosis: opioid treatment programs cover opioid use
  disorder only (medicare-iop.md §2), so an OTP request for another primary diagnosis is
  pointed out;
* citations that fit: a finding about a recorded ASAM level cites the edition of The ASAM
  Criteria that rating was made under (3rd, 2013, or 4th, 2023; level-of-care.md §3), not
  one edition for all; a citation marked "(eating disorders)" is left off when no diagnosis is
  an eating disorder (F50), and change sources marked per instrument ("(GAD-7 change)") are
  kept only for instruments the case records.
"""

from __future__ import annotations

import re
from datetime import timedelta

from attrs import evolve

from .._support.dates import long_date
from ..levels import asam_edition
from ..measures import SPECS
from ..model import Case, LevelOfCare, PlanType, RatingInstrument, RequestKind, Setting
from ._consistency import inconsistencies
from ._wording import number
from .result import Determination, RetrospectiveReview
from .sets import CriteriaSet

__all__ = ["annotate", "retrospective"]

# S9480: HCPCS temporary national code, Medicare status I (codes.md §5, [verified]).
_NOT_PAID_BY_MEDICARE = frozenset({"S9480"})
# Opioid treatment programs: IOP for opioid use disorder only (medicare-iop.md §2, [verified]).
_OTP_DIAGNOSIS_PREFIX = "F11"


def retrospective(case: Case) -> RetrospectiveReview | None:
    """The retrospective review ``case``'s request is, or ``None`` when it asks ahead of time.

    Retrospective when the request is dated after its period starts, or when the record
    already shows attendance: sessions attended on an initial request, since an admission
    before the request date.
    """
    request = case.request
    start, end = request.period.start, request.period.end
    day = request.request_date
    if day > start:
        through = day - timedelta(days=1)
        return RetrospectiveReview(
            first_service=start,
            served_through=through if end is None or through <= end else end,
            request_date=day,
            days_since_first_service=(day - start).days,
            basis=(
                f"the request is dated {long_date(day)}, after the requested period began "
                f"on {long_date(start)}"
            ),
        )
    # Attendance already recorded: on an initial request, sessions attended since an
    # admission before the request date mean services began before it was asked for. (A dated
    # attendance record in the period implies the period began before the request, above.)
    engagement = case.engagement
    admitted = case.plan.start_date
    if (
        request.kind is not RequestKind.INITIAL
        or engagement is None
        or not engagement.sessions_attended
        or admitted >= day
    ):
        return None
    return RetrospectiveReview(
        first_service=admitted,
        served_through=day - timedelta(days=1),
        request_date=day,
        days_since_first_service=(day - admitted).days,
        basis=(
            f"{engagement.sessions_attended} sessions attended since admission on "
            f"{long_date(admitted)} are already recorded on this initial request"
        ),
    )


def _retro_lines(retro: RetrospectiveReview) -> tuple[str, str]:
    served = (
        f"services from {long_date(retro.first_service)} to {long_date(retro.served_through)}"
        if retro.served_through is not None and retro.served_through >= retro.first_service
        else f"services from {long_date(retro.first_service)}"
    )
    note = (
        f"Retrospective review: {retro.basis}; {served} were already provided, and the "
        f"request comes {retro.days_since_first_service} days after the first service. Payers "
        "set their own windows for retrospective requests (for example 30, 45 or 90 days after "
        "the first service), and some allow none for Medicare Advantage: check this payer's."
    )
    action = (
        "State why prior authorization was not obtained, confirm the request is within the "
        f"payer's retrospective window, and attach notes for every date already served ({served})."
    )
    return note, action


def _php_intensity(
    case: Case, criteria_set: CriteriaSet, d: Determination
) -> tuple[str, Determination] | None:
    params = criteria_set.params
    php_hours = params.get("php_min_hours")
    if criteria_set.level is not LevelOfCare.IOP or php_hours is None or "max_hours" in params:
        return None
    plan = case.plan
    hours = plan.schedule.hours_per_week
    if plan.services:
        hours = min(hours, plan.services_hours_per_week)  # both figures must reach it
    if hours < php_hours:
        return None
    note = (
        f"The plan gives {number(hours)} hours a week, the intensity of partial "
        f"hospitalization ({number(php_hours)} hours a week or more). No regulation caps "
        "intensive outpatient hours, so this does not change the outcome; consider whether "
        "partial hospitalization is the level to request."
    )
    basis = tuple(f.criterion for f in d.findings if "hours" in f.criterion or "9h" in f.criterion)
    # only where nothing else points elsewhere: a need found for another level (outpatient
    # care is enough, imminent danger) is the findings' to say, not the schedule's
    if d.recommended_level not in (None, LevelOfCare.IOP) or not basis:
        return note, d
    return note, evolve(d, recommended_level=LevelOfCare.PHP, recommendation_basis=basis[:1])


def _recert_in_period(case: Case, criteria_set: CriteriaSet) -> tuple[str, str] | None:
    """A recertification that falls due inside the requested period (42 CFR
    424.24(d)(3)(ii), at least every ``recert_interval_days``; clinical-thresholds.md §8)."""
    interval = criteria_set.params.get("recert_interval_days")
    certified, end = case.plan.certified_on, case.request.period.end
    if not isinstance(interval, int) or certified is None or end is None:
        return None
    due = certified + timedelta(days=interval)
    if due >= end or due < case.request.period.start:
        return None
    note = (
        f"The requested period runs to {long_date(end)}; the physician's recertification "
        f"falls due by {long_date(due)}, {interval} days after the certification of "
        f"{long_date(certified)}, inside the period."
    )
    action = (
        f"Schedule the physician's recertification of the plan of care by {long_date(due)}, and "
        "send it with the next review."
    )
    return note, action


def _payer_and_setting(case: Case) -> list[str]:
    notes = []
    code = case.request.service_code.upper()
    if case.coverage.plan_type is PlanType.MEDICARE and code in _NOT_PAID_BY_MEDICARE:
        notes.append(
            f"The request names {code}, a code traditional Medicare does not pay (HCPCS "
            "status I); Medicare intensive outpatient claims carry condition code 92 with "
            "the program's revenue and HCPCS codes."
        )
    primary = next((d.code for d in case.diagnoses if d.primary), None)
    if (
        case.program.setting is Setting.OTP
        and primary is not None
        and not primary.startswith(_OTP_DIAGNOSIS_PREFIX)
    ):
        notes.append(
            f"The program is an opioid treatment program, which provides intensive outpatient "
            f"services for opioid use disorder only; the primary diagnosis is {primary}."
        )
    return notes


# The editions of The ASAM Criteria (level-of-care.md §3: 3rd 2013, 4th 2023).
_ASAM_EDITIONS = {
    3: "The ASAM Criteria, 3rd ed., American Society of Addiction Medicine, 2013",
    4: (
        "The ASAM Criteria: Treatment Criteria for Addictive, Substance-Related, and "
        "Co-Occurring Conditions, 4th ed., American Society of Addiction Medicine, 2023"
    ),
}


def _asam_citations(d: Determination, case: Case) -> Determination:
    """Findings about the recorded ASAM level cite the rating's own edition."""
    ratings = [r for r in case.level_of_care_ratings if r.instrument is RatingInstrument.ASAM]
    if not ratings:
        return d
    latest = max(ratings, key=lambda r: r.rated_on)
    edition = asam_edition(latest.version)
    wanted = _ASAM_EDITIONS.get(edition) if edition is not None else None
    if wanted is None:
        return d
    findings = tuple(
        evolve(f, citation=wanted)
        if f.citation.startswith("The ASAM Criteria")
        and f.citation != wanted
        and any(e.fact.startswith("asam.") for e in f.evidence)
        else f
        for f in d.findings
    )
    return d if findings == d.findings else evolve(d, findings=findings)


# A citation written for one population, marked so in the set: "(eating disorders)".
_EATING_DISORDER_CITATION = "(eating disorders)"


def _population_citations(d: Determination, case: Case) -> Determination:
    """A citation for eating disorders is left off a finding when no diagnosis is one (F50):
    an adult with alcohol use is not judged on an adolescent eating-disorder source."""
    if any(dx.code.upper().startswith("F50") for dx in case.diagnoses):
        return d
    findings = tuple(
        evolve(f, citation="") if f.citation.endswith(_EATING_DISORDER_CITATION) else f
        for f in d.findings
    )
    return d if findings == d.findings else evolve(d, findings=findings)


_CHANGE_SOURCE = re.compile(r"\(([^()]+) change\)$")


def _instrument_citations(d: Determination, case: Case) -> Determination:
    """A citation listing change sources per instrument ("...(PHQ-9 change); ...(GAD-7
    change)") keeps only those of instruments the case records."""
    names = {SPECS[m.instrument].name for m in case.measures if m.instrument in SPECS}

    def kept(citation: str) -> str:
        parts = citation.split("; ")
        marked = [(p, _CHANGE_SOURCE.search(p)) for p in parts]
        if not all(m is not None for _, m in marked):
            return citation
        return "; ".join(p for p, m in marked if m is not None and m.group(1) in names)

    findings = tuple(evolve(f, citation=kept(f.citation)) for f in d.findings)
    return d if findings == d.findings else evolve(d, findings=findings)


def annotate(d: Determination, case: Case, criteria_set: CriteriaSet) -> Determination:
    """``d`` with the notes, action items and retrospective data described above."""
    d = _population_citations(_asam_citations(d, case), case)
    d = _instrument_citations(d, case)
    notes: list[str] = []
    actions: list[str] = []
    for item in inconsistencies(case):
        notes.append(item.note)
        actions.append(item.reconcile)
    retro = retrospective(case)
    if retro is not None:
        note, action = _retro_lines(retro)
        notes.append(note)
        actions.append(action)
    php = _php_intensity(case, criteria_set, d)
    if php is not None:
        notes.append(php[0])
        d = php[1]
    recert = _recert_in_period(case, criteria_set)
    if recert is not None:
        notes.append(recert[0])
        actions.append(recert[1])
    notes.extend(_payer_and_setting(case))
    if not notes and retro is None:
        return d
    return evolve(
        d,
        notes=d.notes + tuple(notes),
        action_items=d.action_items + tuple(actions),
        retrospective=retro,
    )

"""The template context: the case plus the facts derived for letters, nothing invented.

Every derived statement here comes from a documented field of the case. A field the case
leaves as ``None`` produces no statement at all, so a letter never claims an unknown finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from attrs import frozen
from markupsafe import Markup

from ..codes import ICD10CM_LAST_DAY, ICD10CM_VERSION
from ..criteria.result import CriterionKind, Determination, Finding, Status
from ..model import (
    Case,
    Clinician,
    EpisodeOutcome,
    IdeationLevel,
    Instrument,
    LevelOfCare,
    RequestKind,
    Severity,
    TreatmentEpisode,
    WithdrawalRisk,
)
from . import appeal
from .charts import Series, trend_chart
from .checklist import needed_documents
from .environment import long_date, short_date
from .labels import label, public_citation, service_label, status_label
from .letterhead import letterhead_view
from .options import RenderOptions

DOCUMENT_TITLES = {
    "request-letter": "Prior authorization request and letter of medical necessity",
    "checklist": "Prior authorization checklist",
    "concurrent-review": "Continued-stay review request",
    "appeal-letter": "Appeal of adverse determination",
    "fax-cover": "Fax cover sheet",
    "patient-summary": "Your intensive outpatient program",
    "packet": "Prior authorization fax packet",
}
_INSTRUMENT_ORDER = tuple(Instrument)


@frozen(kw_only=True)
class MeasureRow:
    """One instrument: baseline and latest administration, band and change."""

    instrument: Instrument
    name: str
    count: int
    baseline_date: date
    baseline_total: int | None
    baseline_band: str | None
    latest_date: date
    latest_total: int | None
    latest_band: str | None
    maximum: int
    change: int | None
    risk_level: str | None
    flags: tuple[str, ...]
    points: tuple[tuple[date, int], ...]


@frozen(kw_only=True)
class FindingView:
    """A finding ready to print."""

    criterion: str
    title: str
    kind: str
    status: str
    status_label: str
    tone: str
    reason: str
    source: str
    evidence: tuple[tuple[str, object], ...]
    documentation: tuple[str, ...]
    verified: bool


def finding_view(finding: Finding) -> FindingView:
    """A :class:`Finding` with its status worded for its kind."""
    return FindingView(
        criterion=finding.criterion,
        title=finding.title,
        kind=finding.kind.value,
        status=finding.status.value,
        status_label=status_label(finding.status, finding.kind),
        tone=_tone(finding),
        reason=finding.reason,
        source=public_citation(finding.source),
        evidence=tuple((e.fact, e.value) for e in finding.evidence),
        documentation=finding.documentation,
        verified=finding.verified,
    )


def _tone(finding: Finding) -> str:
    """``good`` when the finding supports the request, ``bad`` when it counts against it."""
    if finding.status is Status.UNKNOWN:
        return "unknown"
    supports = finding.status in (Status.MET, Status.DOES_NOT_APPLY)
    return "good" if supports else "bad"


def measure_rows(case: Case) -> tuple[MeasureRow, ...]:
    """Each instrument the case records, scored: first and latest totals with bands."""
    # imported here: only the documents that show measures pay for loading the scorer
    from ..measures import SPECS, series

    rows = []
    present = {m.instrument for m in case.measures}
    for instrument in _INSTRUMENT_ORDER:
        if instrument not in present:
            continue
        one = series(case.measures, instrument, sex=case.patient.sex)
        if one is None:
            continue
        base, last = one.baseline.result, one.latest.result
        rows.append(
            MeasureRow(
                instrument=instrument,
                name=SPECS[instrument].name,
                count=len(one.points),
                baseline_date=one.baseline.administered_on,
                baseline_total=base.total,
                baseline_band=base.severity,
                latest_date=one.latest.administered_on,
                latest_total=last.total,
                latest_band=last.severity,
                maximum=SPECS[instrument].total_max,
                change=one.change,
                risk_level=None if last.risk_level is None else last.risk_level.value,
                flags=last.flags,
                points=tuple(
                    (p.administered_on, p.result.total)
                    for p in one.points
                    if p.result.total is not None
                ),
            )
        )
    return tuple(rows)


def measure_chart(rows: Iterable[MeasureRow]) -> Markup | None:
    """The trend chart of every instrument with two or more scored administrations."""
    lines = [
        Series(name=row.name, points=row.points, maximum=row.maximum)
        for row in rows
        if len(row.points) >= 2
    ]
    return trend_chart(lines, "Measure totals over time, as a share of each maximum")


def _contact(case: Case) -> Clinician | None:
    return next((c for c in case.clinicians if c.contact), None) or next(
        iter(case.clinicians), None
    )


def _signer(case: Case) -> Clinician | None:
    return next((c for c in case.clinicians if c.is_physician), None) or _contact(case)


def risk_statements(case: Case) -> list[str]:
    """Documented risk facts in words; undocumented ones are left out, never assumed."""
    risk = case.risk
    out: list[str] = []
    if risk is None:
        return out
    if risk.suicidal_ideation is IdeationLevel.NONE:
        out.append("denies suicidal ideation")
    elif risk.suicidal_ideation is not None:
        out.append(f"{label(risk.suicidal_ideation)} suicidal ideation")
    for flag, yes, no in (
        (risk.suicide_plan, "has a suicide plan", "no suicide plan"),
        (risk.suicide_intent, "reports intent to act", "no intent to act"),
        (risk.self_harm_recent, "recent self-harm", "no recent self-harm"),
        (risk.safety_plan, "a safety plan is in place", "no safety plan yet"),
    ):
        if flag is not None:
            out.append(yes if flag else no)
    if risk.homicidal_ideation is IdeationLevel.NONE:
        out.append("denies homicidal ideation")
    elif risk.homicidal_ideation is not None:
        out.append(f"{label(risk.homicidal_ideation)} homicidal ideation")
    if risk.last_attempt_date is not None:
        out.append(f"last suicide attempt on {long_date(risk.last_attempt_date)}")
    if risk.imminent_danger is False:
        out.append(
            "the clinician judges that the patient is not an imminent danger to self or others"
        )
    elif risk.imminent_danger is True:
        out.append("the clinician judges that the patient is an imminent danger to self or others")
    return out


def why_not_lower(case: Case) -> list[str]:
    """Documented reasons a lower level of care is not enough."""
    out: list[str] = []
    if case.presentation is not None and case.presentation.outpatient_insufficient:
        out.append("The treating clinician assessed that routine outpatient care is not enough.")
    for episode in case.history:
        if (
            episode.level.rank < case.plan.level.rank
            and episode.outcome is EpisodeOutcome.INSUFFICIENT_RESPONSE
        ):
            out.append(
                f"Earlier {label(episode.level)} care ({_period(episode)}) ended with an "
                "insufficient response."
            )
    severe = [f for f in case.functioning if f.severity in (Severity.MODERATE, Severity.SEVERE)]
    if severe:
        areas = ", ".join(f"{label(f.domain)} ({label(f.severity)})" for f in severe)
        out.append(f"Functioning is impaired in: {areas}.")
    return out


def why_not_higher(case: Case) -> list[str]:
    """Documented reasons 24-hour or more intensive care is not needed."""
    out: list[str] = []
    if case.risk is not None and case.risk.imminent_danger is False:
        out.append(
            "The clinician judges that the patient is not an imminent danger to self or others."
        )
    if case.medical is not None:
        if case.medical.medically_stable:
            out.append("The patient is medically stable.")
        if case.medical.withdrawal_risk in (WithdrawalRisk.NONE, WithdrawalRisk.LOW):
            out.append(
                f"Withdrawal risk is {label(case.medical.withdrawal_risk)}; no medically "
                "monitored withdrawal management is needed."
            )
    social = case.psychosocial
    if social is not None:
        if social.safe_environment:
            out.append("The patient has a safe place to live between sessions.")
        if social.support_system:
            out.append("The patient has community or family support.")
    if case.risk is not None and case.risk.safety_plan:
        out.append("A safety plan is in place.")
    if case.engagement is not None and case.engagement.able_to_participate:
        out.append("The patient is able to take part in a structured outpatient program.")
    return out


def _period(episode: TreatmentEpisode) -> str:
    end = short_date(episode.period.end) if episode.period.end else "ongoing"
    return f"{short_date(episode.period.start)} to {end}"


def step_down_from(case: Case) -> TreatmentEpisode | None:
    """The latest earlier episode at a more intensive level than the plan's, if any."""
    higher = [
        e
        for e in case.history
        if e.level.rank > LevelOfCare.IOP.rank
        and e.level.rank > case.plan.level.rank
        and e.period.start <= case.plan.start_date
    ]
    return max(higher, key=lambda e: e.period.start, default=None)


def _findings(determination: Determination | None) -> tuple[FindingView, ...]:
    if determination is None:
        return ()
    return tuple(finding_view(f) for f in determination.findings)


def _unmet(
    case: Case, determination: Determination | None
) -> tuple[tuple[str, FindingView | None], ...]:
    """The criteria the payer named as unmet, each with our finding for it (if any)."""
    denial = case.request.denial
    if denial is None:
        return ()
    ours = {} if determination is None else determination.by_criterion()
    return tuple(
        (cid, finding_view(ours[cid]) if cid in ours else None) for cid in denial.unmet_criteria
    )


def build_context(
    case: Case,
    document: str,
    determination: Determination | None,
    options: RenderOptions,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a template may use (documented in docs/templates.md).

    Plain data only: strings, numbers, dates, tuples, dicts and iopauth's frozen records and
    views (the sandbox refuses attribute access on any other type).
    """
    doc_date = options.document_date or case.request.request_date
    plan, request = case.plan, case.request
    findings = _findings(determination)
    letterhead = letterhead_view(options.letterhead)
    context: dict[str, Any] = {
        "document": document,
        "title": DOCUMENT_TITLES.get(document, document.replace("-", " ").capitalize()),
        "date": doc_date,
        "lang": options.language,
        "paper": "A4" if options.paper.value == "a4" else "letter",
        "case": case,
        "patient": case.patient,
        "coverage": case.coverage,
        "program": case.program,
        "plan": plan,
        "request": request,
        "letterhead": letterhead,
        "logo_url": None if letterhead is None else letterhead.logo,
        "assets": {p.name: p.resolve().as_uri() for p in options.assets},
        "contact": _contact(case),
        "signer": _signer(case),
        "age": case.age,
        "primary_dx": case.primary_diagnosis,
        "secondary_dx": tuple(d for d in case.diagnoses if not d.primary),
        "service_label": service_label(request.service_code),
        "level_label": label(plan.level),
        "units": case.requested_units,
        "unit_label": label(request.unit_type),
        "weeks": request.weeks,
        "days_per_week": plan.schedule.days,
        "hours_per_week": plan.schedule.hours_per_week,
        "hours_per_day": (
            plan.schedule.hours_per_week / plan.schedule.days if plan.schedule.days else None
        ),
        "risk_statements": risk_statements(case),
        "why_not_lower": why_not_lower(case),
        "why_not_higher": why_not_higher(case),
        "step_down_from": step_down_from(case),
        "failed_lower": tuple(
            e
            for e in case.history
            if e.level.rank < plan.level.rank and e.outcome is EpisodeOutcome.INSUFFICIENT_RESPONSE
        ),
        "determination": determination,
        "findings": findings,
        "findings_met": tuple(f for f in findings if f.status == Status.MET.value),
        "findings_unknown": tuple(f for f in findings if f.status == Status.UNKNOWN.value),
        "exclusion_kind": CriterionKind.EXCLUSION.value,
        "documents_needed": needed_documents(case),
        "denial": request.denial,
        "unmet": _unmet(case, determination),
        "state_law": appeal.state_law_for(case, doc_date),
        "principles": appeal.PRINCIPLES,
        "wit_citation": appeal.WIT_CITATION,
        "wit_source": appeal.WIT_SOURCE,
        "cms_0057f": appeal.cms_0057f_applies(case, doc_date),
        "cms_0057f_source": appeal.CMS_0057F_SOURCE,
        "decision_time_frame": appeal.decision_time_frame(case, doc_date),
        "is_continuing": request.kind in (RequestKind.CONCURRENT, RequestKind.EXTENSION),
        "expedited": request.urgency.value == "expedited",
        "icd_version": ICD10CM_VERSION,
        # codes.md §2: the code set follows the date of service; ours ends on a fixed day
        "icd_outdated": request.period.end is not None and request.period.end > ICD10CM_LAST_DAY,
        "total_pages": None,
        "inline_style": True,
    }
    if document in ("request-letter", "concurrent-review", "appeal-letter", "packet"):
        context["measures"] = measure_rows(case)
    else:
        context["measures"] = ()
    context["chart"] = (
        measure_chart(context["measures"]) if document == "concurrent-review" else None
    )
    if extra:
        context.update(extra)
    return context

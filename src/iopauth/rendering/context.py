"""The template context: the case plus the facts derived for letters, nothing invented.

Every derived statement here comes from a documented field of the case. A field the case
leaves as ``None`` produces no statement at all, so a letter never claims an unknown finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
from markupsafe import Markup

from ..codes import ICD10CM_LAST_DAY, ICD10CM_VERSION
from ..criteria.result import CriterionKind, Determination, Finding, Status
from ..model import (
    Case,
    Clinician,
    EpisodeOutcome,
    LevelOfCare,
    RequestKind,
    Severity,
    TreatmentEpisode,
    WithdrawalRisk,
)
from . import appeal
from .basis import GENERAL_TOPICS, REASON_ECHO, finding_basis, sentences_for
from .charts import Series, trend_chart
from .checklist import needed_documents
from .clinical import (
    attendance_sentence,
    diagnosis_title,
    discharge_barriers,
    functioning_sentences,
    medication_changes,
    rating_name,
    risk_statements,
)
from .environment import short_date
from .labels import label, service_label, status_label
from .letterhead import letterhead_view
from .measure_rows import measure_rows
from .medical import medical_sentences, stable_without_concern, withdrawal_sentences
from .options import RenderOptions
from .payer import decision_view
from .requirements import payer_documents
from .review import letter_findings, shows_review
from .social import living_sentences
from .views import DraftItem, FindingView, MeasureRow, UnmetAnswer

DOCUMENT_TITLES = {
    "request-letter": "Prior authorization request and letter of medical necessity",
    "checklist": "Prior authorization checklist",
    "concurrent-review": "Continued-stay review request",
    "appeal-letter": "Appeal of adverse determination",
    "fax-cover": "Fax cover sheet",
    "patient-summary": "Your intensive outpatient program",
    "packet": "Prior authorization fax packet",
    "payer-questionnaire": "Payer questionnaire",
}
_SHOWS_MEASURES = frozenset(
    {"request-letter", "concurrent-review", "appeal-letter", "checklist", "original-request"}
)
# The age below which a patient has a parent or guardian the summary is addressed to as well.
_ADULT_AGE = 18


def finding_view(finding: Finding, case: Case, rows: tuple[MeasureRow, ...] = ()) -> FindingView:
    """A :class:`Finding` with its status worded for its kind and its basis in the record."""
    return FindingView(
        criterion=finding.criterion,
        title=finding.title,
        kind=finding.kind.value,
        status=finding.status.value,
        status_label=status_label(finding.status, finding.kind),
        tone=_tone(finding),
        reason=REASON_ECHO.sub("", finding.reason, count=1),
        basis=finding_basis(case, finding, rows),
        citation=_citation(finding),
        documentation=finding.documentation,
        verified=finding.verified,
    )


def _citation(finding: Finding) -> str:
    # ``source`` is where a maintainer verified the fact (often a web page): never printed.
    # A letter cites only a verified source: a criterion resting on an unverified one is
    # stated without a citation (the checklist flags it for the staff).
    return finding.citation if finding.verified else ""


def _tone(finding: Finding) -> str:
    """``good`` when the finding supports the request, ``bad`` when it counts against it."""
    if finding.status is Status.UNKNOWN:
        return "unknown"
    supports = finding.status in (Status.MET, Status.DOES_NOT_APPLY)
    return "good" if supports else "bad"


def draft_items(determination: Determination | None) -> tuple[DraftItem, ...]:
    """What keeps ``determination`` from ``meets``, in the staff's words."""
    if determination is None:
        return ()
    out = []
    for f in determination.findings:
        tone = _tone(f)
        if tone == "good":
            continue
        if tone == "unknown":
            state = "not documented"
            action = "; ".join(f.documentation)
        elif f.kind is CriterionKind.EXCLUSION:
            state, action = "exclusion applies", ""
        else:
            state, action = "not met", ""
        out.append(DraftItem(title=f.title, state=state, action=action))
    return tuple(out)


def measure_charts(rows: Iterable[MeasureRow]) -> tuple[tuple[MeasureRow, Markup], ...]:
    """A trend chart on its own score scale for each instrument scored two or more times."""
    charts = []
    for row in rows:
        if len(row.points) < 2:
            continue
        chart = trend_chart(
            Series(name=row.name, points=row.points, maximum=row.maximum, edges=row.band_edges),
            f"{row.name} totals over time, on its 0 to {row.maximum} scale",
        )
        if chart is not None:
            charts.append((row, chart))
    return tuple(charts)


def _contact(case: Case) -> Clinician | None:
    return next((c for c in case.clinicians if c.contact), None) or next(
        iter(case.clinicians), None
    )


def _signer(case: Case) -> Clinician | None:
    return next((c for c in case.clinicians if c.is_physician), None) or _contact(case)


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
        # never "medically stable" when a recorded value is past a threshold (medical.py)
        if stable_without_concern(case):
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


# The section a letter prints the discharge plan under; its criteria row names the section
# instead of printing the plan a second time.
_DISCHARGE_SECTION = {
    "request-letter": "\u201cDischarge plan\u201d above",
    "concurrent-review": "\u201cDischarge and relapse-prevention plan\u201d below",
}


def _findings(
    case: Case,
    determination: Determination | None,
    rows: tuple[MeasureRow, ...],
    document: str,
) -> tuple[FindingView, ...]:
    if determination is None:
        return ()
    views = tuple(finding_view(f, case, rows) for f in determination.findings)
    section = _DISCHARGE_SECTION.get(document)
    if section is None or not case.plan.discharge_plan:
        return views
    full = f"Discharge plan: {case.plan.discharge_plan}"
    short = f"A discharge plan is recorded, set out under {section}."
    return tuple(
        attrs.evolve(v, basis=tuple(short if b == full else b for b in v.basis)) for v in views
    )


def _unmet(
    case: Case, findings: tuple[FindingView, ...], rows: tuple[MeasureRow, ...]
) -> tuple[UnmetAnswer, ...]:
    """Each criterion the payer named as unmet, with the record's evidence on it."""
    denial = case.request.denial
    if denial is None:
        return ()
    ours = {f.criterion: f for f in findings}
    general = sentences_for(case, GENERAL_TOPICS, rows)
    out = []
    quoted: set[str] = set()
    for cid in denial.unmet_criteria:
        view = ours.get(cid)
        basis = view.basis if view is not None and view.basis else general
        # a fact quoted under an earlier criterion is referred to, not repeated
        fresh = tuple(b for b in basis if b not in quoted)
        if len(fresh) < len(basis):
            basis = (*fresh, "The evidence quoted under the criterion above applies here too.")
        quoted.update(fresh)
        title = view.title if view is not None else f"{cid} (as the decision names it)"
        out.append(UnmetAnswer(criterion=cid, title=title, finding=view, basis=basis))
    return tuple(out)


def _enclosure_pages(case: Case) -> int | None:
    """Pages of the documents to enclose, when the case gives each one's count (else None)."""
    counts = [d.pages for d in case.request.documents]
    if not counts or any(c is None for c in counts):
        return None
    return sum(c for c in counts if c is not None)


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
    continuing = request.kind in (RequestKind.CONCURRENT, RequestKind.EXTENSION)
    # a continued-stay document measures from the score at admission (measure_rows.py)
    since = plan.start_date if continuing else None
    rows = measure_rows(case, since) if document in _SHOWS_MEASURES else ()
    findings = _findings(case, determination, rows, document)
    state_law = appeal.state_law_for(case, doc_date)
    letterhead = letterhead_view(options.letterhead)
    context: dict[str, Any] = {
        "document": document,
        "title": DOCUMENT_TITLES.get(document, document.replace("-", " ").capitalize()),
        "date": doc_date,
        "lang": options.language or "en",  # render() passes the language actually written
        "paper": "A4" if options.paper.value == "a4" else "letter",
        "case": case,
        "patient": case.patient,
        "guardian": case.patient.guardian if case.age < _ADULT_AGE else None,
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
        # each code's title: the case's description, else the ICD-10-CM index's title
        "diagnosis_titles": {d.code: diagnosis_title(d) for d in case.diagnoses},
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
        # the "Medical status" section: dated values, thresholds, stability, withdrawal risk
        "medical_status": (*medical_sentences(case), *withdrawal_sentences(case)),
        "functioning_sentences": functioning_sentences(case),
        "living": living_sentences(case),
        "attendance": attendance_sentence(case),
        "ratings": tuple((rating_name(r), r) for r in case.level_of_care_ratings),
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
        # set below from the draft flag (review.py: what a letter claims)
        "findings_letter": (),
        "findings_left_out": (),
        "review_shown": False,
        "findings_met": tuple(f for f in findings if f.status == Status.MET.value),
        "findings_unknown": tuple(f for f in findings if f.status == Status.UNKNOWN.value),
        "exclusion_kind": CriterionKind.EXCLUSION.value,
        "documents_needed": needed_documents(case),
        "enclosures": tuple(d for d in needed_documents(case) if d.attached),
        "denial": request.denial,
        # the payer's records (iopauth.rendering.payer); a session passed them overrides these
        "authorized": None,
        "appealed": decision_view(case, None),
        "payer_reference": request.authorization_number
        or (request.denial.reference if request.denial else None),
        "unmet": _unmet(case, findings, rows),
        "state_law": state_law,
        "principles": appeal.principles_for(case, state_law),
        "wit_citation": appeal.WIT_CITATION,
        "cms_0057f": appeal.cms_0057f_applies(case, doc_date),
        "cms_0057f_citation": appeal.CMS_0057F_CITATION,
        "decision_time_frame": appeal.decision_time_frame(case, doc_date),
        "is_continuing": continuing,
        "expedited": request.urgency.value == "expedited",
        "icd_version": ICD10CM_VERSION,
        # codes.md §2: the code set follows the date of service; ours ends on a fixed day
        "icd_outdated": request.period.end is not None and request.period.end > ICD10CM_LAST_DAY,
        "barriers": discharge_barriers(case, rows),
        "medication_changes": medication_changes(case),
        "measures": rows,
        "charts": measure_charts(rows) if document == "concurrent-review" else (),
        "total_pages": None,
        # the pages staff add for the enclosures: their sum when every count is known
        "enclosure_pages": _enclosure_pages(case),
        "packet_first": None,
        "packet_total": None,
        "inline_style": True,
        "draft": False,
        "draft_items": (),
        "original_copy": False,
        "packet_parts": (),
        "form_title": "",
        # the payer's own documents (RenderOptions.questionnaire, .coverage_requirements)
        **payer_documents(document, options),
    }
    if extra:
        context.update(extra)
    draft = bool(context["draft"])
    context["findings_letter"], context["findings_left_out"] = letter_findings(findings, draft)
    context["review_shown"] = shows_review(determination, draft)
    return context

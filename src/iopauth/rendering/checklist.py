"""Which documents a payer needs for each kind of request, and what resolves each gap.

The list is the documentation checklist of domain/documents.md §2 (a synthesis of Superior,
Evernorth, Arizona Complete Health and the Virginia DMAS form), the continued-stay packet of §3
and the appeal of §4; the Medicare certification comes from medicare-iop.md §5 (42 CFR 424.24).
"""

from __future__ import annotations

from ..model import Case, DocumentKind, LevelOfCare, PlanType, RequestKind
from .labels import label
from .views import NeededDocument

# What to do when a document is missing, in the staff's terms.
_RESOLUTION: dict[DocumentKind, str] = {
    DocumentKind.PSYCHIATRIC_EVALUATION: (
        "Attach the psychiatric evaluation or comprehensive needs assessment."
    ),
    DocumentKind.PHYSICIAN_RECOMMENDATION: (
        "Ask the physician for a signed note recommending this level of care."
    ),
    DocumentKind.TREATMENT_PLAN: "Attach the signed treatment plan with measurable goals.",
    DocumentKind.MEASURE_SCORES: "Attach the scored measure forms (e.g. PHQ-9, GAD-7, C-SSRS).",
    DocumentKind.MEDICATION_LIST: "Attach the current medication list with doses and prescriber.",
    DocumentKind.RISK_ASSESSMENT: "Attach the clinician's risk and safety assessment.",
    DocumentKind.SAFETY_PLAN: "Attach the patient's safety plan.",
    DocumentKind.DISCHARGE_SUMMARY: (
        "Request the discharge summary from the prior program and attach it."
    ),
    DocumentKind.PROGRAM_SCHEDULE: (
        "Attach the program schedule showing days, hours per day and hours per week."
    ),
    DocumentKind.DISCHARGE_PLAN: "Document and attach the discharge or step-down plan.",
    DocumentKind.PAYER_FORM: (
        "Complete the payer's prior-authorization form if this payer requires one."
    ),
    DocumentKind.PHYSICIAN_CERTIFICATION: (
        "Have the physician sign the certification of the plan of care."
    ),
    DocumentKind.PROGRESS_NOTES: "Attach progress notes from the current authorization period.",
    DocumentKind.ATTENDANCE_RECORD: "Attach the attendance record for the current period.",
    DocumentKind.LEVEL_OF_CARE_ASSESSMENT: (
        "Attach the level-of-care assessment (LOCUS, CALOCUS-CASII or ASAM) if the payer "
        "requires one."
    ),
    DocumentKind.DENIAL_LETTER: "Attach the payer's denial letter.",
    DocumentKind.OTHER: "Attach the document.",
}

_INITIAL = (
    DocumentKind.PSYCHIATRIC_EVALUATION,
    DocumentKind.PHYSICIAN_RECOMMENDATION,
    DocumentKind.TREATMENT_PLAN,
    DocumentKind.MEASURE_SCORES,
    DocumentKind.MEDICATION_LIST,
    DocumentKind.RISK_ASSESSMENT,
    DocumentKind.SAFETY_PLAN,
    DocumentKind.PROGRAM_SCHEDULE,
    DocumentKind.DISCHARGE_PLAN,
)
_CONTINUED = (
    DocumentKind.TREATMENT_PLAN,
    DocumentKind.PROGRESS_NOTES,
    DocumentKind.ATTENDANCE_RECORD,
    DocumentKind.MEASURE_SCORES,
    DocumentKind.MEDICATION_LIST,
    DocumentKind.RISK_ASSESSMENT,
    DocumentKind.DISCHARGE_PLAN,
)


def needed_kinds(case: Case) -> tuple[tuple[DocumentKind, bool], ...]:
    """The documents this request needs, each with whether it is always required.

    ``False`` marks items a payer asks for only sometimes (its own form, a level-of-care
    tool): they are listed so staff can check, not counted as gaps.
    """
    kind = case.request.kind
    base = _CONTINUED if kind in (RequestKind.CONCURRENT, RequestKind.EXTENSION) else _INITIAL
    needed: list[tuple[DocumentKind, bool]] = [(k, True) for k in base]
    if any(e.level.rank > LevelOfCare.IOP.rank for e in case.history):
        needed.append((DocumentKind.DISCHARGE_SUMMARY, True))
    # Medicare Advantage applies Traditional Medicare's IOP criteria (42 CFR 422.101(b)(6)),
    # the physician's certification (42 CFR 424.24) among them
    if case.coverage.plan_type in (PlanType.MEDICARE, PlanType.MEDICARE_ADVANTAGE):
        needed.append((DocumentKind.PHYSICIAN_CERTIFICATION, True))
    if kind is RequestKind.APPEAL or case.request.denial is not None:
        needed.append((DocumentKind.DENIAL_LETTER, True))
    needed.append((DocumentKind.LEVEL_OF_CARE_ASSESSMENT, bool(case.level_of_care_ratings)))
    needed.append((DocumentKind.PAYER_FORM, False))
    return tuple(needed)


def stated_in_case(case: Case, kind: DocumentKind) -> bool:
    """True when the letters state this document's content from the case itself."""
    engagement = case.engagement
    stated = {
        DocumentKind.DISCHARGE_PLAN: bool(case.plan.discharge_plan or case.plan.step_down_level),
        DocumentKind.LEVEL_OF_CARE_ASSESSMENT: bool(case.level_of_care_ratings),
        DocumentKind.TREATMENT_PLAN: bool(case.plan.goals),
        DocumentKind.MEASURE_SCORES: bool(case.measures),
        DocumentKind.MEDICATION_LIST: bool(case.medications),
        DocumentKind.RISK_ASSESSMENT: case.risk is not None,
        DocumentKind.PROGRAM_SCHEDULE: case.plan.schedule.days > 0,
        DocumentKind.ATTENDANCE_RECORD: engagement is not None
        and engagement.sessions_scheduled is not None
        and engagement.sessions_attended is not None,
    }
    return stated.get(kind, False)


def needed_documents(case: Case) -> tuple[NeededDocument, ...]:
    """Every document the payer needs, marked attached or missing, with the fix for a gap."""
    on_hand = {d.kind: d for d in case.request.documents}
    rows = []
    for kind, required in needed_kinds(case):
        doc = on_hand.get(kind)
        rows.append(
            NeededDocument(
                kind=kind,
                label=label(kind),
                attached=doc is not None,
                stated=stated_in_case(case, kind),
                required=required,
                dated=doc.dated if doc else None,
                title=doc.title if doc else None,
                resolution=_RESOLUTION[kind],
                pages=doc.pages if doc else None,
            )
        )
    listed = {k for k, _ in needed_kinds(case)}
    for doc in case.request.documents:
        if doc.kind not in listed:
            listed.add(doc.kind)
            rows.append(
                NeededDocument(
                    kind=doc.kind,
                    label=label(doc.kind),
                    attached=True,
                    stated=stated_in_case(case, doc.kind),
                    required=False,
                    dated=doc.dated,
                    title=doc.title,
                    resolution="",
                    pages=doc.pages,
                )
            )
    return tuple(rows)

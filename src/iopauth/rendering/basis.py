"""Which of the case's clinical sentences bear on a criterion, by the facts its rule read.

A finding's evidence only *chooses* sentences here; its fact names and values are never printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ..criteria.result import Finding
from ..model import Case
from .clinical import (
    attendance_sentence,
    benefit_sentences,
    certification_sentences,
    diagnosis_sentences,
    discharge_sentences,
    engagement_sentences,
    failed_lower_sentences,
    functioning_sentences,
    goals_sentences,
    improvement_sentences,
    medication_sentences,
    physician_sentences,
    presentation_sentences,
    rating_sentences,
    risk_sentences,
    schedule_sentence,
    treatment_sentences,
)
from .measure_rows import measure_sentence
from .medical import (
    medical_sentences,
    values_sentences,
    withdrawal_risk_sentences,
    withdrawal_sentences,
)
from .social import psychosocial_sentences
from .views import MeasureRow

_TOPICS = {
    "diagnoses": diagnosis_sentences,
    "presentation": presentation_sentences,
    "treatment": treatment_sentences,
    "functioning": functioning_sentences,
    "history": failed_lower_sentences,
    "ratings": rating_sentences,
    "risk": risk_sentences,
    "medical": medical_sentences,
    "withdrawal": withdrawal_sentences,
    "withdrawal_risk": withdrawal_risk_sentences,
    "medical_values": values_sentences,
    "benefit": benefit_sentences,
    "psychosocial": psychosocial_sentences,
    "engagement": engagement_sentences,
    "improvement": improvement_sentences,
    "attendance": lambda case: [s for s in (attendance_sentence(case),) if s],
    "schedule": lambda case: [schedule_sentence(case)],
    "goals": goals_sentences,
    "discharge": discharge_sentences,
    "certification": certification_sentences,
    "physician": physician_sentences,
    "medications": medication_sentences,
}

# Which sentences bear on a criterion, by the facts its rule read: exact names first, then the
# part before the dot. Facts absent here (the patient's age and sex, the plan type, the
# program's setting, the request's kind, a set's parameters) add nothing: the request table
# states them already.
_FACT_TOPICS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "presentation.outpatient_insufficient": ("presentation", "measures", "functioning"),
        "presentation.primarily_social": ("treatment",),
        "medical.stable": ("medical",),
        # "the values are recorded": the values themselves, not what they mean
        "medical.has_vitals": ("medical_values",),
        "medical.has_weight": ("medical_values",),
        "medical.has_electrolytes": ("medical_values",),
        # the recorded risk level only: the PAWSS and the score belong to the criterion on them
        "medical.withdrawal_needs_monitoring": ("withdrawal_risk",),
        # the finding's own words: whether a parent's consent is needed turns on the set's
        # adult age, which no sentence of the case knows (the patient's own consent is not it)
        "engagement.guardian_consent": ("reason",),
        "medical.condition_prevents_benefit": ("benefit",),
        "engagement.sessions_attended": ("attendance",),
        "engagement.sessions_scheduled": ("attendance",),
        "engagement.expected_to_improve": ("improvement",),
        "plan.has_measurable_goals": ("goals",),
        "plan.goal_progress": ("goals",),
        "plan.all_goals_met": ("goals",),
        "plan.revised": ("goals",),
        "plan.discharge_plan": ("discharge",),
        "plan.step_down_level": ("discharge",),
        "plan.signed": ("certification",),
        "plan.certified": ("certification",),
        "diagnoses": ("diagnoses",),
        "history": ("history",),
        "rating": ("ratings",),
        "asam": ("ratings",),
        "measures": ("measures",),
        # a fact about one instrument quotes that instrument's scores only, not every measure
        "phq9": ("measure:phq9",),
        "phq2": ("measure:phq2",),
        "gad7": ("measure:gad7",),
        "pcl5": ("measure:pcl5",),
        "audit": ("measure:audit",),
        "audit_c": ("measure:audit_c",),
        "dast10": ("measure:dast10",),
        "cssrs": ("measure:cssrs_screener", "risk"),
        "safety": ("measure:phq9", "measure:phq2", "measure:cssrs_screener", "risk"),
        "locus": ("ratings",),
        "calocus": ("ratings",),
        "functioning": ("functioning",),
        "medical.withdrawal_risk": ("withdrawal_risk",),
        "presentation": ("presentation",),
        "medications": ("medications",),
        "risk": ("risk",),
        "psychosocial": ("psychosocial",),
        "engagement": ("engagement",),
        "plan": ("schedule",),
        "clinicians": ("physician",),
        # issue #21 §3-§4 fact groups (criteria/_progress_facts, _medical_facts, _withdrawal_facts)
        "plan.changed": ("goals",),
        "plan.changed_on": ("goals",),
        "progress": ("measures", "goals"),
        "corroboration": ("measures", "functioning", "history"),
        "review": ("certification",),
        "medical": ("medical",),
        "withdrawal": ("withdrawal", "measure:ciwa_ar", "measure:cows"),
        "ciwa_ar": ("measures",),
        "cows": ("measures",),
    }
)


def topics_for(facts: Iterable[str]) -> tuple[str, ...]:
    """The sentence topics that bear on a criterion whose rule read ``facts``, in order."""
    out: list[str] = []
    for fact in facts:
        topics = _FACT_TOPICS.get(fact) or _FACT_TOPICS.get(fact.split(".", 1)[0], ())
        out.extend(t for t in topics if t not in out)
    return tuple(out)


def sentences_for(
    case: Case, topics: Iterable[str], rows: Iterable[MeasureRow] = (), reason: str = ""
) -> tuple[str, ...]:
    """The case's sentences on ``topics``, each once; ``rows`` are its scored measures and
    ``reason`` the finding's own explanation (the ``reason`` topic: a criterion whose answer
    turns on the set's parameters, which no sentence of the case knows)."""
    out: list[str] = []
    for topic in topics:
        if topic == "reason":
            found = [reason] if reason else []
        elif topic == "measures":
            found = [measure_sentence(m) for m in rows]
        elif topic.startswith("measure:"):
            wanted = topic.split(":", 1)[1]
            found = [measure_sentence(m) for m in rows if m.instrument.value == wanted]
        else:
            found = _TOPICS[topic](case)
        for text in found:
            if text not in out:
                out.append(text)
    return tuple(out)


def finding_basis(case: Case, finding: Finding, rows: Iterable[MeasureRow] = ()) -> tuple[str, ...]:
    """What the record says on a finding's criterion, in clinical sentences."""
    topics = topics_for(e.fact for e in finding.evidence)
    return sentences_for(case, topics, tuple(rows), REASON_ECHO.sub("", finding.reason, count=1))


# A reason that opens by repeating its own status ("Met: …") beside a status column.
REASON_ECHO = re.compile(
    r"^(?:Met|Not met|Not documented(?: whether this applies)?|Applies)\s*:\s*"
)


#: The evidence an appeal quotes for a criterion the payer named that our set lacks, or on
#: which our record has nothing more specific: severity, function, course and level of care.
GENERAL_TOPICS = ("measures", "functioning", "attendance", "ratings", "history", "presentation")

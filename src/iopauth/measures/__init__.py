"""Standardized measures: scoring, LOINC codes and series over time. Re-exports only.

Scoring follows ``domain/measures.md``: PHQ-9, PHQ-2, GAD-7, the C-SSRS screener, PCL-5,
AUDIT, AUDIT-C and DAST-10; the withdrawal scales CIWA-Ar and COWS are banded from a recorded
total (``domain/clinical-thresholds.md`` §3; no LOINC code is given for them). Each function
takes item responses in instrument order or a recorded ``total=`` and returns a
:class:`MeasureResult`; bad input raises :class:`iopauth.errors.InvalidCaseError`.
:func:`problems` gives the same checks as data.
"""

from ._loinc import LOINC, InstrumentCodes, LoincCode, is_valid_loinc, loinc_check_digit
from ._result import (
    FLAG_FULL_PHQ9_ADVISED,
    FLAG_SAFETY,
    FLAG_SAFETY_FOLLOWUP,
    CssrsRisk,
    MeasureResult,
)
from ._scoring import (
    CssrsAnswers,
    CssrsTriage,
    ScoringConfig,
    audit,
    audit_c,
    ciwa_ar,
    cows,
    cssrs_screener,
    dast10,
    gad7,
    pcl5,
    phq2,
    phq9,
    score,
    usual_cssrs_triage,
)
from ._series import (
    ADMISSION_WINDOW,
    CHANGE_RULES,
    ChangeRule,
    MeasurePoint,
    MeasureSeries,
    admission_index,
    series,
)
from ._spec import (
    CIWA_AR_PAWS_BANDS,
    PCL5_ALTERNATIVE_CUTOFFS,
    PHQ2_ALTERNATIVE_CUTOFF,
    SPECS,
    AuditCCutoffs,
    Band,
    InstrumentSpec,
    bands,
)
from ._validate import problems

__all__ = [
    "ADMISSION_WINDOW",
    "CHANGE_RULES",
    "CIWA_AR_PAWS_BANDS",
    "FLAG_FULL_PHQ9_ADVISED",
    "FLAG_SAFETY",
    "FLAG_SAFETY_FOLLOWUP",
    "LOINC",
    "PCL5_ALTERNATIVE_CUTOFFS",
    "PHQ2_ALTERNATIVE_CUTOFF",
    "SPECS",
    "AuditCCutoffs",
    "Band",
    "ChangeRule",
    "CssrsAnswers",
    "CssrsRisk",
    "CssrsTriage",
    "InstrumentCodes",
    "InstrumentSpec",
    "LoincCode",
    "MeasurePoint",
    "MeasureResult",
    "MeasureSeries",
    "ScoringConfig",
    "admission_index",
    "audit",
    "audit_c",
    "bands",
    "ciwa_ar",
    "cows",
    "cssrs_screener",
    "dast10",
    "gad7",
    "is_valid_loinc",
    "loinc_check_digit",
    "pcl5",
    "phq2",
    "phq9",
    "problems",
    "score",
    "series",
    "usual_cssrs_triage",
]

"""Which shipped set and review fit a case when the caller names none."""

from __future__ import annotations

from ..codes import diagnosis_category
from ..model import Case, LevelOfCare, PlanType, RequestKind
from .result import Review

__all__ = ["default_criteria", "default_review"]

# ICD-10-CM F50: eating disorders (codes.md §4, chapter 5 block F50-F59).
_EATING_DISORDER = "F50"


def default_criteria(case: Case) -> str:
    """The shipped criteria set that fits ``case``.

    Traditional Medicare and Medicare Advantage get ``medicare-iop``: since 2024 a Medicare
    Advantage plan must apply Traditional Medicare's coverage criteria where they are fully
    established (42 CFR 422.101(b)(6); payer-criteria.md §7), and may add published internal
    criteria only on top (an overlay that ``extends = "medicare-iop"``). Otherwise a
    partial-hospitalization plan gets ``php-standard``; a substance-use primary diagnosis
    (ICD-10-CM F10–F19) ``sud-iop``; an eating-disorder primary diagnosis (F50) ``ed-iop``,
    iop-standard plus the dated medical values its stability rests on
    (clinical-thresholds.md §2); anything else ``iop-standard``.
    """
    if case.coverage.plan_type in (PlanType.MEDICARE, PlanType.MEDICARE_ADVANTAGE):
        return "medicare-iop"
    if case.plan.level is LevelOfCare.PHP:
        return "php-standard"
    if diagnosis_category(case.primary_diagnosis.code) == "substance_use":
        return "sud-iop"
    if case.primary_diagnosis.code.upper().startswith(_EATING_DISORDER):
        return "ed-iop"
    return "iop-standard"


def default_review(case: Case) -> Review:
    """``continued`` for a concurrent review or an extension, else ``initial``."""
    if case.request.kind in (RequestKind.CONCURRENT, RequestKind.EXTENSION):
        return Review.CONTINUED
    return Review.INITIAL

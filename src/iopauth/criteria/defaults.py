"""Which shipped set and review fit a case when the caller names none."""

from __future__ import annotations

from ..codes import diagnosis_category
from ..model import Case, LevelOfCare, PlanType, RequestKind
from .result import Review

__all__ = ["default_criteria", "default_review"]


def default_criteria(case: Case) -> str:
    """The shipped criteria set that fits ``case``.

    Traditional Medicare gets ``medicare-iop`` (medicare-iop.md); a partial-hospitalization plan
    ``php-standard``; a substance-use primary diagnosis (ICD-10-CM F10–F19) ``sud-iop``; anything
    else ``iop-standard``. Medicare Advantage plans are commercial payers for this choice: the
    domain reference does not say which criteria they must apply, so pass ``criteria=`` when a
    plan names its own.
    """
    if case.coverage.plan_type is PlanType.MEDICARE:
        return "medicare-iop"
    if case.plan.level is LevelOfCare.PHP:
        return "php-standard"
    if diagnosis_category(case.primary_diagnosis.code) == "substance_use":
        return "sud-iop"
    return "iop-standard"


def default_review(case: Case) -> Review:
    """``continued`` for a concurrent review or an extension, else ``initial``."""
    if case.request.kind in (RequestKind.CONCURRENT, RequestKind.EXTENSION):
        return Review.CONTINUED
    return Review.INITIAL

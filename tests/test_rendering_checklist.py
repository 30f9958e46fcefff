"""The documentation checklist's list of needed documents (iopauth.rendering.checklist)."""

from __future__ import annotations

import attrs

from iopauth.model import DocumentKind, PlanType
from iopauth.rendering.checklist import needed_kinds

from .casebuilder import build_case


def test_medicare_and_medicare_advantage_require_the_physician_certification() -> None:
    """A reviewer found the certification marked "only if the payer asks" for a Medicare
    Advantage member, whose default criteria (medicare-iop) require it (42 CFR 424.24)."""
    case = build_case()
    for plan_type in (PlanType.MEDICARE, PlanType.MEDICARE_ADVANTAGE):
        medicare = attrs.evolve(case, coverage=attrs.evolve(case.coverage, plan_type=plan_type))
        assert (DocumentKind.PHYSICIAN_CERTIFICATION, True) in needed_kinds(medicare)
    commercial = attrs.evolve(
        case, coverage=attrs.evolve(case.coverage, plan_type=PlanType.COMMERCIAL)
    )
    assert all(k is not DocumentKind.PHYSICIAN_CERTIFICATION for k, _ in needed_kinds(commercial))

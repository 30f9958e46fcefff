"""Which criteria set and review fit a case by default."""

from __future__ import annotations

import attrs

from iopauth.criteria import Review, default_criteria, default_review
from iopauth.model import LevelOfCare, PlanType, RequestKind

from .casebuilder import build_case


def test_default_criteria_follows_plan_level_and_diagnosis() -> None:
    """Medicare, PHP, substance use and everything else choose their sets."""
    case = build_case()
    medicare = attrs.evolve(case, coverage=attrs.evolve(case.coverage, plan_type=PlanType.MEDICARE))
    commercial = attrs.evolve(
        case, coverage=attrs.evolve(case.coverage, plan_type=PlanType.COMMERCIAL)
    )
    assert default_criteria(medicare) == "medicare-iop"
    assert default_criteria(commercial) == "iop-standard"
    sud = attrs.evolve(
        commercial,
        diagnoses=(attrs.evolve(case.diagnoses[0], code="F10.20", primary=True),),
    )
    assert default_criteria(sud) == "sud-iop"
    php = attrs.evolve(sud, plan=attrs.evolve(case.plan, level=LevelOfCare.PHP))
    assert default_criteria(php) == "php-standard"
    advantage = attrs.evolve(
        case, coverage=attrs.evolve(case.coverage, plan_type=PlanType.MEDICARE_ADVANTAGE)
    )
    # 42 CFR 422.101(b)(6): Medicare Advantage applies Traditional Medicare's criteria
    assert default_criteria(advantage) == "medicare-iop"


def test_default_review_follows_the_request_kind() -> None:
    """Concurrent and extension requests are continued-stay reviews; the rest initial."""
    case = build_case()
    for kind, review in [
        (RequestKind.INITIAL, Review.INITIAL),
        (RequestKind.CONCURRENT, Review.CONTINUED),
        (RequestKind.EXTENSION, Review.CONTINUED),
        (RequestKind.APPEAL, Review.INITIAL),
    ]:
        changed = attrs.evolve(case, request=attrs.evolve(case.request, kind=kind))
        assert default_review(changed) is review

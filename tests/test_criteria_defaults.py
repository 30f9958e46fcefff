"""Which criteria set and review fit a case by default."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest

from iopauth import fhir, load_case, render_html
from iopauth.batch import render_many
from iopauth.cli.main import main
from iopauth.criteria import (
    Determination,
    Review,
    default_criteria,
    default_review,
    engine,
    evaluate,
)
from iopauth.criteria._request_review import annotate
from iopauth.model import LevelOfCare, PlanType, RequestKind

from .casebuilder import build_case
from .pas_options import options


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
    anorexia = attrs.evolve(
        commercial,
        diagnoses=(attrs.evolve(case.diagnoses[0], code="F50.010", primary=True),),
    )
    # an eating disorder's stability rests on dated values (clinical-thresholds.md §2)
    assert default_criteria(anorexia) == "ed-iop"
    secondary = attrs.evolve(
        commercial,
        diagnoses=(
            attrs.evolve(case.diagnoses[0], code="F32.1", primary=True),
            attrs.evolve(case.diagnoses[0], code="F50.010", primary=False),
        ),
    )
    assert default_criteria(secondary) == "iop-standard"
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


# --- one default everywhere (issue 21 §2) -------------------------------------------------------

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "cases").glob("*.json"))


def _summary(d: Determination) -> tuple[str, str, str, str | None]:
    level = None if d.recommended_level is None else d.recommended_level.value
    return d.criteria_set, d.review.value, d.outcome.value, level


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_entry_point_agrees_on_every_example(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """evaluate(case), render, forms, batch, the CLI and the PAS request all judge a case by
    default_criteria(case) / default_review(case) when the caller names none."""
    case = load_case(path)
    expected = _summary(evaluate(case, default_criteria(case), default_review(case)))
    assert _summary(evaluate(case)) == expected
    assert expected[0] == default_criteria(case)

    seen: list[tuple[str, str, str, str | None]] = []
    real = annotate

    def spy(d: Determination, *args: Any) -> Determination:
        found = real(d, *args)
        seen.append(_summary(found))
        return found

    monkeypatch.setattr(engine, "annotate", spy)
    # render: the checklist shows the determination of the case's default set
    render_html(case, "checklist")
    # forms: the determination fill() evaluates when it is given none
    from iopauth.forms._fill import _evaluate as forms_evaluate

    forms_evaluate(case)
    # the command line: iopauth check --json
    out = io.StringIO()
    main(["check", str(path), "--json"], stdout=out, stderr=io.StringIO())
    data = json.loads(out.getvalue())
    assert (data["criteria_set"], data["review"], data["outcome"]) == expected[:3]
    # the PAS request built from evaluate(case), as the README's FHIR example does
    # (it names the criteria only when they are met: a shortfall is never sent to the payer)
    bundle = json.dumps(fhir.pas_request(case, evaluate(case), **options()))
    assert (f"Medical-necessity criteria {expected[0]} " in bundle) == (expected[2] == "meets")
    assert seen
    assert all(s == expected for s in seen), (seen, expected)


def test_batch_agrees_with_evaluate(tmp_path: Path) -> None:
    """The batch report names the same set, review and outcome as evaluate(case)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = render_many(EXAMPLES, tmp_path, documents=["checklist"], executor=pool)
    by_id = {r.case_id: r for r in report.cases}
    for path in EXAMPLES:
        case = load_case(path)
        d = evaluate(case)
        result = by_id[case.case_id]
        assert (result.criteria_set, result.review, result.outcome) == (
            d.criteria_set,
            d.review.value,
            d.outcome.value,
        )

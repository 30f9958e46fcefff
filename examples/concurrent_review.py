"""Add this week's measures and attendance to an admitted case and write the concurrent review.

A patient is in the program; the payer reviews the stay every few weeks. Each week the program
records new scores and attendance. Cases are immutable, so ``attrs.evolve`` makes the updated
case from last week's, changing only what is new. Run it from the repository root:

    .venv/bin/python examples/concurrent_review.py [OUTPUT_FOLDER]

It prints the outcome of the continued-stay review and what is missing, and writes
``concurrent-review.pdf`` (with the trend chart of the scores) into the folder
(``example-output/`` by default).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import attrs

import iopauth
from iopauth.criteria import default_criteria
from iopauth.model import Case, MeasureAdministration

# Last week's review: a Medicaid member in a substance-use IOP (fictional).
ADMITTED = Path(__file__).parent / "cases" / "medicaid-alcohol-depression-concurrent.json"


def this_week(case: Case) -> Case:
    """The case one week on: new PHQ-9 and AUDIT-C scores, four more sessions, three attended."""
    week = timedelta(days=7)
    today = case.request.request_date + week
    new_scores = (
        # item answers as marked on the forms: PHQ-9 nine items 0-3, AUDIT-C three items 0-4
        MeasureAdministration(
            instrument="phq9", administered_on=today, items=(1, 1, 1, 1, 0, 1, 1, 0, 0)
        ),
        MeasureAdministration(instrument="audit_c", administered_on=today, items=(0, 0, 0)),
    )
    engagement = case.engagement
    if engagement is None:
        raise ValueError("the admitted case records no attendance ($.engagement)")
    scheduled = (engagement.sessions_scheduled or 0) + 4
    attended = (engagement.sessions_attended or 0) + 3
    request = case.request
    return attrs.evolve(
        case,
        measures=case.measures + new_scores,  # tuples: add, never append in place
        engagement=attrs.evolve(
            engagement, sessions_scheduled=scheduled, sessions_attended=attended
        ),
        plan=attrs.evolve(case.plan, last_reviewed=today),
        request=attrs.evolve(
            request,
            request_date=today,
            period=attrs.evolve(request.period, start=request.period.start + week),
        ),
    )


def main(out_dir: Path) -> int:
    """Update the case, evaluate the continued stay and write the letter."""
    case = this_week(iopauth.load_case(ADMITTED))
    try:
        iopauth.validate_case(case)  # an evolved case is a new case: check it once
    except iopauth.InvalidCaseError as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        return 2

    result = iopauth.evaluate(case, criteria=default_criteria(case), review="continued")
    print(f"outcome: {result.outcome}")
    for item in result.missing_documentation:
        print(f"missing: {item}")

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "concurrent-review.pdf"
    path.write_bytes(iopauth.render(case, "concurrent-review", determination=result))
    print(f"wrote: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "example-output")))

"""Follow one prior authorization from request to concurrent review.

Run from the project folder:

    .venv/bin/python examples/track_authorizations.py [OUTPUT_FOLDER]

It writes ``example-authorizations.db`` (an SQLite file) into OUTPUT_FOLDER (default
``example-output/``), replacing the one an earlier run left, prints what a
utilization-review coordinator would see, and writes the concurrent review
(``concurrent-review.pdf``) that states the authorized dates, the units used and left and
the days attended, read from the stored authorization.
"""

import sys
from datetime import date
from pathlib import Path

import attrs

import iopauth
from iopauth.authorization import (
    AuthorizationStore,
    Decision,
    DecisionStatus,
    Usage,
    alerts,
    format_alerts,
    from_case,
    key_dates,
)

CASE = Path(__file__).parent / "cases" / "medicare-stepdown-depression.json"
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("example-output")
OUT.mkdir(parents=True, exist_ok=True)
STORE = OUT / "example-authorizations.db"

# Start fresh each run: remove the store file and its WAL companions from a previous run.
for leftover in (STORE, OUT / f"{STORE.name}-wal", OUT / f"{STORE.name}-shm"):
    leftover.unlink(missing_ok=True)

# 1. The case asks a Medicare Advantage plan for 4 weeks of IOP from 9 June 2026.
#    from_case() turns its request into an authorization awaiting the payer's decision.
case = iopauth.load_case(CASE)
auth = from_case(case)
asked = f"{auth.requested_start} to {auth.requested_end}"
print(f"Requested: {auth.requested_units} program days, {asked}")

with AuthorizationStore(STORE) as store:
    store.add(auth)

    # 2. Nothing heard from the payer by 13 June. Medicare Advantage must decide a standard
    #    request within 7 calendar days (CMS-0057-F), so the alert says the decision is overdue.
    #    Dates are always given ("as_of"): iopauth never reads the clock.
    print()
    print(format_alerts(alerts(store.list_open(), date(2026, 6, 13)), date(2026, 6, 13)))

    # 3. The payer approves part of it: 6 program days up to 28 June. A decision usually comes
    #    from the payer's FHIR ClaimResponse; here it is typed in. Applying it twice is harmless.
    decision = Decision(
        status=DecisionStatus.PARTIALLY_APPROVED,
        decided_on=date(2026, 6, 13),
        authorization_number="MA-2026-0077",
        authorized_units=6,
        authorized_start=date(2026, 6, 9),
        authorized_end=date(2026, 6, 28),
    )
    store.apply_decision(decision, case.case_id)
    store.apply_decision(decision)  # found by its number now; nothing changes

    # 4. Attendance is recorded by date (per diem: one unit per program day).
    attended = [date(2026, 6, 9), date(2026, 6, 10), date(2026, 6, 15), date(2026, 6, 16)]
    auth = store.record_usage("MA-2026-0077", [Usage(day=d) for d in attended])

# 5. The dates that drive the work on 16 June: units left, when they run out at the planned
#    3 days a week, and when the concurrent review is due (5 days before the last covered day).
dates = key_dates(auth, date(2026, 6, 16))
print(f"Authorized: {auth.authorized_units} days, {auth.authorized_start} to {auth.authorized_end}")
print(f"Units left on {dates.as_of}: {dates.units_remaining}")
print(f"Projected last covered day: {dates.last_covered_day}")
print(f"Concurrent review due: {dates.review_due}")

# 6. And the worklist on 16 June, most urgent first. Alerts name the authorization number and
#    the case id, never the patient.
print()
print(format_alerts(alerts([auth], date(2026, 6, 16)), date(2026, 6, 16)), end="")
print(f"wrote: {STORE}")

# 7. The review is due on 17 June: the case now asks to continue from 29 June for 4 weeks
#    under the same authorization number. The concurrent review reads the stored authorization
#    (by the case id): its authorized dates, 6 of 12 days approved (a partial approval), the
#    days used and left on the letter's date, and the days attended. What the payer approved
#    comes from its record, never from the case.
request = attrs.evolve(
    case.request,
    kind="concurrent",
    request_date=date(2026, 6, 17),
    period=attrs.evolve(case.request.period, start=date(2026, 6, 29), end=date(2026, 7, 26)),
    authorization_number="MA-2026-0077",
)
review_case = attrs.evolve(case, request=request)
with AuthorizationStore(STORE, create=False) as store:
    stored = store.get(review_case.case_id)
letter = OUT / "concurrent-review.pdf"
letter.write_bytes(iopauth.render(review_case, "concurrent-review", authorization=stored))
print(f"wrote: {letter}")

"""``iopauth auth``: track authorizations in a store from the command line.

``add_parser`` registers the subcommand on the main parser and ``run`` executes it; the main
CLI (:mod:`iopauth.cli`) handles errors and exit codes. Only this module reads the clock: the
default ``--as-of`` of ``alerts`` is today's local date.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._args import read_decision

if TYPE_CHECKING:
    from ..authorization.decision import Decision
    from ..authorization.model import Authorization, Usage
    from ..model import Case

__all__ = ["add_parser", "run"]

_ENTRY = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?::([0-9]{1,4}))?")


def add_parser(sub: Any) -> None:
    """Add ``auth`` and its actions to the main parser's subcommands."""
    auth = sub.add_parser(
        "auth", help="track authorizations: units, review dates, deadlines, alerts"
    )
    actions = auth.add_subparsers(
        dest="auth_command", metavar="ACTION", required=True, parser_class=type(auth)
    )
    db_help = "the SQLite store file (created when missing)"

    add = actions.add_parser("add", help="start tracking the request a case carries")
    add.add_argument("case", help="case JSON file")
    add.add_argument("--db", required=True, help=db_help)

    decision = actions.add_parser("decision", help="apply a payer decision")
    decision.add_argument("response", help="decision JSON file (iopauth's decision format)")
    decision.add_argument("--db", required=True, help=db_help)
    decision.add_argument(
        "--case", help="authorization number or case id it answers (default: its number)"
    )

    usage = actions.add_parser("usage", help="record units used by date")
    usage.add_argument("authorization", help="authorization number or case id")
    usage.add_argument("entries", nargs="+", metavar="DATE[:UNITS]", help="e.g. 2026-03-02:3")
    usage.add_argument("--db", required=True, help=db_help)

    alerts = actions.add_parser("alerts", help="what needs action, most urgent first")
    alerts.add_argument("--db", required=True, help=db_help)
    alerts.add_argument("--as-of", help="date YYYY-MM-DD (default: today)")
    alerts.add_argument("--low-units", type=int, default=5, help="default: %(default)s")
    alerts.add_argument(
        "--stale-usage-days",
        type=int,
        default=7,
        help="flag an active authorization with no usage recorded for more than this many "
        "days (default: %(default)s)",
    )
    alerts.add_argument("--json", action="store_true", help="print JSON for other programs")

    show = actions.add_parser("show", help="print one authorization as JSON")
    show.add_argument("authorization", help="authorization number or case id")
    show.add_argument("--db", required=True, help=db_help)


def run(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    """Run ``iopauth auth ACTION``; returns the exit code (0)."""
    from ..authorization.store import AuthorizationStore
    from ..caseformat.serialize import load_case

    # Inputs are read and checked before the store is opened: bad input leaves no file behind,
    # and only ``add`` creates a store.
    command = args.auth_command
    case = load_case(Path(args.case)) if command == "add" else None
    decision = read_decision(Path(args.response)) if command == "decision" else None
    entries = _entries(args.entries) if command == "usage" else []
    as_of = _as_of(args.as_of) if command == "alerts" else None
    with AuthorizationStore(args.db, create=command == "add") as store:
        if case is not None:
            _add(store, case, out)
        elif decision is not None:
            _decision(store, decision, args.case, out)
        elif command == "usage":
            _summary(store.record_usage(args.authorization, entries), out)
        elif as_of is not None:
            _alerts(store, as_of, args, out)
        else:
            from ..authorization.serialize import dump_authorization

            json.dump(dump_authorization(store.get(args.authorization)), out, indent=2)
            out.write("\n")
    return 0


def _add(store: Any, case: Case, out: TextIO) -> None:
    from ..authorization.track import _KIND, add_request, from_case
    from ..errors import UnknownAuthorizationError
    from ..model import RequestKind

    request = case.request
    number = request.authorization_number
    if request.kind is not RequestKind.INITIAL and number is not None:
        try:
            store.get(number)
        except UnknownAuthorizationError:
            pass
        else:
            auth = store.update(  # one transaction: read, add the request, write
                number,
                lambda a: add_request(
                    a,
                    kind=_KIND[request.kind],
                    requested_on=request.request_date,
                    urgency=request.urgency,
                    units=from_case(case).requested_units,
                    start=request.period.start,
                    end=request.period.end,
                ),
            )
            print(f"{auth.label}: {request.kind.value} request recorded", file=out)
            return
    auth = from_case(case)
    store.add(auth)
    print(f"{auth.label}: tracking the {request.kind.value} request", file=out)


def _decision(store: Any, decision: Decision, ref: str | None, out: TextIO) -> None:
    ref = ref or decision.authorization_number
    before = None if ref is None else store.get(ref)
    auth = store.apply_decision(decision, ref)
    unchanged = before == auth
    _summary(auth, out, note=" (decision already applied: nothing changed)" if unchanged else "")
    if decision.unknown_codes:
        codes = ", ".join(decision.unknown_codes)
        print(f"{auth.label}: codes not recognized, check with the payer: {codes}", file=out)


def _entries(values: list[str]) -> list[Usage]:
    from ..authorization.model import Usage
    from ..errors import InvalidAuthorizationError

    entries, problems = [], []
    for i, value in enumerate(values):
        match = _ENTRY.fullmatch(value)
        try:
            day = date.fromisoformat(match.group(1)) if match else None
        except ValueError:
            day = None
        if match is None or day is None:
            problems.append(f"usage[{i}]: must be DATE or DATE:UNITS, the date YYYY-MM-DD")
            continue
        entries.append(Usage(day=day, units=int(match.group(2) or 1)))
    if problems:
        raise InvalidAuthorizationError(problems, "usage")
    return entries


def _summary(auth: Authorization, out: TextIO, note: str = "") -> None:
    from ..authorization.units import units_remaining, units_used, usage_outside_window

    parts = [auth.status.value]
    if auth.authorized_units is not None:
        parts.append(
            f"{units_used(auth)} of {auth.authorized_units} {auth.unit_type.value} units used, "
            f"{units_remaining(auth)} left"
        )
    if auth.authorized_start is not None or auth.authorized_end is not None:
        start = auth.authorized_start.isoformat() if auth.authorized_start else "?"
        end = auth.authorized_end.isoformat() if auth.authorized_end else "open"
        parts.append(f"authorized {start} to {end}")
    outside = usage_outside_window(auth)
    if outside:
        parts.append(f"{len(outside)} usage date(s) outside the authorized window")
    print(f"{auth.label}: {'; '.join(parts)}{note}", file=out)


def _as_of(value: str | None) -> date:
    from ..errors import InvalidAuthorizationError

    if value is None:
        return date.today()  # the CLI's only clock read; the library takes as_of
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidAuthorizationError(
            ["--as-of: must be a date written YYYY-MM-DD"], "option"
        ) from None


def _alerts(store: Any, as_of: date, args: argparse.Namespace, out: TextIO) -> None:
    from ..authorization.alerting import alerts, alerts_to_json, format_alerts

    found = alerts(
        store.list_open(as_of),
        as_of,
        low_units=args.low_units,
        stale_usage_days=args.stale_usage_days,
    )
    _report_skipped(store, getattr(args, "stderr", None))
    if args.json:
        json.dump({"as_of": as_of.isoformat(), "alerts": alerts_to_json(found)}, out, indent=2)
        out.write("\n")
    else:
        out.write(format_alerts(found, as_of))


def _report_skipped(store: Any, err: TextIO | None) -> None:
    """Damaged records the listing read around, named by case id on stderr (never hidden)."""
    import sys

    for case_id in store.skipped:
        (err or sys.stderr).write(f"iopauth: the record of case {case_id} is damaged; skipped\n")

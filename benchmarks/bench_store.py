"""The authorization store's write rate, against raw SQLite in the same run; alerts per second.

Run: ``.venv/bin/python benchmarks/bench_store.py [--writes N]``. Each ``record_usage`` is one
transaction that takes the write lock, reads the record, checks and rewrites it, and commits
with ``synchronous = FULL`` in WAL mode. The floor does the same SQLite work without iopauth:
an ``UPDATE`` of an equal-sized JSON document in a ``BEGIN IMMEDIATE`` transaction on a file
with the same pragmas. Their ratio is the cost of iopauth's read, check and encode; the rest
is the disk's. No target is set in the issue; the figures are for the README.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import attrs

from iopauth.authorization import (
    AuthorizationStore,
    Decision,
    DecisionStatus,
    Usage,
    alerts,
    apply_decision,
    dump_authorization,
    from_case,
)
from iopauth.caseformat.serialize import load_case
from iopauth.model import UnitType

CASES = Path(__file__).resolve().parent.parent / "examples" / "cases"


def _store_writes(folder: Path, writes: int) -> float:
    """Seconds per ``record_usage`` (hour units, a new day each time)."""
    case = load_case(CASES / "medicare-stepdown-depression.json")
    auth = apply_decision(
        attrs.evolve(from_case(case), unit_type=UnitType.HOUR),
        Decision(
            status=DecisionStatus.APPROVED,
            decided_on=date(2026, 6, 8),
            authorization_number="B-1",
            authorized_units=writes + 10,
            authorized_start=date(2026, 6, 9),
            authorized_end=date(2026, 6, 9) + timedelta(days=writes + 10),
        ),
    )
    with AuthorizationStore(folder / "store.db") as store:
        store.add(auth)
        start = time.perf_counter()
        for i in range(writes):
            store.record_usage("B-1", [Usage(day=date(2026, 6, 9) + timedelta(days=i))])
        return (time.perf_counter() - start) / writes


def _floor_writes(folder: Path, writes: int, document: str) -> float:
    """Seconds per raw SQLite read-and-update of a document of the same size."""
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, document TEXT NOT NULL)")
    conn.execute("INSERT INTO t VALUES ('B-1', ?)", (document,))
    start = time.perf_counter()
    for i in range(writes):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("SELECT document FROM t WHERE k = 'B-1'").fetchone()
        conn.execute("UPDATE t SET document = ? WHERE k = 'B-1'", (document + " " * (i % 2),))
        conn.execute("COMMIT")
    elapsed = (time.perf_counter() - start) / writes
    conn.close()
    return elapsed


def _alerts_rate(seconds: float) -> float:
    """Authorizations checked per second by ``alerts`` over the example cases' requests."""
    auths = [from_case(load_case(p)) for p in sorted(CASES.glob("*.json"))]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        alerts(auths, date(2026, 6, 20))
        count += len(auths)
    return count / (time.perf_counter() - start)


def main() -> None:
    """Print the store's write rate, the raw SQLite floor, their ratio and the alerts rate."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ratios, store_rates, floor_rates = [], [], []
    for _ in range(args.rounds):  # interleaved, so drift in the machine's speed touches both
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            per_write = _store_writes(folder, args.writes)
            with AuthorizationStore(folder / "store.db") as store:
                document = json.dumps(dump_authorization(store.get("B-1")))
            per_floor = _floor_writes(folder, args.writes, document)
        ratios.append(per_write / per_floor)
        store_rates.append(1 / per_write)
        floor_rates.append(1 / per_floor)
    print(f"record_usage: {statistics.median(store_rates):,.0f} writes/s (median of rounds)")
    print(f"raw SQLite floor: {statistics.median(floor_rates):,.0f} writes/s")
    print(
        f"ratio store/floor, median of {args.rounds} paired rounds: {statistics.median(ratios):.2f}"
    )
    print(f"alerts: {_alerts_rate(2.0):,.0f} authorizations/s")


if __name__ == "__main__":
    main()

"""The SQLite authorization store: transactions, concurrency, crashes, foreign files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from iopauth.authorization import (
    Authorization,
    AuthorizationStatus,
    AuthorizationStore,
    Decision,
    DecisionStatus,
    Usage,
    units_used,
)
from iopauth.authorization.serialize import dump_authorization
from iopauth.authorization.store import _MIGRATIONS, APPLICATION_ID, SCHEMA_VERSION
from iopauth.caseformat.limits import max_items
from iopauth.errors import (
    AuthorizationStoreError,
    InvalidAuthorizationError,
    UnknownAuthorizationError,
)
from iopauth.model import LevelOfCare, PlanType, UnitType

START = date(2026, 3, 2)


def _auth(case_id: str = "case-1", number: str | None = "PA-1", **changes: Any) -> Authorization:
    """An approved hour-unit authorization with room for many entries."""
    auth = Authorization(
        case_id=case_id,
        payer_name="Plan Co",
        plan_type=PlanType.COMMERCIAL,
        level_of_care=LevelOfCare.IOP,
        unit_type=UnitType.HOUR,
        authorization_number=number,
        status=AuthorizationStatus.APPROVED,
        authorized_units=100_000,
        authorized_start=START,
        authorized_end=START + timedelta(days=3000),
    )
    return attrs.evolve(auth, **changes)


def _child(code: str, *args: str) -> subprocess.Popen[str]:
    """Run Python code in a new process with this interpreter, reading its stdout."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- basic operations ---------------------------------------------------------------------------


def test_add_get_and_list(tmp_path: Path) -> None:
    """Stored records come back equal, by number or by case id; closed ones are not open."""
    db = tmp_path / "auth.db"
    with AuthorizationStore(db) as store:
        store.add(_auth())
        store.add(_auth("case-2", None, status=AuthorizationStatus.CANCELLED))
        store.add(_auth("case-3", "PA-3", authorized_end=date(2026, 3, 10)))
        assert store.get("PA-1") == store.get("case-1") == _auth()
        assert [a.case_id for a in store.all()] == ["case-1", "case-2", "case-3"]
        assert [a.case_id for a in store.list_open()] == ["case-1", "case-3"]
        assert [a.case_id for a in store.list_open(date(2026, 3, 11))] == ["case-1"]
    with AuthorizationStore(db) as again:  # reopened: still there
        assert again.get("PA-3").authorized_end == date(2026, 3, 10)


def test_store_file_is_wal_and_versioned(tmp_path: Path) -> None:
    """WAL journal, our application id and the current schema version are on the file."""
    db = tmp_path / "auth.db"
    AuthorizationStore(db).close()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_duplicates_and_unknown_references_are_refused(tmp_path: Path) -> None:
    """The same case or number twice is refused; an unknown reference names what was asked."""
    with AuthorizationStore(tmp_path / "auth.db") as store:
        store.add(_auth())
        with pytest.raises(AuthorizationStoreError, match="already holds an authorization for"):
            store.add(_auth())
        with pytest.raises(AuthorizationStoreError, match="already holds"):
            store.add(_auth("case-9", "PA-1"))
        with pytest.raises(UnknownAuthorizationError, match="'PA-404'"):
            store.get("PA-404")
        with pytest.raises(UnknownAuthorizationError):
            store.record_usage("PA-404", [Usage(day=START)])


def test_apply_decision_and_usage_through_the_store(tmp_path: Path) -> None:
    """Each operation reads, changes and writes; the same decision twice changes nothing."""
    with AuthorizationStore(tmp_path / "auth.db") as store:
        store.add(_auth(number=None, status=AuthorizationStatus.PENDING, authorized_units=None))
        decision = Decision(
            status=DecisionStatus.APPROVED,
            decided_on=START,
            authorization_number="PA-NEW",
            authorized_units=40,
        )
        first = store.apply_decision(decision, "case-1")
        assert first.authorization_number == "PA-NEW"
        assert store.apply_decision(decision) == first  # found by its number now
        assert len(store.get("PA-NEW").reviews) == 1
        after = store.record_usage("PA-NEW", [Usage(day=START, units=3)])
        assert units_used(after) == 3
        assert store.get("case-1") == after


def test_a_decision_without_a_number_needs_the_case(tmp_path: Path) -> None:
    """No number on the decision and none given: the error says to name the case."""
    with (
        AuthorizationStore(tmp_path / "auth.db") as store,
        pytest.raises(UnknownAuthorizationError, match="name the case"),
    ):
        store.apply_decision(Decision(status=DecisionStatus.DENIED))


def test_save_replaces_by_case_id(tmp_path: Path) -> None:
    """save() writes a changed record over the old one."""
    with AuthorizationStore(tmp_path / "auth.db") as store:
        store.save(_auth())
        store.save(_auth(care_manager=None, review_lead_days=2))
        assert store.get("case-1").review_lead_days == 2
        assert len(store.all()) == 1


# --- foreign, damaged and newer files -----------------------------------------------------------


def test_a_non_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    """A text file given as the store is refused and left exactly as it was."""
    path = tmp_path / "notes.txt"
    path.write_text("my notes, not a database\n")
    with pytest.raises(AuthorizationStoreError, match="not an iopauth authorization store"):
        AuthorizationStore(path)
    assert path.read_text() == "my notes, not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    """An SQLite database of another program is refused and not converted to WAL."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(AuthorizationStoreError, match="SQLite database but not an iopauth"):
        AuthorizationStore(path)
    assert path.read_bytes() == before


def test_a_damaged_store_is_refused(tmp_path: Path) -> None:
    """Garbage over the table's page gives a clear 'damaged' error, not a silent reset."""
    path = tmp_path / "auth.db"
    with AuthorizationStore(path) as store:
        for i in range(40):
            store.add(_auth(f"case-{i}", f"PA-{i}"))
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[page + 8 : 3 * page] = b"\xa5" * (2 * page - 8)
    path.write_bytes(bytes(data))
    with (
        pytest.raises(AuthorizationStoreError, match="damaged"),
        AuthorizationStore(path) as store,
    ):
        store.all()


def test_a_damaged_record_is_reported_by_case(tmp_path: Path) -> None:
    """A record whose JSON no longer loads names its case, not its contents."""
    path = tmp_path / "auth.db"
    with AuthorizationStore(path) as store:
        store.add(_auth())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE authorization_record SET document = '{\"case_id\": 5}'")
    conn.commit()
    conn.close()
    with (
        AuthorizationStore(path) as store,
        pytest.raises(AuthorizationStoreError, match=r"record of case case-1 .* is damaged"),
    ):
        store.get("PA-1")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A store written by a newer iopauth is not read or downgraded."""
    path = tmp_path / "auth.db"
    AuthorizationStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(AuthorizationStoreError, match="newer iopauth"):
        AuthorizationStore(path)


def test_an_older_store_is_migrated_and_keeps_its_records(tmp_path: Path) -> None:
    """A schema-1 file gains the later migrations on open; its records still load."""
    path = tmp_path / "auth.db"
    with AuthorizationStore(tmp_path / "current.db") as current:
        current.add(_auth())
    source = sqlite3.connect(tmp_path / "current.db")
    row = source.execute(
        "SELECT case_id, number, status, document FROM authorization_record"
    ).fetchone()
    source.close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in _MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO authorization_record VALUES (?, ?, ?, ?)", row)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with AuthorizationStore(path) as store:
        assert store.get("PA-1") == _auth()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(authorization_record)")}
        assert "authorization_record_status" in indexes
    finally:
        conn.close()


def test_an_unopenable_path_is_a_clear_error(tmp_path: Path) -> None:
    """A store in a folder that does not exist fails with the path named."""
    with pytest.raises(AuthorizationStoreError, match="cannot open the store"):
        AuthorizationStore(tmp_path / "missing" / "auth.db")


# --- two processes, and a process killed mid-write ----------------------------------------------

_WRITER = """
    import sys, time
    from datetime import date, timedelta
    from pathlib import Path
    from iopauth.authorization import AuthorizationStore, Usage

    db, first, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    store = AuthorizationStore(db, timeout=120)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.01)
    for i in range(first, first + 25):
        store.record_usage("PA-1", [Usage(day=date(2026, 3, 2) + timedelta(days=i), units=1)])
    store.close()
"""


def test_two_processes_recording_usage_lose_nothing(tmp_path: Path) -> None:
    """Two processes each record 25 entries at once; all 50 are stored."""
    db = tmp_path / "auth.db"
    go = tmp_path / "go"
    with AuthorizationStore(db) as store:
        store.add(_auth())
    children = [_child(_WRITER, str(db), str(first), str(go)) for first in (0, 1000)]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    go.touch()
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    with AuthorizationStore(db) as store:
        usage = store.get("PA-1").usage
    assert len(usage) == 50
    assert len({u.day for u in usage}) == 50


_KILLED_IN_TRANSACTION = """
    import sys, time
    from datetime import date, timedelta
    from iopauth.authorization import AuthorizationStore, Usage
    from iopauth.authorization import store as store_module

    original = store_module._put

    def put_then_hang(conn, auth, old_case_id):
        original(conn, auth, old_case_id)
        print("written, not committed", flush=True)
        time.sleep(120)

    store_module._put = put_then_hang
    store = AuthorizationStore(sys.argv[1])
    days = [Usage(day=date(2026, 3, 2) + timedelta(days=i), units=2) for i in range(500)]
    store.record_usage("PA-1", days)
"""


def test_a_process_killed_mid_write_leaves_the_old_state(tmp_path: Path) -> None:
    """SIGKILL after the row is written but before COMMIT: the next open sees the old record."""
    db = tmp_path / "auth.db"
    with AuthorizationStore(db) as store:
        store.add(_auth())
        before = store.get("PA-1")
    child = _child(_KILLED_IN_TRANSACTION, str(db))
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "written, not committed"
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with AuthorizationStore(db) as store:
        assert store.get("PA-1") == before
        store.record_usage("PA-1", [Usage(day=START)])  # and the store still takes writes
        assert len(store.get("PA-1").usage) == 1


_BATCH_WRITER = """
    import sys
    from datetime import date, timedelta
    from iopauth.authorization import AuthorizationStore, Usage

    store = AuthorizationStore(sys.argv[1], timeout=120)
    for batch in range(100_000):
        days = [
            Usage(day=date(2026, 3, 2) + timedelta(days=(batch * 10 + i) % 2900), units=1)
            for i in range(10)
        ]
        store.record_usage("PA-1", days)
        if batch == 0:
            print("first batch committed", flush=True)
"""


def test_killed_between_or_during_batches_keeps_whole_batches(tmp_path: Path) -> None:
    """Killed at an arbitrary moment of a stream of 10-entry writes: whole batches only."""
    db = tmp_path / "auth.db"
    with AuthorizationStore(db) as store:
        store.add(_auth())
    child = _child(_BATCH_WRITER, str(db))
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "first batch committed"
    time.sleep(0.5)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    with AuthorizationStore(db) as store:
        count = len(store.get("PA-1").usage)
    assert count >= 10
    assert count % 10 == 0


def test_a_first_decision_found_by_an_unknown_number_asks_for_the_case(tmp_path: Path) -> None:
    """The payer's new number is not stored yet: the error says to name the case it answers."""
    decision = Decision(status=DecisionStatus.DENIED, authorization_number="PA-NEW")
    with AuthorizationStore(tmp_path / "auth.db") as store:
        store.add(_auth(number=None))
        with pytest.raises(UnknownAuthorizationError, match="'PA-NEW' in the store; a first"):
            store.apply_decision(decision)


def test_a_new_store_is_private_to_its_owner(tmp_path: Path) -> None:
    """The store and its WAL files are created readable and writable by the owner only."""
    db = tmp_path / "auth.db"
    with AuthorizationStore(db) as store:
        store.add(_auth())
        files = [p for p in tmp_path.iterdir() if p.name.startswith("auth.db")]
        assert len(files) >= 2  # the database and its write-ahead log while open
        for path in files:
            assert path.stat().st_mode & 0o077 == 0, path.name


def test_a_record_that_would_not_load_back_is_never_written(tmp_path: Path) -> None:
    """save() of an invalid record is refused by path and rule; the stored one is kept."""
    with AuthorizationStore(tmp_path / "auth.db") as store:
        store.add(_auth())
        with pytest.raises(InvalidAuthorizationError) as info:
            store.save(_auth(authorized_units=-5))
        assert info.value.errors == ("$.authorized_units: must not be negative",)
        assert store.get("PA-1") == _auth()


def test_create_false_refuses_a_missing_file(tmp_path: Path) -> None:
    """With create=False a missing store is an error and no file appears."""
    with pytest.raises(AuthorizationStoreError, match="no authorization store at"):
        AuthorizationStore(tmp_path / "none.db", create=False)
    assert list(tmp_path.iterdir()) == []


def test_usage_beyond_the_array_limit_is_refused_before_writing(tmp_path: Path) -> None:
    """The record keeps at most max_items(Usage) entries; more is refused, not written."""
    limit = max_items(Usage)
    full = [Usage(day=START + timedelta(days=i % 2900), units=1) for i in range(limit)]
    with AuthorizationStore(tmp_path / "auth.db") as store:
        store.add(_auth(usage=tuple(sorted(full, key=lambda u: (u.day, u.units)))))
        with pytest.raises(InvalidAuthorizationError) as info:
            store.record_usage("PA-1", [Usage(day=START, units=1)])
        assert info.value.errors == (f"$.usage: must have at most {limit} items",)
        assert len(store.get("PA-1").usage) == limit


# --- nothing written that cannot be read back (issue 24.8) --------------------------------------


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"authorization_number": "PA-\x07-9"}, "$.reviews[0].decision.authorization_number"),
        ({"reason_text": "x" * 20_000}, "$.reviews[0].decision.reason_text"),
        ({"reason_codes": ("A3\x1b[2J",)}, "$.reviews[0].decision.reason_codes[0]"),
        ({"unknown_codes": ("\u202eX",)}, "$.reviews[0].decision.unknown_codes[0]"),
    ],
)
def test_a_decision_that_would_not_load_is_refused_and_the_store_stays_readable(
    tmp_path: Path, changes: dict[str, Any], path: str
) -> None:
    """A BEL, 20,000 characters, an escape or a bidi control from a payer is refused by path."""
    with AuthorizationStore(tmp_path / "auth.db") as store:
        store.add(_auth(number=None, status=AuthorizationStatus.PENDING, authorized_units=None))
        store.add(_auth(case_id="case-2", number="PA-2"))
        decision = Decision(status=DecisionStatus.APPROVED, decided_on=START, **changes)
        with pytest.raises(InvalidAuthorizationError) as caught:
            store.apply_decision(decision, "case-1")
        assert path in [line.split(":")[0] for line in caught.value.errors]
        assert "\x07" not in str(caught.value)
        assert "xxxx" not in str(caught.value)
        assert [a.case_id for a in store.all()] == ["case-1", "case-2"]
        assert store.skipped == ()
        assert len(store.list_open(START)) == 2


def test_one_damaged_record_never_hides_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """all() and list_open() read around a record that no longer loads and name its case."""
    path = tmp_path / "auth.db"
    with AuthorizationStore(path) as store:
        for n in (1, 2, 3):
            store.add(_auth(case_id=f"case-{n}", number=f"PA-{n}"))
    document = json.dumps(dump_authorization(_auth(case_id="case-2", number="PA-2")))
    conn = sqlite3.connect(path)
    conn.execute(  # what an older iopauth could write: a BEL in the payer's number
        "UPDATE authorization_record SET document = ? WHERE case_id = 'case-2'",
        (document.replace("PA-2", "PA-\\u0007-2"),),
    )
    conn.commit()
    conn.close()
    with AuthorizationStore(path) as store:
        assert [a.case_id for a in store.all()] == ["case-1", "case-3"]
        assert store.skipped == ("case-2",)
        assert [a.case_id for a in store.list_open(START)] == ["case-1", "case-3"]
        assert store.skipped == ("case-2",)
        with pytest.raises(AuthorizationStoreError, match=r"record of case case-2 .* is damaged"):
            store.get("case-2")
        assert store.get("case-3").authorization_number == "PA-3"
    assert "the record of case case-2" in caplog.text
    assert "\x07" not in caplog.text


def test_a_damaged_record_with_an_unprintable_case_id_is_named_escaped(tmp_path: Path) -> None:
    path = tmp_path / "auth.db"
    with AuthorizationStore(path) as store:
        store.add(_auth())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE authorization_record SET case_id = 'c\x1b[2J', document = '{'")
    conn.commit()
    conn.close()
    with AuthorizationStore(path) as store:
        assert store.all() == []
        assert store.skipped == ("c\\x1b[2J",)


def test_an_empty_file_adopted_as_a_store_is_made_private(tmp_path: Path) -> None:
    """`touch auth.db` with a umask of 022 leaves 0644: the store makes it 0600 before use."""
    db = tmp_path / "auth.db"
    db.touch()
    db.chmod(0o644)
    with AuthorizationStore(db) as store:
        store.add(_auth())
    assert db.stat().st_mode & 0o777 == 0o600
    # an existing store keeps the permissions its owner chose
    db.chmod(0o640)
    with AuthorizationStore(db) as store:
        assert store.get("PA-1") == _auth()
    assert db.stat().st_mode & 0o777 == 0o640


def test_a_fifo_or_device_as_the_store_is_refused_without_waiting(tmp_path: Path) -> None:
    """`--db` naming a FIFO (nobody writing) or /dev/zero is an error at once, not a hang."""
    fifo = tmp_path / "auth.db"
    os.mkfifo(fifo)
    code = """
        import sys
        from iopauth.authorization import AuthorizationStore
        from iopauth.errors import AuthorizationStoreError
        for path in sys.argv[1:]:
            try:
                AuthorizationStore(path)
            except AuthorizationStoreError as exc:
                print(exc)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(fifo), "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.splitlines() == [
        f"the store {fifo} is not a regular file",
        "the store /dev/zero is not a regular file",
    ], done.stderr

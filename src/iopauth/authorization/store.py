"""``AuthorizationStore``: authorizations kept in one SQLite file.

The standard library's ``sqlite3`` in WAL mode. Each operation runs in one transaction that
takes the write lock first (``BEGIN IMMEDIATE``), so two processes recording usage at once
serialize instead of overwriting each other, and a process killed mid-write leaves the old
state (SQLite rolls the unfinished transaction back). The file is marked as ours by its
``application_id`` and carries its schema version in ``user_version``; older files are
migrated on open, anything else is refused with a clear error and never overwritten.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import TracebackType

from ..caseformat._reading import key_text
from ..errors import AuthorizationStoreError, InvalidAuthorizationError, UnknownAuthorizationError
from .decision import Decision
from .model import Authorization, AuthorizationStatus, Usage
from .serialize import authorization_problems, dump_authorization, load_authorization
from .track import apply_decision, record_usage
from .units import is_open

__all__ = ["SCHEMA_VERSION", "AuthorizationStore"]

log = logging.getLogger("iopauth.authorization.store")

#: ``PRAGMA application_id`` of an iopauth store: "IOPA" in ASCII.
APPLICATION_ID = 0x494F5041
_SQLITE_MAGIC = b"SQLite format 3\x00"

# _MIGRATIONS[n] takes a store from schema version n to n + 1. Append, never edit.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE authorization_record (
            case_id TEXT PRIMARY KEY,
            number TEXT UNIQUE,
            status TEXT NOT NULL,
            document TEXT NOT NULL
        )""",
    ),
    ("CREATE INDEX authorization_record_status ON authorization_record (status)",),
)
SCHEMA_VERSION = len(_MIGRATIONS)


class AuthorizationStore:
    """Authorizations in one SQLite file, named by authorization number or case id.

    Use as a context manager or call :meth:`close`. A missing file is created, unless
    ``create`` is false (then it is an error). ``timeout`` is how long (seconds) an operation
    waits for another process's write to finish.

    A record that no longer loads (written by hand, or by an older iopauth with looser rules)
    never makes the others unreadable: :meth:`all` and :meth:`list_open` read around it, log
    a warning naming its case, and leave the case ids they skipped in :attr:`skipped`.
    """

    #: Case ids (escaped for printing) of the damaged records the last listing skipped.
    skipped: tuple[str, ...] = ()

    def __init__(
        self, path: str | os.PathLike[str], *, create: bool = True, timeout: float = 30.0
    ) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise AuthorizationStoreError(f"no authorization store at {self.path}")
        self._conn = self._open(timeout)

    # --- opening -------------------------------------------------------------------------

    def _open(self, timeout: float) -> sqlite3.Connection:
        self._refuse_non_sqlite()
        self._create_private()
        try:
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise AuthorizationStoreError(f"cannot open the store {self.path}: {exc}") from None
        try:
            self._check_and_migrate(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            check = conn.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise AuthorizationStoreError(f"the store {self.path} is damaged")
        except sqlite3.Error as exc:
            conn.close()
            raise self._error(exc) from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _refuse_non_sqlite(self) -> None:
        """A non-empty file that is not SQLite is refused before sqlite3 touches it; so is
        anything but a regular file (a FIFO is opened without blocking, never waited on)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise AuthorizationStoreError(
                f"cannot open the store {self.path}: {exc.strerror}"
            ) from None
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise AuthorizationStoreError(f"the store {self.path} is not a regular file")
            head = f.read(len(_SQLITE_MAGIC))
        if head and head != _SQLITE_MAGIC:
            raise AuthorizationStoreError(
                f"{self.path} is not an iopauth authorization store (not an SQLite database)"
            )

    def _create_private(self) -> None:
        """A new store file is readable by its owner only: it holds the payer's words.

        An existing empty file (``touch auth.db``), about to become a store, is made private
        too. SQLite gives the ``-wal`` and ``-shm`` files the database file's permissions.
        """
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self._adopt_empty()
            return
        except OSError as exc:
            raise AuthorizationStoreError(
                f"cannot open the store {self.path}: {exc.strerror}"
            ) from None
        os.close(fd)

    def _adopt_empty(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return  # a symbolic link or an unreadable file: SQLite's own checks answer
        try:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode) and info.st_size == 0 and info.st_mode & 0o077:
                os.fchmod(fd, 0o600)
        except OSError as exc:
            raise AuthorizationStoreError(
                f"cannot make the new store {self.path} private: {exc.strerror}"
            ) from None
        finally:
            os.close(fd)

    def _check_and_migrate(self, conn: sqlite3.Connection) -> None:
        version = self._version(conn)
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")  # re-read under the lock: another process may migrate
        try:
            version = self._version(conn)
            if version is None:  # an empty file: a new store
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                version = 0
            for step in range(version, SCHEMA_VERSION):
                for statement in _MIGRATIONS[step]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {step + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _version(self, conn: sqlite3.Connection) -> int | None:
        """The schema version; ``None`` for an empty database; refuses a foreign or newer one."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and version == 0 and tables == 0:
            return None
        if app_id != APPLICATION_ID:
            raise AuthorizationStoreError(
                f"{self.path} is an SQLite database but not an iopauth authorization store"
            )
        if version > SCHEMA_VERSION:
            raise AuthorizationStoreError(
                f"the store {self.path} was written by a newer iopauth (schema {version}; "
                f"this version reads up to {SCHEMA_VERSION})"
            )
        return version

    def _error(self, exc: sqlite3.Error) -> AuthorizationStoreError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return AuthorizationStoreError(f"the store {self.path} is busy; try again")
        return AuthorizationStoreError(f"the store {self.path} is damaged or unreadable: {exc}")

    def close(self) -> None:
        """Close the file; the store cannot be used afterwards."""
        self._conn.close()

    def __enter__(self) -> AuthorizationStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AuthorizationStore({str(self.path)!r})"

    # --- transactions ----------------------------------------------------------------------

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _read(self, conn: sqlite3.Connection, ref: str) -> Authorization | None:
        row = conn.execute(
            "SELECT case_id, document FROM authorization_record WHERE number = ? OR case_id = ? "
            "ORDER BY number = ? DESC LIMIT 1",
            (ref, ref, ref),
        ).fetchone()
        return None if row is None else self._decode(row[0], row[1])

    def _decode(self, case_id: str, document: str) -> Authorization:
        try:
            return load_authorization(document)
        except (ValueError, TypeError, InvalidAuthorizationError):
            raise AuthorizationStoreError(
                f"the record of case {key_text(str(case_id))} in {self.path} is damaged"
            ) from None

    def update(self, ref: str, change: Callable[[Authorization], Authorization]) -> Authorization:
        """Read one authorization, ``change`` it and write the result, in one transaction.

        ``change`` must be a pure function of the record (it may run while other processes
        wait); the new record is returned.
        """
        with self._transaction(write=True) as conn:
            auth = self._read(conn, ref)
            if auth is None:
                raise UnknownAuthorizationError(_unknown(ref))
            new = change(auth)
            if new != auth:
                _put(conn, new, old_case_id=auth.case_id)
            return new

    # --- the operations ---------------------------------------------------------------------

    def add(self, auth: Authorization) -> None:
        """Store a new authorization; refused when its case id or number is already stored."""
        with self._transaction(write=True) as conn:
            for ref in (auth.case_id, auth.authorization_number):
                if ref is not None and self._read(conn, ref) is not None:
                    raise AuthorizationStoreError(
                        f"the store already holds an authorization for {ref}"
                    )
            _put(conn, auth, old_case_id=None)

    def save(self, auth: Authorization) -> None:
        """Store ``auth``, replacing the record with the same case id."""
        with self._transaction(write=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM authorization_record WHERE case_id = ?", (auth.case_id,)
            ).fetchone()
            _put(conn, auth, old_case_id=auth.case_id if exists else None)

    def get(self, ref: str) -> Authorization:
        """The authorization with this authorization number or case id (number first)."""
        with self._transaction(write=False) as conn:
            auth = self._read(conn, ref)
        if auth is None:
            raise UnknownAuthorizationError(_unknown(ref))
        return auth

    def all(self) -> list[Authorization]:
        """Every stored authorization that loads, by case id (damaged ones: :attr:`skipped`)."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                "SELECT case_id, document FROM authorization_record ORDER BY case_id"
            ).fetchall()
        return self._decode_around(rows)

    def _decode_around(self, rows: list[tuple[str, str]]) -> list[Authorization]:
        found, skipped = [], []
        for case_id, document in rows:
            try:
                found.append(self._decode(case_id, document))
            except AuthorizationStoreError:
                skipped.append(key_text(str(case_id)))
        self.skipped = tuple(skipped)
        for case_id in skipped:
            log.warning("the record of case %s in %s is damaged; skipped", case_id, self.path)
        return found

    def list_open(self, as_of: date | None = None) -> list[Authorization]:
        """Authorizations still needing attention (see :func:`is_open`), by case id."""
        closed = (AuthorizationStatus.CANCELLED.value, AuthorizationStatus.NOT_REQUIRED.value)
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                "SELECT case_id, document FROM authorization_record "
                "WHERE status NOT IN (?, ?) ORDER BY case_id",
                closed,
            ).fetchall()
        return [auth for auth in self._decode_around(rows) if is_open(auth, as_of)]

    def record_usage(self, ref: str, entries: Iterable[Usage]) -> Authorization:
        """Add usage to one authorization in one transaction; returns the new record."""
        new = tuple(entries)
        return self.update(ref, lambda auth: record_usage(auth, new))

    def apply_decision(self, decision: Decision, ref: str | None = None) -> Authorization:
        """Apply a payer decision to the authorization ``ref`` (default: the decision's number).

        Applying the same decision twice changes nothing.
        """
        if ref is not None:
            return self.update(ref, lambda auth: apply_decision(auth, decision))
        number = decision.authorization_number
        if number is None:
            raise UnknownAuthorizationError(
                "the decision carries no authorization number: name the case it answers"
            )
        try:
            return self.update(number, lambda auth: apply_decision(auth, decision))
        except UnknownAuthorizationError:
            raise UnknownAuthorizationError(
                f"{_unknown(number)}; a first decision that brings the number needs the case "
                "it answers named"
            ) from None


def _unknown(ref: str) -> str:
    return f"no authorization with number or case id {ref!r} in the store"


def _put(conn: sqlite3.Connection, auth: Authorization, old_case_id: str | None) -> None:
    """Write one record (inside the caller's transaction); a record that would not load back
    is refused, so the store never holds one it cannot read.

    The record is checked by loading it back from the very text written, with the rules every
    read applies (text without control characters, lengths, array limits), not only by the
    record-level rules: the error lists each problem's JSON path.
    """
    problems = list(authorization_problems(auth))
    if problems:
        raise InvalidAuthorizationError(problems, "authorization")
    document = json.dumps(dump_authorization(auth), sort_keys=True, separators=(",", ":"))
    load_authorization(document)  # raises InvalidAuthorizationError naming each path
    values = (auth.case_id, auth.authorization_number, auth.status.value, document)
    try:
        if old_case_id is None:
            conn.execute(
                "INSERT INTO authorization_record (case_id, number, status, document) "
                "VALUES (?, ?, ?, ?)",
                values,
            )
        else:
            conn.execute(
                "UPDATE authorization_record SET case_id = ?, number = ?, status = ?, "
                "document = ? WHERE case_id = ?",
                (*values, old_case_id),
            )
    except sqlite3.IntegrityError:
        raise AuthorizationStoreError(
            f"authorization number {auth.authorization_number} is already used by another case"
        ) from None

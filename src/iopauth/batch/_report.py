"""The report of a batch: each case's result, ``report.json`` written and read back.

Entries name field paths and rules, never case data; ``case_id`` is the caller's opaque
reference (see :class:`iopauth.model.Case`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import field, frozen

from .._support.files import read_bounded

__all__ = [
    "REPORT_NAME",
    "BatchReport",
    "CaseResult",
    "WrittenFile",
    "complete",
    "read_report",
    "remove_stale_parts",
    "report_json",
]

REPORT_NAME = "report.json"
#: Largest earlier report read back for ``resume`` (a few hundred bytes a case).
MAX_REPORT_BYTES = 64 * 1024 * 1024


@frozen
class WrittenFile:
    """One PDF a batch wrote: its document, file name (inside ``out_dir``), SHA-256, size."""

    document: str
    file: str
    sha256: str
    bytes: int


@frozen(kw_only=True)
class CaseResult:
    """What happened to one case: ``status`` is ``ok``, ``invalid`` or ``failed``.

    ``name`` prefixes the case's files (``<name>--<document>.pdf``); ``errors`` holds one
    line per problem (field path and rule, never case data); ``criteria_set``,
    ``criteria_version`` and ``review`` say what ``outcome`` was decided against; ``drafts``
    names the letters marked DRAFT (the case does not meet its criteria); ``notices`` says
    what the reader should know about written files (a patient summary written in English
    because the patient's language has no catalog); ``resumed`` is true when a resumed batch
    found the case already done.
    """

    name: str
    source: str
    input_sha256: str
    status: str
    case_id: str | None = None
    outcome: str | None = None
    criteria_set: str | None = None
    criteria_version: str | None = None
    review: str | None = None
    drafts: tuple[str, ...] = ()
    files: tuple[WrittenFile, ...] = ()
    skipped: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """True when every chosen document of the case was written."""
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        """The case's entry in ``report.json``."""
        return {
            "name": self.name,
            "source": self.source,
            "input_sha256": self.input_sha256,
            "status": self.status,
            "case_id": self.case_id,
            "outcome": self.outcome,
            "criteria_set": self.criteria_set,
            "criteria_version": self.criteria_version,
            "review": self.review,
            "drafts": list(self.drafts),
            "files": [
                {"document": f.document, "file": f.file, "sha256": f.sha256, "bytes": f.bytes}
                for f in self.files
            ],
            "skipped": list(self.skipped),
            "errors": list(self.errors),
            "notices": list(self.notices),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, resumed: bool = False) -> CaseResult:
        """An entry read back from ``report.json``."""
        return cls(
            name=str(data["name"]),
            source=str(data["source"]),
            input_sha256=str(data["input_sha256"]),
            status=str(data["status"]),
            case_id=data.get("case_id"),
            outcome=data.get("outcome"),
            criteria_set=data.get("criteria_set"),
            criteria_version=data.get("criteria_version"),
            review=data.get("review"),
            drafts=tuple(data.get("drafts", ())),
            files=tuple(WrittenFile(**f) for f in data.get("files", ())),
            skipped=tuple(data.get("skipped", ())),
            errors=tuple(data.get("errors", ())),
            notices=tuple(data.get("notices", ())),
            resumed=resumed,
        )


@frozen(kw_only=True)
class BatchReport:
    """Every case of a batch in input order, the documents asked for, and the wall time."""

    cases: tuple[CaseResult, ...]
    documents: tuple[str, ...] | None
    seconds: float
    report_path: Path = field(eq=False)

    @property
    def failed(self) -> tuple[CaseResult, ...]:
        """The cases that were invalid or failed."""
        return tuple(c for c in self.cases if not c.ok)

    def outcomes(self) -> dict[str, int]:
        """How many cases had each determination outcome (``invalid``/``failed`` too)."""
        return _outcomes(self.cases)

    def to_json(self) -> dict[str, Any]:
        """The whole report as written to ``report.json``."""
        return report_json(self.cases, self.documents, self.seconds, done=True)


def complete(done: CaseResult, digest: str, out: Path) -> bool:
    """True when ``done`` is for the same input and each of its files is whole and unchanged."""
    if not done.ok or done.input_sha256 != digest:
        return False
    return all(_file_sha256(out / w.file) == w.sha256 for w in done.files)


def _file_sha256(path: Path) -> str | None:
    """The SHA-256 of a regular file (not followed if it is a link), read in blocks; ``None``
    for anything else: a file planted in the output folder is hashed, never loaded whole."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_report(path: Path, chosen: tuple[str, ...] | None) -> dict[str, CaseResult]:
    """The entries of an earlier report for the same documents, by name (none if unusable)."""
    try:
        data = json.loads(read_bounded(path, MAX_REPORT_BYTES, pipes=False).decode("utf-8"))
        if data.get("documents") != (None if chosen is None else list(chosen)):
            return {}
        entries = (CaseResult.from_json(e) for e in data["cases"])
        return {e.name: e for e in entries}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}


def remove_stale_parts(out: Path) -> None:
    """Delete temporary files a killed batch left behind (``.<name>.pdf.<random>.part``)."""
    for stale in out.glob(".*.pdf.*.part"):
        stale.unlink(missing_ok=True)


def report_json(
    cases: Sequence[CaseResult], documents: tuple[str, ...] | None, seconds: float, done: bool
) -> dict[str, Any]:
    from .. import __version__

    return {
        "iopauth": __version__,
        "complete": done,
        "documents": None if documents is None else list(documents),
        "summary": {
            "cases": len(cases),
            "documents_written": sum(len(c.files) for c in cases),
            "failed": sum(1 for c in cases if not c.ok),
            "outcomes": _outcomes(cases),
            "seconds": round(seconds, 3),
        },
        "cases": [c.to_json() for c in cases],
    }


def _outcomes(cases: Iterable[CaseResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for case in cases:
        key = case.outcome if case.ok and case.outcome else case.status
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))

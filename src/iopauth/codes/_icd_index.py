"""The packaged ICD-10-CM index, read once on first use.

The file (``data/icd10cm-2026-04.tsv.gz``, written by ``scripts/build_icd_index.py``) holds one
sorted row per category or subcategory: ``code<TAB>billable<TAB>title``, codes without the dot.
A title starting with ``^`` continues the title of the nearest ancestor row; titles are resolved
on lookup, not at load, so the first lookup stays cheap.
"""

from __future__ import annotations

import bisect
import gzip
import re
import threading
from importlib.resources import files

INDEX_FILE = "icd10cm-2026-04.tsv.gz"
_PARENT_TITLE = "^"


class IcdIndex:
    """Codes (no dot) in sorted order, each with its billable flag and stored title.

    The rows are kept as the file's lines, sorted, and found by bisection: a tab sorts before
    every character a code may hold, so the lines sort as their codes do. A row is split only
    when it is looked up, so reading the index costs a split of the text into lines, not a
    parse of 98,000 rows (a third of an ``iopauth check`` process).
    """

    __slots__ = ("_billable", "_lines")

    def __init__(self, lines: list[str], billable: int) -> None:
        # lines: "code<TAB>flag<TAB>title", sorted, checked by parse()
        self._lines = lines
        self._billable = billable

    def _find(self, code: str) -> str | None:
        key = code + "\t"
        at = bisect.bisect_left(self._lines, key)
        if at < len(self._lines) and self._lines[at].startswith(key):
            return self._lines[at]
        return None

    def _row(self, code: str) -> tuple[str, str, str]:
        line = self._find(code)
        if line is None:
            raise KeyError(code)
        row = _ROW.fullmatch(line)
        if row is None:  # parse() counted tabs and flags; a code's own form is checked here
            raise ValueError(f"{INDEX_FILE}: a damaged row")
        return row[1], row[2], row[3]

    def __contains__(self, code: str) -> bool:
        return self._find(code) is not None

    def billable(self, code: str) -> bool:
        """Whether ``code`` (no dot, known) is a leaf that may go on a claim."""
        return self._row(code)[1] == "1"

    def title(self, code: str) -> str:
        """The full title of ``code`` (no dot, known), expanding ``^`` against its ancestors."""
        stored = self._row(code)[2]
        if not stored.startswith(_PARENT_TITLE):
            return stored
        parent = self._ancestor(code)
        if parent is None:  # the builder never writes ^ without an ancestor; keep it readable
            return stored[len(_PARENT_TITLE) :]
        return self.title(parent) + stored[len(_PARENT_TITLE) :]

    def _ancestor(self, code: str) -> str | None:
        # placeholder-X rows (T14.91X) are not codes, so walk every shorter prefix
        for end in range(len(code) - 1, 2, -1):
            if code[:end] in self:
                return code[:end]
        return None

    def descendants(self, code: str) -> list[str]:
        """Every row below ``code`` (no dot), in code order; the hierarchy follows prefixes."""
        start = bisect.bisect_left(self._lines, code)
        found: list[str] = []
        for line in self._lines[start:]:
            if not line.startswith(code):
                break
            other = line[: line.index("\t")]
            if other != code:
                found.append(other)
        return found

    def codes(self) -> list[str]:
        """Every code (no dot), sorted."""
        return [line[: line.index("\t")] for line in self._lines]

    def counts(self) -> tuple[int, int]:
        """(billable codes, header codes)."""
        return self._billable, len(self._lines) - self._billable


_ROW = re.compile(r"([A-Z0-9]{3,7})\t([01])\t(.*)")
_ROW_COUNT = re.compile(r"^# rows=(\d+) ", re.MULTILINE)


def parse(text: str) -> IcdIndex:
    """Build an :class:`IcdIndex` from the index file's text.

    The header's ``rows=`` count must equal the rows found, every row must hold two tabs
    around a 0 or 1 flag, and the rows must be sorted; otherwise (a damaged or truncated file)
    this raises rather than silently missing codes. Each check is one pass in C.
    """
    declared = _ROW_COUNT.search(text)
    if declared is None:
        raise ValueError(f"{INDEX_FILE}: row count does not match its header")
    start = 0
    while text.startswith("#", start):
        start = text.index("\n", start) + 1
    body = text[start:]
    lines = body.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    rows = int(declared.group(1))
    billable = body.count("\t1\t")
    well_formed = body.count("\t") == 2 * rows and billable + body.count("\t0\t") == rows
    if len(lines) != rows or not well_formed:
        raise ValueError(f"{INDEX_FILE}: row count does not match its header")
    if lines != sorted(lines):
        raise ValueError(f"{INDEX_FILE}: rows are not in code order")
    return IcdIndex(lines, billable)


_lock = threading.Lock()
_loaded: IcdIndex | None = None


def get_index() -> IcdIndex:
    """The packaged index, read and cached on the first call (thread-safe)."""
    global _loaded  # noqa: PLW0603  (a module-level cache is the point: load once per process)
    if _loaded is None:
        with _lock:
            if _loaded is None:
                resource = files("iopauth.codes").joinpath("data", INDEX_FILE)
                with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
                    _loaded = parse(f.read())
    return _loaded

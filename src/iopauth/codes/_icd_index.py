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
from operator import itemgetter

INDEX_FILE = "icd10cm-2026-04.tsv.gz"
_PARENT_TITLE = "^"


class IcdIndex:
    """Codes (no dot) in sorted order, each with its billable flag and stored title."""

    __slots__ = ("_codes", "_rows")

    def __init__(self, rows: dict[str, tuple[str, str, str]]) -> None:
        # rows: code -> (code, "1" billable or "0" header, stored title), as the regex found them
        self._rows = rows
        self._codes = sorted(rows)

    def __contains__(self, code: str) -> bool:
        return code in self._rows

    def billable(self, code: str) -> bool:
        """Whether ``code`` (no dot, known) is a leaf that may go on a claim."""
        return self._rows[code][1] == "1"

    def title(self, code: str) -> str:
        """The full title of ``code`` (no dot, known), expanding ``^`` against its ancestors."""
        stored = self._rows[code][2]
        if not stored.startswith(_PARENT_TITLE):
            return stored
        parent = self._ancestor(code)
        if parent is None:  # the builder never writes ^ without an ancestor; keep it readable
            return stored[len(_PARENT_TITLE) :]
        return self.title(parent) + stored[len(_PARENT_TITLE) :]

    def _ancestor(self, code: str) -> str | None:
        # placeholder-X rows (T14.91X) are not codes, so walk every shorter prefix
        for end in range(len(code) - 1, 2, -1):
            if code[:end] in self._rows:
                return code[:end]
        return None

    def descendants(self, code: str) -> list[str]:
        """Every row below ``code`` (no dot), in code order; the hierarchy follows prefixes."""
        start = bisect.bisect_right(self._codes, code)
        found: list[str] = []
        for other in self._codes[start:]:
            if not other.startswith(code):
                break
            found.append(other)
        return found

    def codes(self) -> list[str]:
        """Every code (no dot), sorted."""
        return list(self._codes)

    def counts(self) -> tuple[int, int]:
        """(billable codes, header codes)."""
        billable = sum(1 for _, flag, _ in self._rows.values() if flag == "1")
        return billable, len(self._rows) - billable


# One C-level regex pass is about twice as fast as a Python loop over 98,000 lines.
_ROW = re.compile(r"^([A-Z0-9]{3,7})\t([01])\t(.*)$", re.MULTILINE)
_ROW_COUNT = re.compile(r"^# rows=(\d+) ", re.MULTILINE)


def parse(text: str) -> IcdIndex:
    """Build an :class:`IcdIndex` from the index file's text.

    The header's ``rows=`` count must equal the rows found, so a damaged line (which the regex
    would skip) is an error, not a silently missing code.
    """
    rows_found = _ROW.findall(text)
    declared = _ROW_COUNT.search(text)
    if declared is None or int(declared.group(1)) != len(rows_found):
        raise ValueError(f"{INDEX_FILE}: row count does not match its header")
    return IcdIndex(dict(zip(map(itemgetter(0), rows_found), rows_found, strict=True)))


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

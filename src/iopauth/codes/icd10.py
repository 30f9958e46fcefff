"""ICD-10-CM diagnosis codes: format, lookup, billability and the diagnosis category.

Rules (domain/codes.md §1): a code has 3–7 characters, a letter, a digit, then letters or digits
(one exception, the QA0 block, see ``_FORMAT``); the dot goes after character 3. Only billable
(leaf) codes go on a claim; a header, including a code that lacks its required 7th character
(T14.91 for T14.91XA), is refused with suggestions.

The code set is the one ``simple-icd-10-cm`` 1.5.0 bundles (CDC April 1, 2026 release of FY2026),
shipped as a compact index built by ``scripts/build_icd_index.py`` and read on the first lookup,
never at import. Billability is the package's leaf status. The index holds 74,719 billable codes
and 23,467 headers, the FY2026 order-file counts codes.md §2 reports; the 74,724 of codes.md §3
counts five billable codes twice (``get_all_codes`` lists a category such as F99 again as the
one-category block of the same name).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from attrs import frozen

from ._icd_index import get_index

ICD10CM_VERSION = "ICD-10-CM FY2026, April 1, 2026 release (via simple-icd-10-cm 1.5.0)"
"""The code set behind every lookup."""

# FY2026 applies to dates of service 1 Oct 2025 – 30 Sep 2026; FY2027 from 1 Oct 2026
# (codes.md §2). Callers compare a date of service with these to warn when the shipped code set
# is not the one in force.
ICD10CM_FIRST_DAY = date(2025, 10, 1)
ICD10CM_LAST_DAY = date(2026, 9, 30)

DiagnosisCategory = Literal["mental_health", "substance_use", "other"]

FORMAT_RULE = "not in ICD-10-CM format (a letter, a digit, then 1 to 5 letters or digits)"

# After the optional dot is removed. U is accepted as a first letter: ICD-10-CM uses U codes
# (U07.1, U09.9), so the "any letter except U" rule in one source is outdated (codes.md §1).
# One exception to "character 2 is a digit" is in the shipped release itself: FY2026 chapter 17
# ends with block QA0 (neurodevelopmental disorders related to genetic variants, QA0.0101 …),
# 20 rows, 13 of them billable. Only that prefix is let through, so "FF32" stays malformed; a
# test checks that every code of the index passes this format, so a new such prefix in a future
# release fails the suite instead of being silently refused.
_FORMAT = re.compile(r"(?:[A-Z][0-9]|QA)[A-Z0-9]{1,5}", re.ASCII)
_SUGGESTIONS = 3


@frozen(kw_only=True)
class IcdCode:
    """One ICD-10-CM code of the index: ``code`` with its dot, billable flag and official title."""

    code: str
    billable: bool
    title: str


def _compact(code: str) -> str | None:
    """Upper-case, dot-free form of ``code``, or ``None`` when the format is impossible."""
    # ASCII first: str.upper() maps some non-ASCII letters to ASCII ("ß" -> "SS")
    if not isinstance(code, str) or not code.isascii():
        return None
    text = code.strip().upper()
    if "." in text:
        head, _, tail = text.partition(".")
        # one dot, right after character 3, with something after it
        if len(head) != 3 or not tail or "." in tail:
            return None
        text = head + tail
    return text if _FORMAT.fullmatch(text) else None


def _dotted(compact: str) -> str:
    return compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"


def normalize_icd10(code: str) -> str | None:
    """The normalized form of ``code`` (``"f329"`` -> ``"F32.9"``), or ``None`` if malformed.

    Strips surrounding whitespace, upper-cases (placeholder x becomes X) and puts the dot after
    character 3. Input may carry that dot already; a dot anywhere else is malformed. Only the
    format is checked: the code may still be unknown or a header (see :func:`check_icd10`).
    """
    compact = _compact(code)
    return None if compact is None else _dotted(compact)


def lookup_icd10(code: str) -> IcdCode | None:
    """The index entry for ``code`` (any accepted spelling), or ``None`` when unknown.

    The first call reads the packaged index (a few hundredths of a second); later calls are
    binary searches over its sorted rows.
    """
    compact = _compact(code)
    if compact is None:
        return None
    index = get_index()
    if compact not in index:
        return None
    return IcdCode(
        code=_dotted(compact), billable=index.billable(compact), title=index.title(compact)
    )


def _billable_below(compact: str) -> list[str]:
    """Billable codes below the header ``compact`` (no dots), best suggestions first.

    Shortest codes first (the nearest level below the header), then codes whose title has
    ", unspecified" (the usual fallback when the record lacks detail: F32.9, F32.A for F32),
    then code order. This is a hint for the person fixing the request, not coding advice.
    """
    index = get_index()
    leaves = [c for c in index.descendants(compact) if index.billable(c)]
    leaves.sort(key=lambda c: (len(c), ", unspecified" not in index.title(c), c))
    return leaves


def _needs_seventh(compact: str, leaves: list[str]) -> bool:
    """Whether the only billable codes below add just a 7th character (after placeholder X)."""
    stem = compact.ljust(6, "X")
    return bool(leaves) and all(len(c) == 7 and c.startswith(stem) for c in leaves)


def _or_list(codes: list[str]) -> str:
    if len(codes) <= 1:
        return "".join(codes)
    return f"{', '.join(codes[:-1])} or {codes[-1]}"


def check_icd10(code: str) -> str | None:
    """``None`` if ``code`` is a billable ICD-10-CM code, else the rule it breaks, in words.

    The message never repeats the input. For a header it names up to three billable codes below
    it; a code missing its required 7th character is reported as such.
    """
    compact = _compact(code)
    if compact is None:
        return FORMAT_RULE
    index = get_index()
    if compact not in index:
        return f"not a code in {ICD10CM_VERSION}"
    if index.billable(compact):
        return None
    leaves = _billable_below(compact)
    if _needs_seventh(compact, leaves):
        kind = "missing its required 7th character"
    elif len(compact) == 3:
        kind = "category header"
    else:
        kind = "subcategory header"
    if not leaves:  # every header in the shipped index has billable codes below it
        return f"{kind}; not billable"
    choices = [_dotted(c) for c in leaves[:_SUGGESTIONS]]
    return f"{kind}; choose a billable code such as {_or_list(choices)}"


def diagnosis_category(code: str) -> DiagnosisCategory:
    """Whether ``code`` is a substance-use, other mental-health or other diagnosis.

    By ICD-10-CM chapter 5 blocks (codes.md §4): F10–F19 (psychoactive substance use, nicotine
    F17 included) are ``"substance_use"``; every other F code (F01–F09, F20–F99) is
    ``"mental_health"``; all other chapters are ``"other"`` — including behavioral symptom codes
    such as R45.851 (suicidal ideation) and Z codes, which support but do not define the
    program's diagnosis. Only the format is checked, not whether the code exists.

    Raises :class:`ValueError` when the code is not in ICD-10-CM format.
    """
    compact = _compact(code)
    if compact is None:
        raise ValueError(FORMAT_RULE)
    if compact[0] != "F":
        return "other"
    return "substance_use" if compact[1] == "1" else "mental_health"


def index_size() -> tuple[int, int]:
    """(billable codes, header codes) in the shipped index; reads it on first use."""
    return get_index().counts()

"""Which criteria rows a payer-facing letter prints, and whether it claims a review at all.

The rule (docs/templates.md "What a letter claims"):

- a letter for a case that **meets** its criteria says "We reviewed the record against …" and
  prints each criterion on which the record holds a fact; a row with no fact behind it is left
  out (and named as left out), never filled with a generic phrase;
- a **draft** (a case that does not meet, rendered without ``final``) keeps the sentence and
  every row, the failing ones marked, so the clinician sees the whole review;
- a **final** letter for a case that does not meet claims no review: no "we reviewed" sentence
  and no criteria table; it states the clinician's reasons (the clinical sections) only.
"""

from __future__ import annotations

import attrs

from ..criteria.result import Determination, Outcome
from .views import FindingView

__all__ = ["letter_findings", "shows_review"]


def shows_review(determination: Determination | None, draft: bool) -> bool:
    """True when the letter may say which criteria it was reviewed against."""
    if determination is None:
        return False
    return draft or determination.outcome is Outcome.MEETS


def _has_fact(finding: FindingView) -> bool:
    """A row has something to print: a sentence of the record, or what is still to follow."""
    if finding.basis:
        return True
    return finding.status == "unknown" and bool(finding.documentation)


def letter_findings(
    findings: tuple[FindingView, ...], draft: bool
) -> tuple[tuple[FindingView, ...], tuple[str, ...]]:
    """The rows a letter prints and the titles of those left out for want of a fact.

    A draft prints every finding (a failing one with no sentence of the record is still
    printed: its "Not met" mark is the fact); a letter for a case that meets prints those that
    support the request and have a fact behind them.
    """
    shown: list[FindingView] = []
    left_out: list[str] = []
    for f in findings:
        if (draft and f.tone == "bad") or (f.tone != "bad" and _has_fact(f)):
            shown.append(f)
        elif f.tone != "bad":
            left_out.append(f.title)
    return _once_each(tuple(shown)), tuple(left_out)


def _once_each(findings: tuple[FindingView, ...]) -> tuple[FindingView, ...]:
    """Each sentence of the record quoted in full in the first row that needs it; a later row
    that has sentences of its own names the earlier row for the rest, and a row with nothing
    of its own states its evidence again rather than only pointing elsewhere."""
    first_row: dict[str, str] = {}
    out = []
    for f in findings:
        fresh = tuple(b for b in f.basis if b not in first_row)
        earlier = list(dict.fromkeys(first_row[b] for b in f.basis if b in first_row))
        for sentence in fresh:
            first_row[sentence] = f.title
        basis = f.basis
        if fresh and earlier:
            rows = " and ".join(f"\u201c{t}\u201d" for t in earlier[:2])
            more = " and other rows" if len(earlier) > 2 else ""
            basis = (*fresh, f"See also the record quoted under {rows}{more} above.")
        out.append(attrs.evolve(f, basis=basis))
    return tuple(out)

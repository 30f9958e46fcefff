"""The shapes a payer-supplied value must have before iopauth repeats it.

A payer's answer is not trusted text: an "authorization number" may hold an escape sequence, a
patient's name or 20,000 characters. Messages and the CLI quote a value only when it has the
shape of its code system (issue 24 point 1); anything else is counted, never quoted.
"""

from __future__ import annotations

import re

from ..errors import X12_CODE

__all__ = [
    "AUTHORIZATION_NUMBER",
    "FHIR_PATH",
    "X12_CODE",
    "X12_ELEMENT",
    "fits",
    "shown",
]

# X12_CODE (errors.X12_CODE, one shape for every X12 code value iopauth repeats: HCR01 review
# action A1..A6, C, CT, NA; 901 reject reasons 04, T4; 889 follow-up C; HCR03 reasons): short
# upper-case letters and digits. The code lists themselves are X12's licensed content; this is
# their form, not their content. An OperationOutcome's codes are shaped by
# errors.outcome_lines, the one wording of a payer's OperationOutcome.
#: An authorization or reference number, conservatively: letters, digits and hyphens, at most
#: 30 (the IG's examples: AUTH0001, PEND0001; the RI uses a UUID's 36 characters and is counted).
AUTHORIZATION_NUMBER = re.compile(r"[A-Za-z0-9-]{1,30}")
#: An X12 loop and element reference (errorElement, e.g. ``2010A-NM103``).
X12_ELEMENT = re.compile(r"[0-9]{4}[A-Z]{0,2}-[A-Z]{1,3}[0-9]{2,4}")
#: A FHIRPath made only of names and indexes (``Bundle.entry[1].resource.name``).
FHIR_PATH = re.compile(
    r"[A-Za-z][A-Za-z0-9]{0,63}(\[[0-9]{1,4}\])?(\.[A-Za-z][A-Za-z0-9]{0,63}(\[[0-9]{1,4}\])?){0,15}"
)


def fits(value: str | None, shape: re.Pattern[str]) -> bool:
    """``value`` has the whole shape (``None`` never does)."""
    return value is not None and shape.fullmatch(value) is not None


def shown(value: str | None, shape: re.Pattern[str], what: str) -> str:
    """``value`` when it has the shape, else words saying one was sent in another form."""
    if fits(value, shape):
        return str(value)
    return f"(a {what} not in the expected form)"

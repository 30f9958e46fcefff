"""A questionnaire answer in words, the payer's text within bounds, and ``enableWhen``.

Answers are written as a payer's reviewer reads them: yes or no, dates in the long form
(``June 5, 2026``; ``June 2026`` for a month), numbers as given, a coded answer by its display
(an ICD-10-CM code without one by its official title), a quantity with its unit. A reference
or an attached file is named, not followed. Used by :mod:`iopauth.rendering.questionnaire`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .._support.answer_compare import OPERATORS, compare_answers
from .._support.dates import MONTHS, long_date
from ..caseformat._text import BAD_CHARS
from ..codes import lookup_icd10
from ..errors import RenderError

__all__ = ["PayerText", "answer_words", "conditions_hold", "fhir_date"]

_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# FHIR R4 date, dateTime and time (the regular expressions of the FHIR datatypes page, loosened
# only in not checking the day against the month, which date() then does).
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})"
)
_TIME = re.compile(r"(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?")
#: Largest number printed: beyond it a value is not a clinical answer (case numbers stay
#: within 1,000,000,000; this leaves room for a payer's larger amounts).
MAX_NUMBER = 10**15
_COMPARATORS = {"<": "less than", "<=": "at most", ">=": "at least", ">": "more than"}


class PayerText:
    """Checks each string the page prints and counts them against one total."""

    def __init__(self, longest: int, total: int) -> None:
        self.longest, self.total, self.used = longest, total, 0

    def optional(self, value: object, path: str) -> str | None:
        """``value`` checked (``None`` when absent); :class:`RenderError` naming ``path``."""
        if value is None:
            return None
        if not isinstance(value, str):
            raise RenderError(f"{path}: must be a string")
        if len(value) > self.longest:
            raise RenderError(f"{path}: longer than {self.longest} characters")
        if BAD_CHARS.search(value):
            raise RenderError(
                f"{path}: holds a control, bidirectional or invisible format character"
            )
        self.used += len(value)
        if self.used > self.total:
            raise RenderError(f"{path}: the questionnaire prints more than {self.total} characters")
        return value.strip() or None


def fhir_date(text: str) -> date | str | None:
    """A FHIR date: a ``date`` when whole, ``June 2026`` or ``2026`` when partial, else None."""
    found = _DATE.fullmatch(text)
    if found is None:
        return None
    year, month, day = found.groups()
    try:
        if day is not None:
            return date(int(year), int(month), int(day))
        if month is not None:
            return f"{MONTHS[int(month) - 1]} {int(year)}" if 1 <= int(month) <= 12 else None
    except ValueError:
        return None
    return year


def answer_words(answer: dict[str, Any], path: str, text: PayerText) -> str:  # noqa: PLR0911
    """One answer (``value[x]``) in words; :class:`RenderError` at ``path`` for a bad one."""
    keys = [k for k in answer if k.startswith("value")]
    if len(keys) != 1:
        raise RenderError(f"questionnaire {path}: must hold exactly one value")
    key, value = keys[0], answer[keys[0]]
    where = f"questionnaire {path}.{key}"
    if key == "valueBoolean" and isinstance(value, bool):
        return "Yes" if value else "No"
    if key in ("valueInteger", "valueDecimal"):
        return _number(value, where)
    if key in ("valueString", "valueUri"):
        return text.optional(value, where) or ""
    if key == "valueDate":
        return _date(text.optional(value, where) or "", where)
    if key == "valueDateTime":
        return _date_time(text.optional(value, where) or "", where)
    if key == "valueTime":
        found = _TIME.fullmatch(text.optional(value, where) or "")
        if found is None:
            raise RenderError(f"{where}: must be a FHIR time (hh:mm:ss)")
        return f"{found.group(1)}:{found.group(2)}"
    if key == "valueCoding" and isinstance(value, dict):
        return _coding(value, where, text)
    if key == "valueQuantity" and isinstance(value, dict):
        return _quantity(value, where, text)
    if key == "valueReference" and isinstance(value, dict):
        shown = text.optional(value.get("display"), f"{where}.display")
        return shown or "A record in the sender's system (not printed here)"
    if key == "valueAttachment" and isinstance(value, dict):
        title = text.optional(value.get("title"), f"{where}.title")
        return f"Attached file: {title}" if title else "An attached file (not printed here)"
    raise RenderError(f"{where}: not an answer value FHIR R4 allows")


def _number(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RenderError(f"{where}: must be a number")
    if abs(value) > MAX_NUMBER or value != value:  # noqa: PLR0124 -- NaN is not equal to itself
        raise RenderError(f"{where}: larger than {MAX_NUMBER}")
    if isinstance(value, int):
        return str(value)
    written = format(Decimal(repr(value)), "f")
    return written.rstrip("0").rstrip(".") if "." in written else written


def _date(value: str, where: str) -> str:
    found = fhir_date(value)
    if found is None:
        raise RenderError(f"{where}: must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return long_date(found) if isinstance(found, date) else found


def _date_time(value: str, where: str) -> str:
    found = _DATETIME.fullmatch(value)
    if found is None:
        return _date(value, where)  # a dateTime may be a date alone
    day, hours, minutes, zone = found.groups()
    zone_words = "UTC" if zone == "Z" else f"UTC{zone}"
    return f"{_date(day, where)}, {hours}:{minutes} ({zone_words})"


def _coding(value: dict[str, Any], where: str, text: PayerText) -> str:
    display = text.optional(value.get("display"), f"{where}.display")
    code = text.optional(value.get("code"), f"{where}.code")
    if value.get("system") == _ICD10CM and code is not None:
        # a diagnosis is read by its code too; the official title where the payer gave none
        known = lookup_icd10(code)
        title = display or (known.title if known is not None else None)
        shown = known.code if known is not None else code
        return f"{title} (ICD-10-CM {shown})" if title else f"ICD-10-CM {shown}"
    if display:
        return display
    if code is None:
        raise RenderError(f"{where}: a coded answer needs a display or a code")
    return code


def _quantity(value: dict[str, Any], where: str, text: PayerText) -> str:
    amount = _number(value.get("value"), f"{where}.value")
    unit = text.optional(value.get("unit"), f"{where}.unit") or text.optional(
        value.get("code"), f"{where}.code"
    )
    comparator = _COMPARATORS.get(str(value.get("comparator")), "")
    words = f"{comparator} {amount}".strip()
    return f"{words} {unit}" if unit else words


def conditions_hold(item: dict[str, Any], answers: Mapping[str, list[object]], path: str) -> bool:
    """Whether a Questionnaire item is asked, given the response's answers (``enableWhen``).

    Read against the answers the response holds (FHIR R4: a question that is not enabled has
    no answer in the response), so no condition is followed to another and no cycle can form.
    """
    raw = item.get("enableWhen")
    if raw is None:
        return True
    if not isinstance(raw, list) or len(raw) > 50:
        raise RenderError(f"questionnaire {path}.enableWhen: must be an array of at most 50")
    results = []
    for i, cond in enumerate(raw):
        if not isinstance(cond, dict) or not isinstance(cond.get("question"), str):
            raise RenderError(f"questionnaire {path}.enableWhen[{i}].question: required")
        operator = cond.get("operator")
        expected = next((v for k, v in cond.items() if k.startswith("answer")), None)
        given = answers.get(cond["question"], [])
        if operator == "exists":
            results.append(bool(given) == (expected is True))
        elif operator in OPERATORS:
            results.append(any(compare_answers(a, str(operator), expected) for a in given))
        else:
            raise RenderError(f"questionnaire {path}.enableWhen[{i}].operator: not a FHIR operator")
    return all(results) if item.get("enableBehavior", "all") == "all" else any(results)

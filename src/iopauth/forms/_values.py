"""From a mapping entry and a case to the text (or state) each form field receives.

Every problem is a line ``<toml path>: <rule>`` that names the form field and its limit, never
the case's value: the values are patient data.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ._derived import DERIVED
from ._mapping import Entry, FormMapping, Scalar
from ._pdf import FormField, shown, shown_options

if TYPE_CHECKING:
    from ..criteria import Determination
    from ..model import Case

__all__ = ["EntryError", "entry_values", "plain", "source_value"]

# A field's value: text for text, choice and list fields, an appearance state name ("/On")
# for check boxes and radio groups, or None to leave the field as the form has it.
FieldValue = str | None


class EntryError(Exception):
    """One rule broken while computing an entry's values (caught and collected by the caller)."""


def source_value(entry: Entry, case: Case, determination: Determination | None) -> object:
    """The entry's value before formatting: from the case, a derived value, text or a finding."""
    if entry.path is not None:
        return entry.path.resolve(case)
    if entry.derived is not None:
        return DERIVED[entry.derived].compute(case, determination)
    if entry.criterion is not None:
        assert determination is not None  # noqa: S101 -- fill() evaluates when entries need it
        finding = determination.by_criterion().get(entry.criterion)
        if finding is None:
            raise EntryError(
                f"criterion: criteria set {determination.criteria_set!r} has no criterion "
                f"{entry.criterion!r} for this review"
            )
        return finding.status
    return entry.text


def entry_values(
    entry: Entry,
    value: object,
    fields: dict[str, FormField],
    mapping: FormMapping,
) -> dict[str, FieldValue]:
    """What each of the entry's fields receives; raises :class:`EntryError`."""
    value = plain(value, entry.join)
    if entry.parts or entry.digits:
        return _split_values(entry, value, fields)
    (name,) = entry.targets
    field = fields[name]
    if field.kind == "checkbox":
        return {name: _checkbox(entry, field, value)}
    if entry.checked_when is not None:
        raise EntryError(f"checked_when: {shown(name)} is a {field.kind} field, not a check box")
    if entry.choices is not None and value is not None:
        key = _key(value)
        if key not in entry.choices:
            raise EntryError("choices: has no entry for the case's value; add one")
        value = entry.choices[key]
    if value is None:
        return {name: None}
    text = _text(value, entry.format or mapping.date_format, entry.format)
    if field.kind == "text":
        text = f"{entry.prefix}{text}{entry.suffix}"
    return {name: _fit(field, text, "field")}


def _split_values(
    entry: Entry, value: object, fields: dict[str, FormField]
) -> dict[str, FieldValue]:
    """A date cut by ``parts`` or a number's digits cut by ``digits`` over several fields."""
    if value is None:
        return dict.fromkeys(entry.targets)
    if entry.parts:
        if not isinstance(value, date):
            raise EntryError("parts: splits a date, and this entry's value is not a date")
        texts = [value.strftime(p) for p in entry.parts]
    else:
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        if len(digits) != sum(entry.digits):
            raise EntryError(
                f"digits: the value has {len(digits)} digits; the groups take {sum(entry.digits)}"
            )
        texts, start = [], 0
        for size in entry.digits:
            texts.append(digits[start : start + size])
            start += size
    return {n: _fit(fields[n], t, "into") for n, t in zip(entry.targets, texts, strict=True)}


def plain(value: object, join: str) -> object:
    """Enums become their value; lists are joined; an empty list or text is ``None``."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, tuple):
        items = [plain(v, join) for v in value]
        value = join.join(str(v) for v in items if v is not None)
    if value == "":
        return None
    return value


def _key(value: object) -> str:
    """How a value is looked up in ``choices`` and compared with ``checked_when``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _checkbox(entry: Entry, field: FormField, value: object) -> FieldValue:
    if not field.states:
        raise EntryError(f"field: check box {shown(field.name)} has no drawn state to check")
    on = field.states[0]
    if value is None:
        return "/Off"
    if entry.checked_when is not None:
        checked = _key(value) in {_key(v) for v in entry.checked_when}
    elif entry.choices is not None:
        choice = entry.choices.get(_key(value))
        if choice is None:
            raise EntryError("choices: has no entry for the case's value; add one")
        checked = choice is True or (isinstance(choice, str) and choice == on)
        if not isinstance(choice, bool) and choice not in field.states:
            raise EntryError(
                f"choices: field {shown(field.name)} is a check box: give true or false"
            )
    elif isinstance(value, bool):
        checked = value
    else:
        raise EntryError(
            f"field: {shown(field.name)} is a check box and the value is not yes/no; "
            "add checked_when = the value(s) that check it"
        )
    return f"/{on}" if checked else "/Off"


def _text(value: Scalar | object, date_format: str, number_format: str | None) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime(date_format)
    if isinstance(value, int | float) and number_format is not None:
        try:
            return format(value, number_format)
        except ValueError:
            raise EntryError(
                f"format: {number_format!r} is not a number format such as .1f"
            ) from None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fit(field: FormField, text: str, key: str) -> FieldValue:
    """Check ``text`` against the field's kind and limit; return what the field receives."""
    if field.kind in ("radio", "choice", "list"):
        return _option(field, text, key)
    if field.kind == "checkbox":
        raise EntryError(
            f"{key}: {shown(field.name)} is a check box; a split value needs text fields"
        )
    if not field.multiline:
        text = " ".join(text.split())
    if field.max_length is not None and len(text) > field.max_length:
        raise EntryError(
            f"{key}: {shown(field.name)} holds at most {field.max_length} characters; "
            f"the value has {len(text)} (it is never cut: shorten it in the case or the mapping)"
        )
    return text


def _option(field: FormField, text: str, key: str) -> str:
    if field.kind == "radio":
        lookup: Callable[[str], str | None] = _radio_state(field)
        state = lookup(text)
        if state is None:
            raise EntryError(
                f"{key}: {shown(field.name)} takes one of {shown_options(field.options)}; "
                "map the case's value to one with choices"
            )
        return f"/{state}"
    if text not in field.options:
        raise EntryError(
            f"{key}: {shown(field.name)} takes one of {shown_options(field.options)}; "
            "map the case's value to one with choices"
        )
    return text


def _radio_state(field: FormField) -> Callable[[str], str | None]:
    by_option = dict(zip(field.options, field.states, strict=False))

    def lookup(text: str) -> str | None:
        if text in by_option:
            return by_option[text]
        return text if text in field.states else None

    return lookup

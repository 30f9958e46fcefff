"""Service codes (HCPCS Level II, CPT) and revenue codes (NUBC) as data.

The table is ``data/service-codes.toml`` (domain/codes.md §5–7), read on first use. Labels are
our own words: CPT descriptors are AMA-copyrighted, so only CPT codes and our labels ship.
Entries the domain marks [unverified] carry ``verified=False``; treat them as hints.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from typing import Literal, TypeVar, cast

from attrs import frozen

from .._support.once import once

SERVICE_FILE = "service-codes.toml"

Focus = Literal["mental_health", "substance_use"]
ServiceSystem = Literal["hcpcs", "cpt"]

SERVICE_FORMAT_RULE = (
    "not a HCPCS Level II code (a letter, then 4 digits) "
    "or a CPT code (4 digits, then a digit or letter)"
)
REVENUE_FORMAT_RULE = "not a revenue code (4 digits, e.g. 0905)"

_HCPCS = re.compile(r"[A-Z][0-9]{4}")
_CPT = re.compile(r"[0-9]{4}[0-9A-Z]")
_REVENUE = re.compile(r"[0-9]{4}")
_LEVELS = frozenset({"iop", "php"})
_FOCI = frozenset({"mental_health", "substance_use"})


@frozen(kw_only=True)
class ServiceCode:
    """A HCPCS Level II or CPT code with our label and where the domain places it.

    ``level`` is ``"iop"`` or ``"php"`` where the domain ties the code to one level of care,
    else ``None`` (G0410 serves both). ``focus`` is ``"mental_health"`` or ``"substance_use"``
    where the domain says. ``source`` is ``None`` only for unverified entries without a URL.
    """

    code: str
    system: ServiceSystem
    label: str
    level: str | None
    verified: bool
    source: str | None
    focus: Focus | None = None
    add_on: bool = False
    min_minutes: int | None = None
    max_minutes: int | None = None
    note: str | None = None


@frozen(kw_only=True)
class RevenueCode:
    """A NUBC revenue code with our label, level of care and focus (see :class:`ServiceCode`)."""

    code: str
    label: str
    level: str | None
    verified: bool
    source: str | None
    focus: Focus | None = None
    note: str | None = None


@frozen(kw_only=True)
class _Tables:
    services: dict[str, ServiceCode]
    revenue: dict[str, RevenueCode]
    defaults: dict[tuple[str, str], str]


_T = TypeVar("_T")


def _required(entry: Mapping[str, object], key: str, kind: type[_T], where: str) -> _T:
    value = _optional(entry, key, kind, where)
    if value is None:
        raise ValueError(f"{SERVICE_FILE} {where}: {key} is required")
    return value


def _optional(entry: Mapping[str, object], key: str, kind: type[_T], where: str) -> _T | None:
    value = entry.get(key)
    if value is None:
        return None
    # bool is an int subclass; a count given as true is a typo, not 1
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{SERVICE_FILE} {where}: {key} must be {kind.__name__}")
    return value


def _choice(value: str | None, allowed: frozenset[str], key: str, where: str) -> str | None:
    if value is not None and value not in allowed:
        raise ValueError(f"{SERVICE_FILE} {where}: {key} must be one of {sorted(allowed)}")
    return value


def _entries(
    data: Mapping[str, object], table: str, keys: frozenset[str]
) -> list[dict[str, object]]:
    raw = data.get(table, [])
    if not isinstance(raw, list):
        raise ValueError(f"{SERVICE_FILE}: [[{table}]] must be an array of tables")
    entries: list[dict[str, object]] = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not set(entry) <= keys:
            raise ValueError(f"{SERVICE_FILE} [[{table}]] #{number}: unknown or malformed keys")
        entries.append(cast(dict[str, object], entry))
    return entries


_SERVICE_KEYS = frozenset(
    {"code", "system", "label", "level", "focus", "verified", "source", "add_on"}
    | {"min_minutes", "max_minutes", "note"}
)
_REVENUE_KEYS = frozenset({"code", "label", "level", "focus", "verified", "source", "note"})
_DEFAULT_KEYS = frozenset({"level", "focus", "code", "source"})


def _service(entry: Mapping[str, object], where: str) -> ServiceCode:
    code = _required(entry, "code", str, where)
    system = _choice(
        _required(entry, "system", str, where), frozenset({"hcpcs", "cpt"}), "system", where
    )
    if not (_HCPCS if system == "hcpcs" else _CPT).fullmatch(code):
        raise ValueError(f"{SERVICE_FILE} {where}: code does not have the form of its system")
    return ServiceCode(
        code=code,
        system=cast(ServiceSystem, system),
        label=_required(entry, "label", str, where),
        level=_choice(_optional(entry, "level", str, where), _LEVELS, "level", where),
        verified=_required(entry, "verified", bool, where),
        source=_optional(entry, "source", str, where),
        focus=cast(
            Focus | None, _choice(_optional(entry, "focus", str, where), _FOCI, "focus", where)
        ),
        add_on=_optional(entry, "add_on", bool, where) or False,
        min_minutes=_optional(entry, "min_minutes", int, where),
        max_minutes=_optional(entry, "max_minutes", int, where),
        note=_optional(entry, "note", str, where),
    )


def _revenue(entry: Mapping[str, object], where: str) -> RevenueCode:
    code = _required(entry, "code", str, where)
    if revenue_code_format_error(code) is not None:
        raise ValueError(f"{SERVICE_FILE} {where}: {REVENUE_FORMAT_RULE}")
    return RevenueCode(
        code=code,
        label=_required(entry, "label", str, where),
        level=_choice(_optional(entry, "level", str, where), _LEVELS, "level", where),
        verified=_required(entry, "verified", bool, where),
        source=_optional(entry, "source", str, where),
        focus=cast(
            Focus | None, _choice(_optional(entry, "focus", str, where), _FOCI, "focus", where)
        ),
        note=_optional(entry, "note", str, where),
    )


def parse_tables(text: str) -> _Tables:
    """Validate the TOML text of the service table; a broken entry raises :class:`ValueError`."""
    data = tomllib.loads(text)
    services: dict[str, ServiceCode] = {}
    for n, entry in enumerate(_entries(data, "service", _SERVICE_KEYS), start=1):
        item = _service(entry, f"[[service]] #{n}")
        if item.code in services:
            raise ValueError(f"{SERVICE_FILE} [[service]] #{n}: duplicate code")
        services[item.code] = item
    revenue: dict[str, RevenueCode] = {}
    for n, entry in enumerate(_entries(data, "revenue", _REVENUE_KEYS), start=1):
        rev = _revenue(entry, f"[[revenue]] #{n}")
        if rev.code in revenue:
            raise ValueError(f"{SERVICE_FILE} [[revenue]] #{n}: duplicate code")
        revenue[rev.code] = rev
    defaults: dict[tuple[str, str], str] = {}
    for n, entry in enumerate(_entries(data, "default", _DEFAULT_KEYS), start=1):
        where = f"[[default]] #{n}"
        level = _choice(_required(entry, "level", str, where), _LEVELS, "level", where)
        focus = _choice(_required(entry, "focus", str, where), _FOCI, "focus", where)
        code = _required(entry, "code", str, where)
        target = services.get(code)
        if target is None:
            raise ValueError(f"{SERVICE_FILE} {where}: code is not in [[service]]")
        if (target.level, target.focus) != (level, focus):
            raise ValueError(f"{SERVICE_FILE} {where}: the code's own level or focus differs")
        defaults[(cast(str, level), cast(str, focus))] = code
    return _Tables(services=services, revenue=revenue, defaults=defaults)


@once()
def _tables() -> _Tables:
    text = files("iopauth.codes").joinpath("data", SERVICE_FILE).read_text(encoding="utf-8")
    return parse_tables(text)


def _clean(code: str) -> str:
    # add-on CPT codes are often written with a leading + (+90833)
    text = code.strip().upper()
    return text[1:] if text.startswith("+") else text


def service_code_format_error(code: str) -> str | None:
    """``None`` if ``code`` has the form of a HCPCS Level II or CPT code, else the rule.

    HCPCS Level II is a letter and 4 digits (``S9480``); CPT is 4 digits and a digit or letter
    (``90837``; category II/III codes end in F/T). Case, surrounding space and an add-on ``+``
    are ignored. Only the form is checked: see :func:`service_code` for known codes.
    """
    text = _clean(code)
    if text.isascii() and (_HCPCS.fullmatch(text) or _CPT.fullmatch(text)):
        return None
    return SERVICE_FORMAT_RULE


def revenue_code_format_error(code: str) -> str | None:
    """``None`` if ``code`` (surrounding space ignored) is 4 digits, else the rule."""
    text = code.strip()
    return None if text.isascii() and _REVENUE.fullmatch(text) else REVENUE_FORMAT_RULE


def service_code(code: str) -> ServiceCode | None:
    """The table entry for a HCPCS or CPT ``code`` (``"s9480"``, ``"+90833"`` work), or ``None``."""
    return _tables().services.get(_clean(code))


def revenue_code(code: str) -> RevenueCode | None:
    """The table entry for a revenue ``code`` (``"0905"``), or ``None`` when unknown."""
    return _tables().revenue.get(code.strip())


def service_codes() -> tuple[ServiceCode, ...]:
    """Every known service code, in table order (HCPCS first, then CPT)."""
    return tuple(_tables().services.values())


def revenue_codes() -> tuple[RevenueCode, ...]:
    """Every known revenue code, in table order."""
    return tuple(_tables().revenue.values())


def default_service_code(level: str, substance_use: bool) -> str:
    """The usual per-diem program code for a level of care and focus.

    Only the mappings the domain gives: IOP mental health ``S9480`` and IOP substance use
    ``H0015`` (BCBS North Carolina), PHP mental health ``H0035`` (Virginia DMAS form). Payers
    differ (BCBS North Carolina bills PHP as ``S0201``) and Medicare pays none of these, so the
    case's own service code always wins. ``level`` is ``"iop"`` or ``"php"`` (a
    :class:`~iopauth.model.LevelOfCare` works).

    Raises :class:`ValueError` for a level and focus the domain gives no code for (PHP
    substance use, other levels).
    """
    focus = "substance_use" if substance_use else "mental_health"
    found = _tables().defaults.get((str(level), focus))
    if found is None:
        raise ValueError(
            f"no default service code for level {str(level)!r} with focus {focus}; "
            "give the payer's code"
        )
    return found

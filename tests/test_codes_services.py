"""Service (HCPCS, CPT) and revenue code tables (iopauth.codes.services)."""

from __future__ import annotations

import pytest

from iopauth.codes import (
    REVENUE_FORMAT_RULE,
    SERVICE_FORMAT_RULE,
    RevenueCode,
    ServiceCode,
    default_service_code,
    revenue_code,
    revenue_code_format_error,
    revenue_codes,
    service_code,
    service_code_format_error,
    service_codes,
)
from iopauth.codes.services import parse_tables
from iopauth.model import LevelOfCare

HCPCS = ["S9480", "H0015", "S9475", "S0201", "H0035", "G0410", "G0411", "G0129", "G0176", "G0177"]
CPT = [
    "90791", "90792", "90832", "90834", "90837", "90833", "90836", "90838",
    "90839", "90840", "90846", "90847", "90853", "90785", "96127",
]  # fmt: skip
UNVERIFIED = {"S9475", "G0176", "G0177", "90839", "90840", "96127"}


def test_tables_hold_exactly_the_domain_codes() -> None:
    """The HCPCS, CPT and revenue codes of codes.md §5–7, no more and no fewer."""
    by_system: dict[str, set[str]] = {"hcpcs": set(), "cpt": set()}
    for entry in service_codes():
        by_system[entry.system].add(entry.code)
    assert by_system == {"hcpcs": set(HCPCS), "cpt": set(CPT)}
    assert [r.code for r in revenue_codes()] == ["0905", "0906", "0912", "0913"]


def test_verified_flags_and_sources() -> None:
    """Unverified entries say so; every verified entry cites an https URL."""
    entries: list[ServiceCode | RevenueCode] = [*service_codes(), *revenue_codes()]
    for entry in entries:
        code_is_unverified = entry.code in UNVERIFIED or isinstance(entry, RevenueCode)
        assert entry.verified is not code_is_unverified
        if entry.verified:
            assert entry.source is not None
        if entry.source is not None:
            assert entry.source.startswith("https://")
        assert entry.label
        assert entry.label == entry.label.strip()


@pytest.mark.parametrize(
    ("code", "level", "focus"),
    [
        ("S9480", "iop", "mental_health"),
        ("H0015", "iop", "substance_use"),
        ("H0035", "php", "mental_health"),
        ("S0201", "php", None),
        ("G0129", "php", None),
        ("G0410", None, None),
        ("S9475", None, "substance_use"),
        ("90853", None, None),
    ],
)
def test_service_levels(code: str, level: str | None, focus: str | None) -> None:
    """Level of care and focus are set only where the domain ties the code to them."""
    entry = service_code(code)
    assert entry is not None
    assert (entry.level, entry.focus) == (level, focus)


def test_service_code_lookup_spellings() -> None:
    """Lookups ignore case, surrounding space and an add-on plus sign."""
    assert service_code(" s9480 ") == service_code("S9480")
    add_on = service_code("+90833")
    assert add_on is not None
    assert add_on.add_on
    assert add_on.system == "cpt"
    assert (add_on.min_minutes, add_on.max_minutes) == (16, 37)
    assert service_code("99213") is None
    assert service_code("S94800") is None


def test_psychotherapy_time_bands() -> None:
    """30/45/60-minute psychotherapy bands meet without gaps from 16 minutes (Novitas)."""
    bands = [service_code(c) for c in ("90832", "90834", "90837")]
    assert [(b.min_minutes, b.max_minutes) for b in bands if b] == [(16, 37), (38, 52), (53, None)]


def test_medicare_note_on_s9480() -> None:
    """S9480 records that Medicare does not pay it."""
    entry = service_code("S9480")
    assert entry is not None
    assert entry.note is not None
    assert "not payable by Medicare" in entry.note


@pytest.mark.parametrize(
    ("code", "level", "focus"),
    [
        ("0905", "iop", "mental_health"),
        ("0906", "iop", "substance_use"),
        ("0912", "php", None),
        ("0913", "php", None),
    ],
)
def test_revenue_codes(code: str, level: str, focus: str | None) -> None:
    """Revenue codes carry their level of care and, for IOP, the focus."""
    entry = revenue_code(f" {code} ")
    assert entry is not None
    assert (entry.code, entry.level, entry.focus) == (code, level, focus)


@pytest.mark.parametrize("code", ["S9480", "h0015", "90837", "0001F", "0591T", "+90833", " G0410 "])
def test_service_format_accepts(code: str) -> None:
    """HCPCS Level II and CPT (including category II/III) forms pass."""
    assert service_code_format_error(code) is None


@pytest.mark.parametrize(
    "code", ["", "S948", "S94800", "SS480", "9083", "908377", "90-37", "S９480", "++90833"]
)
def test_service_format_rejects(code: str) -> None:
    """Other forms give the rule message."""
    assert service_code_format_error(code) == SERVICE_FORMAT_RULE


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("0905", True),
        (" 0913 ", True),
        ("905", False),
        ("09055", False),
        ("09O5", False),
        ("", False),
    ],
)
def test_revenue_format(code: str, ok: bool) -> None:
    """Revenue codes are exactly 4 digits."""
    assert revenue_code_format_error(code) == (None if ok else REVENUE_FORMAT_RULE)


def test_default_service_codes() -> None:
    """S9480 MH IOP, H0015 SUD IOP, H0035 MH PHP; LevelOfCare values work too."""
    assert default_service_code("iop", substance_use=False) == "S9480"
    assert default_service_code(LevelOfCare.IOP, substance_use=True) == "H0015"
    assert default_service_code(LevelOfCare.PHP, substance_use=False) == "H0035"


@pytest.mark.parametrize(("level", "sud"), [("php", True), ("outpatient", False), ("x", True)])
def test_default_service_code_unmapped(level: str, sud: bool) -> None:
    """Levels the domain gives no code for raise ValueError."""
    with pytest.raises(ValueError, match="no default service code"):
        default_service_code(level, substance_use=sud)


_DEFAULT = '[[default]]\nlevel = "iop"\nfocus = "mental_health"\ncode = "S9480"\n'
_ENTRY = '[[service]]\ncode = "S9480"\nsystem = "hcpcs"\nlabel = "x"\nverified = true\n'
_IOP_MH = 'level = "iop"\nfocus = "mental_health"\n'


def test_parse_tables_minimal() -> None:
    """A minimal valid table loads with its default mapping."""
    tables = parse_tables(_ENTRY + _IOP_MH + _DEFAULT)
    assert tables.defaults == {("iop", "mental_health"): "S9480"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_ENTRY + _ENTRY, "duplicate code"),
        (_ENTRY.replace("S9480", "S948"), "form of its system"),
        (_ENTRY.replace("S9480", "90837"), "form of its system"),
        (_ENTRY.replace("S9480", "+S9480"), "form of its system"),
        (_ENTRY.replace("hcpcs", "icd"), "system must be one of"),
        (_ENTRY + 'level = "day"\n', "level must be one of"),
        (_ENTRY + "min_minutes = true\n", "min_minutes must be int"),
        (_ENTRY + "lable = 'x'\n", "unknown or malformed keys"),
        (_ENTRY.replace("verified = true\n", ""), "verified is required"),
        (_ENTRY + _DEFAULT.replace("S9480", "H0015"), "not in \\[\\[service\\]\\]"),
        (_ENTRY + _DEFAULT, "level or focus differs"),
        ('[[revenue]]\ncode = "905"\nlabel = "x"\nverified = false\n', "not a revenue code"),
    ],
)
def test_parse_tables_refuses_broken_data(text: str, message: str) -> None:
    """A broken table entry is reported with its position, not silently loaded."""
    with pytest.raises(ValueError, match=message):
        parse_tables(text)

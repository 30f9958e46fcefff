"""ICD-10-CM format, lookup, billability and diagnosis category (iopauth.codes.icd10)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings

from iopauth.codes import (
    FORMAT_RULE,
    ICD10CM_VERSION,
    IcdCode,
    check_icd10,
    diagnosis_category,
    index_size,
    lookup_icd10,
    normalize_icd10,
)
from iopauth.codes._icd_index import INDEX_FILE, get_index, parse

from .strategies import icd10_like_text

CANONICAL = re.compile(r"(?:[A-Z][0-9]|QA)[A-Z0-9](?:\.[A-Z0-9]{1,4})?")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("f329", "F32.9"),
        ("t1491xa", "T14.91XA"),
        ("T14.91XA", "T14.91XA"),
        ("  F32.9\n", "F32.9"),
        ("F32", "F32"),
        ("z91.5", "Z91.5"),
        ("u071", "U07.1"),
        ("C4A", "C4A"),
        ("r45851", "R45.851"),
        ("qa0.0101", "QA0.0101"),
    ],
)
def test_normalize_accepts(raw: str, expected: str) -> None:
    """Valid spellings are stripped, upper-cased and dotted after character 3."""
    assert normalize_icd10(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "F",
        "F3",
        "12345",
        "FF32",
        "F32.9.1",
        "F329ABCD",  # 8 characters
        "F32.91234",  # 8 characters with the dot
        "F3.29",  # dot in the wrong place
        ".F329",
        "F32.",
        "F32 9",
        "F32-9",
        "F３２.9",  # full-width digits
        "Fß2",  # upper-cases to ASCII "FSS2"; must not sneak through
        "É32.9",
    ],
)
def test_normalize_rejects(raw: str) -> None:
    """Impossible formats give None and the format rule from check_icd10."""
    assert normalize_icd10(raw) is None
    assert lookup_icd10(raw) is None
    assert check_icd10(raw) == FORMAT_RULE


@given(icd10_like_text())
@settings(max_examples=300)
def test_normalize_idempotent_and_total(text: str) -> None:
    """normalize_icd10 never raises, returns canonical codes and is idempotent."""
    result = normalize_icd10(text)
    if result is not None:
        assert CANONICAL.fullmatch(result)
        assert normalize_icd10(result) == result


@given(icd10_like_text())
@settings(max_examples=200)
def test_check_and_lookup_total(text: str) -> None:
    """check_icd10 and lookup_icd10 never raise and agree with each other."""
    found = lookup_icd10(text)
    problem = check_icd10(text)
    if found is None:
        assert problem is not None
    else:
        assert found.code == normalize_icd10(text)
        assert (problem is None) == found.billable


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("T14.91XA", "Suicide attempt, initial encounter"),
        ("R45.851", "Suicidal ideations"),
        ("R45.850", "Homicidal ideations"),
        ("Z91.51", "Personal history of suicidal behavior"),
        ("Z91.52", "Personal history of nonsuicidal self-harm"),
        ("U07.1", "COVID-19"),
        ("F32.A", "Depression, unspecified"),
        ("F99", "Mental disorder, not otherwise specified"),
    ],
)
def test_billable_codes(code: str, title: str) -> None:
    """Billable codes pass the check and carry their official title."""
    assert check_icd10(code) is None
    assert lookup_icd10(code.lower()) == IcdCode(code=code, billable=True, title=title)


def test_z91_5_is_a_header_with_children_suggested() -> None:
    """Z91.5 is refused and Z91.51, Z91.52 are suggested (codes.md §4 conflict choice)."""
    assert lookup_icd10("Z91.5") == IcdCode(
        code="Z91.5", billable=False, title="Personal history of self-harm"
    )
    assert check_icd10("z915") == (
        "subcategory header; choose a billable code such as Z91.51 or Z91.52"
    )


def test_f32_category_suggests_unspecified_codes_first() -> None:
    """F32 is a category header; F32.9 and F32.A lead the suggestions."""
    assert check_icd10("F32") == (
        "category header; choose a billable code such as F32.9, F32.A or F32.0"
    )


def test_missing_seventh_character() -> None:
    """T14.91 lacks its required 7th character and is refused with the full codes."""
    assert lookup_icd10("T14.91") == IcdCode(code="T14.91", billable=False, title="Suicide attempt")
    assert check_icd10("T14.91") == (
        "missing its required 7th character; "
        "choose a billable code such as T14.91XA, T14.91XD or T14.91XS"
    )
    assert check_icd10("T14.91X") == f"not a code in {ICD10CM_VERSION}"


def test_deeper_header_is_not_a_seventh_character_case() -> None:
    """A category whose codes differ before position 7 is reported as a plain header."""
    problem = check_icd10("S72")
    assert problem is not None
    assert problem.startswith("category header; choose a billable code such as S72.")


def test_unknown_code() -> None:
    """A well-formed code absent from the release names the release."""
    assert check_icd10("F32.7") == f"not a code in {ICD10CM_VERSION}"
    assert lookup_icd10("F32.7") is None
    assert "April 1, 2026" in ICD10CM_VERSION
    assert "simple-icd-10-cm 1.5.0" in ICD10CM_VERSION


def test_messages_do_not_echo_input() -> None:
    """Rule messages never repeat what the caller typed."""
    for text in ["Jane Doe 1980", "X12.345678", "Q99.99"]:
        problem = check_icd10(text)
        assert problem is not None
        assert text not in problem


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("F10.20", "substance_use"),
        ("f1120", "substance_use"),
        ("F17.210", "substance_use"),
        ("F19.10", "substance_use"),
        ("F01.50", "mental_health"),
        ("F09", "mental_health"),
        ("F20.9", "mental_health"),
        ("F32.A", "mental_health"),
        ("F43.10", "mental_health"),
        ("F99", "mental_health"),
        ("R45.851", "other"),
        ("Z91.51", "other"),
        ("T14.91XA", "other"),
    ],
)
def test_diagnosis_category(code: str, category: str) -> None:
    """F10–F19 are substance use, other F codes mental health, the rest other."""
    assert diagnosis_category(code) == category


def test_diagnosis_category_rejects_malformed() -> None:
    """A malformed code raises ValueError with the format rule, not the input."""
    with pytest.raises(ValueError, match="not in ICD-10-CM format") as info:
        diagnosis_category("F1")
    assert str(info.value) == FORMAT_RULE


def test_index_counts() -> None:
    """The index holds about 74,700 billable codes and 23,500 headers (codes.md §2)."""
    billable, headers = index_size()
    assert 74_000 <= billable <= 76_000
    assert 23_000 <= headers <= 24_000
    # FY2026 order-file counts reported in codes.md §2 [unverified]; April changed nothing
    assert (billable, headers) == (74_719, 23_467)


def test_index_is_consistent() -> None:
    """Rows are sorted, well-formed, and a row is billable exactly when nothing is below it."""
    index = get_index()
    codes = index.codes()
    assert codes == sorted(codes)
    for position, code in enumerate(codes):
        dotted = code if len(code) == 3 else f"{code[:3]}.{code[3:]}"
        assert normalize_icd10(code) == dotted
        has_child = position + 1 < len(codes) and codes[position + 1].startswith(code)
        assert index.billable(code) is not has_child
        assert index.title(code)
        assert not index.title(code).startswith("^")


def test_parse_refuses_damaged_file() -> None:
    """A row the parser cannot read makes the row count disagree and raises."""
    good = "# rows=2 billable=1 headers=1\nF32\t0\tDepressive episode\nF329\t1\t^, x\n"
    assert parse(good).counts() == (1, 1)
    with pytest.raises(ValueError, match="row count"):
        parse(good.replace("F329\t1", "F329\t2"))
    with pytest.raises(ValueError, match="row count"):
        parse(good.replace("# rows=2", "# nothing"))


def test_import_reads_nothing() -> None:
    """Importing iopauth and iopauth.codes opens no data file and skips simple_icd_10_cm."""
    script = textwrap.dedent(
        f"""
        import json, sys
        opened = []
        def hook(event, args):
            if event == "open" and isinstance(args[0], str):
                opened.append(args[0])
        sys.addaudithook(hook)
        import iopauth, iopauth.codes
        def state():
            return {{
                "index": any(p.endswith({INDEX_FILE!r}) for p in opened),
                "services": any(p.endswith("service-codes.toml") for p in opened),
                "simple_icd_10_cm": "simple_icd_10_cm" in sys.modules,
            }}
        before = state()
        iopauth.codes.lookup_icd10("F32.9")
        iopauth.codes.service_code("S9480")
        print(json.dumps({{"before": before, "after": state()}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert result["before"] == {"index": False, "services": False, "simple_icd_10_cm": False}
    # the hook does see the files once they are used, so "before" is a real observation
    assert result["after"] == {"index": True, "services": True, "simple_icd_10_cm": False}


def test_parse_refuses_rows_out_of_order_or_with_extra_fields() -> None:
    """Rows out of code order, or a row with a third tab, are refused when the file is read."""
    good = "# rows=2 billable=1 headers=1\nF32\t0\tDepressive episode\nF329\t1\t^, x\n"
    swapped = "# rows=2 billable=1 headers=1\nF329\t1\t^, x\nF32\t0\tDepressive episode\n"
    with pytest.raises(ValueError, match="code order"):
        parse(swapped)
    with pytest.raises(ValueError, match="row count"):
        parse(good.replace("^, x", "^, x\textra"))


def test_a_malformed_code_row_is_refused_when_looked_up() -> None:
    """A row whose code breaks the code form is an error when read, never a silent answer."""
    index = parse("# rows=2 billable=1 headers=1\nF32\t0\tDepressive episode\nf329\t1\t^, x\n")
    assert index.title("F32") == "Depressive episode"
    with pytest.raises(ValueError, match="damaged row"):
        index.billable("f329")

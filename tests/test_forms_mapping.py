"""Form mapping files (iopauth.forms): loading, errors at TOML paths, docs, lazy import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from iopauth.errors import FormMappingError
from iopauth.forms import FormMapping, form_fields, load_mapping, parse_mapping

from .formfiles import NOFR001, requires_nofr001
from .strategies import mapping_tables, toml_text

ROOT = Path(__file__).parent.parent
NOFR001_MAPPING = ROOT / "examples" / "forms" / "tdi-nofr001.toml"


def test_mapping_errors_are_reported_at_their_toml_paths() -> None:
    """Every problem of a mapping file is listed at once, each at its TOML path."""
    text = """
colour = 1
[form]
date_formt = "%d.%m.%Y"
[[fields]]
field = "a"
path = "patient.nme"
[[fields]]
field = "b"
derived = "hours_per_wk"
[[fields]]
into = ["c", "d"]
path = "patient.birth_date"
[[fields]]
field = "e"
text = "x"
path = "patient.sex"
[[fields]]
field = "a"
text = "again"
"""
    with pytest.raises(FormMappingError) as caught:
        parse_mapping(text, source="bad.toml")
    assert caught.value.errors == (
        "colour: unknown key; a mapping has [form] and [[fields]]",
        "form.date_formt: unknown key; did you mean 'date_format'?",
        "fields[0].path: Patient has no field 'nme'; it has address, birth_date, email, "
        "guardian, name, phone, preferred_language, sex",
        "fields[1].derived: no derived value 'hours_per_wk'; did you mean 'hours_per_week'?",
        "fields[2]: an entry with into needs parts (a date) or digits, not both",
        "fields[3]: give exactly one of path, derived, text, criterion (found path, text)",
    )
    assert str(caught.value).startswith("bad.toml: 6 problems")


def test_path_ending_on_a_record_or_list_is_refused() -> None:
    """A path must end on a plain value; the message says what to add."""
    with pytest.raises(FormMappingError) as caught:
        parse_mapping('[[fields]]\nfield = "a"\npath = "patient.name"\n')
    assert caught.value.errors == (
        "fields[0].path: ends on a PersonName record; add one of its fields: family, full, "
        "given, middle, suffix",
    )
    with pytest.raises(FormMappingError, match=r"is a list; pick one item with \[n\]"):
        parse_mapping('[[fields]]\nfield = "a"\npath = "diagnoses.code"\n')


def test_duplicate_target_and_bad_toml_are_errors() -> None:
    """Two entries filling one field, and TOML that does not parse, are mapping errors."""
    twice = '[[fields]]\nfield = "a"\ntext = "x"\n[[fields]]\nfield = "a"\ntext = "y"\n'
    with pytest.raises(FormMappingError) as caught:
        parse_mapping(twice)
    assert caught.value.errors == ("fields[1]: field 'a' is already filled by fields[0]",)
    with pytest.raises(FormMappingError, match="invalid TOML"):
        parse_mapping("[[fields]\n")


@requires_nofr001
def test_shipped_example_mapping_loads() -> None:
    """The NOFR001 example mapping loads and names only fields of the form."""
    mapping = load_mapping(NOFR001_MAPPING)
    assert mapping.version == "NOFR001 | 0415"
    assert set(mapping.targets) <= set(form_fields(NOFR001))


@settings(max_examples=25, deadline=None)
@given(tables=mapping_tables())
def test_generated_mappings_load_or_fail_at_a_path(tables: dict[str, Any]) -> None:
    """Any mapping either loads with one entry per table or fails with fields[i] paths only."""
    outcome = _parsed(toml_text(tables))
    if isinstance(outcome, FormMappingError):
        assert outcome.errors
        assert all(line.startswith("fields[") for line in outcome.errors)
    else:
        assert len(outcome.entries) == len(tables["fields"])


def _parsed(text: str) -> FormMapping | FormMappingError:
    try:
        return parse_mapping(text)
    except FormMappingError as error:
        return error


def test_docs_list_every_derived_value() -> None:
    """docs/forms.md has one table row per derived value, with the code's own description."""
    from iopauth.forms import DERIVED

    doc = (ROOT / "docs" / "forms.md").read_text(encoding="utf-8")
    for name, derived in DERIVED.items():
        assert f"| `{name}` | {derived.doc} |" in doc, name


def test_forms_load_lazily() -> None:
    """``import iopauth`` loads neither iopauth.forms nor pypdf; the attribute loads the first."""
    import subprocess
    import sys

    script = (
        "import sys, iopauth\n"
        "before = ['iopauth.forms' in sys.modules, 'pypdf' in sys.modules]\n"
        "iopauth.forms.load_mapping\n"
        "after = ['iopauth.forms' in sys.modules, 'pypdf' in sys.modules]\n"
        "print(before, after)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[False, False] [True, False]"

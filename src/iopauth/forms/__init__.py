"""Payer fillable PDF forms filled from a case by a mapping file (TOML, kept as data).

Re-exports only. ``fill(case, form_pdf, mapping)`` returns the filled form's bytes;
``form_fields(form_pdf)`` lists a form's fields so a mapping can be written;
``check(...)`` reports what a mapping leaves empty. See docs/forms.md. Names load on first
use, so a program that imports this package pays for pypdf only when it fills a form. The
``iopauth forms`` command lives in :mod:`iopauth.cli.forms`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._support.lazy import exports

if TYPE_CHECKING:
    from ._derived import DERIVED
    from ._fill import FormCheck, check, fill
    from ._mapping import MAX_MAPPING_BYTES, Entry, FormMapping, load_mapping, parse_mapping
    from ._pdf import MAX_FORM_BYTES, FieldKind, FormField, form_fields

__all__ = [
    "DERIVED",
    "MAX_FORM_BYTES",
    "MAX_MAPPING_BYTES",
    "Entry",
    "FieldKind",
    "FormCheck",
    "FormField",
    "FormMapping",
    "check",
    "fill",
    "form_fields",
    "load_mapping",
    "parse_mapping",
]

# public name -> the module that defines it
_LAZY = {
    "DERIVED": "._derived",
    "FormCheck": "._fill",
    "check": "._fill",
    "fill": "._fill",
    "MAX_MAPPING_BYTES": "._mapping",
    "Entry": "._mapping",
    "FormMapping": "._mapping",
    "load_mapping": "._mapping",
    "parse_mapping": "._mapping",
    "MAX_FORM_BYTES": "._pdf",
    "FieldKind": "._pdf",
    "FormField": "._pdf",
    "form_fields": "._pdf",
}


__getattr__, __dir__ = exports(__name__, _LAZY, globals(), __all__)

"""Payer fillable PDF forms filled from a case by a mapping file (TOML, kept as data).

Re-exports only. ``fill(case, form_pdf, mapping)`` returns the filled form's bytes;
``form_fields(form_pdf)`` lists a form's fields so a mapping can be written;
``check(...)`` reports what a mapping leaves empty. See docs/forms.md.
"""

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

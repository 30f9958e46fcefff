"""Filling a payer's form: values from the mapping, written with pypdf, optionally flattened."""

from __future__ import annotations

import difflib
import io
import logging
import os
from typing import TYPE_CHECKING, Any, cast

from attrs import frozen

from ..errors import FormError, FormMappingError
from ._active import strip_active_content
from ._mapping import FormMapping, load_mapping
from ._pdf import (
    DAMAGED,
    FormField,
    da_font,
    field_of,
    form_fields,
    open_form,
    pypdf_records,
    qualified_name,
    shown,
)
from ._values import EntryError, FieldValue, entry_values, plain, source_value

if TYPE_CHECKING:
    from ..criteria import Determination
    from ..model import Case

__all__ = ["FormCheck", "check", "fill"]

FormSource = bytes | str | os.PathLike[str]
MappingSource = FormMapping | str | os.PathLike[str]


@frozen(kw_only=True)
class FormCheck:
    """What ``iopauth forms fill --check`` reports about a mapping, a form and a case.

    ``unknown`` lists ``(toml path, field name)`` for each mapping entry naming no field of the
    form; ``unmapped`` the fillable fields no entry fills; ``empty`` the fields an entry fills
    that stay empty for this case (the case does not hold the value); ``problems`` the values
    that do not fit (too long, not an option), as ``fill`` would report them.
    """

    unknown: tuple[tuple[str, str], ...]
    unmapped: tuple[str, ...]
    empty: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the form can be filled: every entry names a field and every value fits."""
        return not self.unknown and not self.problems


def fill(
    case: Case,
    form_pdf: FormSource,
    mapping: MappingSource,
    determination: Determination | None = None,
    *,
    flatten: bool = False,
) -> bytes:
    """Fill ``form_pdf``'s fields from ``case`` by ``mapping``; return the filled PDF's bytes.

    ``form_pdf`` is the form's bytes or path; ``mapping`` a :class:`FormMapping` or the path of
    its TOML file. Entries that take a criteria finding use ``determination``, evaluating the
    case against its default set when it is ``None``. Appearance streams are generated for every
    filled field so the values show in viewers that do not draw fields themselves;
    ``flatten=True`` turns every field into page content and removes the form.

    Raises :class:`~iopauth.errors.FormMappingError` listing every entry that names no field
    or whose value does not fit (over the field's length limit, not one of its options, or
    with characters the form's font cannot draw: never cut or garbled), and
    :class:`~iopauth.errors.FormError` when the PDF is not a fillable form. Messages name
    fields and rules, never the case's values.
    """
    plan = _plan(case, form_pdf, mapping, determination)
    if plan.unknown or plan.problems:
        raise FormMappingError(plan.error_lines(), source="form mapping")
    from pypdf.errors import PyPdfError

    try:
        with pypdf_records() as records:
            data = _write(plan.reader, plan.fields, plan.values, flatten=flatten)
    except (PyPdfError, *DAMAGED) as error:
        # pypdf's message may quote a value: name only the kind of failure
        raise FormError(f"pypdf could not fill this form ({type(error).__name__})") from None
    garbled = _unencodable(records, plan)
    if garbled:
        raise FormMappingError(garbled, source="form mapping")
    return data


def check(
    case: Case,
    form_pdf: FormSource,
    mapping: MappingSource,
    determination: Determination | None = None,
) -> FormCheck:
    """Report what ``fill`` would leave empty and which entries name no field; writes nothing."""
    plan = _plan(case, form_pdf, mapping, determination)
    mapped = set(plan.mapping.targets)
    fillable = [n for n, f in plan.fields.items() if f.fillable]
    return FormCheck(
        unknown=tuple(plan.unknown),
        unmapped=tuple(n for n in fillable if n not in mapped),
        empty=tuple(n for n in fillable if n in plan.empty),
        problems=tuple(plan.problems),
    )


@frozen(kw_only=True)
class _Plan:
    reader: Any
    mapping: FormMapping
    fields: dict[str, FormField]
    values: dict[str, FieldValue]
    unknown: list[tuple[str, str]]
    empty: list[str]
    problems: list[str]

    def error_lines(self) -> list[str]:
        lines = []
        for where, name in self.unknown:
            close = difflib.get_close_matches(name, list(self.fields), n=1)
            hint = f"; did you mean {shown(close[0])}?" if close else ""
            lines.append(f"{where}: the form has no field {shown(name)}{hint}")
        return lines + self.problems


def _plan(
    case: Case,
    form_pdf: FormSource,
    mapping: MappingSource,
    determination: Determination | None,
) -> _Plan:
    if not isinstance(mapping, FormMapping):
        mapping = load_mapping(mapping)
    reader = open_form(form_pdf)
    with pypdf_records():
        fields = form_fields(reader)
    unknown: list[tuple[str, str]] = []
    for entry in mapping.entries:
        unknown += [(entry.where, n) for n in entry.targets if n not in fields]
    problems: list[str] = [
        f"{entry.where}: {shown(name)} is a {fields[name].kind}, which is never filled"
        for entry in mapping.entries
        for name in entry.targets
        if name in fields and not fields[name].fillable
    ]
    if determination is None and any(e.needs_determination for e in mapping.entries):
        determination = _evaluate(case)
    values: dict[str, FieldValue] = {}
    empty: list[str] = []  # fields whose entry finds no value in this case
    missing = {where for where, _ in unknown} | {p.split(":")[0] for p in problems}
    for entry in mapping.entries:
        if entry.where in missing:
            continue
        try:
            value = source_value(entry, case, determination)
            if plain(value, entry.join) is None:
                empty.extend(entry.targets)
            values.update(entry_values(entry, value, fields, mapping))
        except EntryError as problem:
            problems.append(f"{entry.where}.{problem}")
    return _Plan(
        reader=reader,
        mapping=mapping,
        fields=fields,
        values=values,
        unknown=unknown,
        empty=empty,
        problems=problems,
    )


def _unencodable(records: list[logging.LogRecord], plan: _Plan) -> list[str]:
    """Fields whose text the form's font cannot draw, from pypdf's warnings (values unsaid).

    pypdf draws what a font cannot encode as other characters or nothing, and only logs it:
    a patient's name would come out garbled, so it is an error here instead.
    """
    texts = {
        str(r.args["text"])
        for r in records
        if "not supported by font encoding" in str(r.msg) and isinstance(r.args, dict)
    }
    where = {name: entry.where for entry in plan.mapping.entries for name in entry.targets}
    return [
        f"{where[name]}: the form's font for {shown(name)} cannot draw some characters of the "
        "value (it would come out garbled); leave the field out and write it by hand"
        for name, value in plan.values.items()
        if value is not None and _drawn_text(plan.fields[name], value) in texts
    ]


def _drawn_text(field: FormField, value: str) -> str:
    return value if field.multiline else " ".join(value.split())


def _evaluate(case: Case) -> Determination:
    from ..criteria import default_criteria, default_review, evaluate

    return evaluate(case, criteria=default_criteria(case), review=default_review(case))


def _write(
    reader: Any, fields: dict[str, FormField], values: dict[str, FieldValue], *, flatten: bool
) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=reader)
    acro_form: Any = writer.root_object["/AcroForm"]
    # An XFA form inside would override the fields in viewers that read XFA: drop it so every
    # viewer shows the AcroForm fields filled here (strip_active_content drops it too).
    if "/XFA" in acro_form:
        del acro_form["/XFA"]
    given: dict[str, str | None] = {n: v for n, v in values.items() if v is not None}
    _prepare_widgets(writer, acro_form, fields, given)
    if flatten:
        # every field is drawn into the page, filled or not, as a viewer would show it
        for name, field in fields.items():
            if field.fillable and name not in given:
                given[name] = _as_shown(field)
    # Appearance streams are generated for every value given, so NeedAppearances stays off:
    # viewers draw what is written and do not ask to save changes on opening.
    # None (flattening only) keeps a field's value and draws it: pypdf handles it, though its
    # annotation does not say so
    writer.update_page_form_field_values(
        None, cast(Any, given), auto_regenerate=False, flatten=flatten
    )
    for name, value in given.items():
        if fields[name].kind in ("checkbox", "radio") and value is not None:
            _set_field_state(writer, name, NameObject(value))
    if flatten:
        writer.remove_annotations(subtypes="/Widget")
        del writer.root_object["/AcroForm"]  # no fields are left
    strip_active_content(writer)  # no JavaScript, actions, embedded files or XFA go out
    out = io.BytesIO()
    writer.write(out)
    if flatten:
        # pypdf's writer keeps every object it ever held, the removed widgets' appearance
        # streams and the form's fields included (a flattened NOFR001 came to 6.3 MB). Copying
        # the result once more keeps only what the pages still use (1.1 MB). pypdf's own
        # compress_identical_objects(remove_unreferenced=True) was tried and dropped streams
        # that flattened check boxes still draw. (Left editable, the form keeps them all.)
        from pypdf import PdfReader

        out.seek(0)
        compact = PdfWriter(clone_from=PdfReader(out))
        out = io.BytesIO()
        compact.write(out)
    return out.getvalue()


def _prepare_widgets(
    writer: Any, acro_form: Any, fields: dict[str, FormField], given: dict[str, str | None]
) -> None:
    """Tidy what some real forms get wrong so pypdf draws values where the form shows them.

    - A widget's ``/Rect`` may list its corners top first (NOFR001 does): PDF 32000-1 §7.9.5
      asks readers to normalize it, and pypdf's flattening places the value by the first
      corner, so the rectangle is normalized here.
    - A widget may carry its own ``/DR`` holding only Helvetica while its ``/DA`` names a font
      of the form's ``/DR`` (the only place §12.7.2 defines ``/DR``); pypdf looks in the
      widget's first and would fall back to Helvetica, so that ``/DR`` is dropped.
    - A multi-line text field gets font size 0 ("fit the box") in its ``/DA`` so pypdf wraps
      the text and shrinks it until it fits the box's height, rather than running it off the
      box's right edge on one line at the form's fixed size. So does a single-line field whose
      text looks too wide for its box at the form's size: pypdf then shrinks it to the box's
      width (measured with the font's real widths) instead of cutting it off at the edge.
    """
    from pypdf.generic import NameObject, RectangleObject, TextStringObject

    form_fonts = acro_form.get("/DR", {}).get_object().get("/Font", {})
    multiline = {n for n, f in fields.items() if f.kind == "text" and f.multiline}
    for page in writer.pages:
        for annotation in page.get("/Annots", ()):
            widget = annotation.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
            widget[NameObject("/Rect")] = RectangleObject(
                [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]
            )
            appearance = str(widget.get("/DA", ""))
            font = da_font(appearance)
            own = widget.get("/DR")
            lacks_font = own is not None and font not in own.get_object().get("/Font", {})
            if font and font in form_fonts and lacks_font:
                del widget["/DR"]
            name = qualified_name(field_of(widget))
            value = given.get(name)
            if not font or not isinstance(value, str) or fields[name].kind != "text":
                continue
            words = appearance.split()
            size_at = words.index("Tf") - 1
            width = max(x1, x2) - min(x1, x2)
            if name in multiline or _looks_too_wide(value, words[size_at], width, widget):
                words[size_at] = "0"
                widget[NameObject("/DA")] = TextStringObject(" ".join(words))


# An average glyph is about half an em wide in the sans-serif fonts forms use (Helvetica's
# lowercase average is near 0.5, Calibri's lower): a generous estimate, so a value close to the
# edge is handed to pypdf's exact fitting rather than risk running past the box.
_AVERAGE_EM = 0.55
_COMB = 1 << 24


def _looks_too_wide(text: str, size: str, width: float, widget: Any) -> bool:
    try:
        points = float(size)
    except ValueError:
        return False
    if points <= 0 or int(widget.get("/Ff", 0)) & _COMB:
        return False  # already fitted by the viewer, or one character per cell
    return len(text) * points * _AVERAGE_EM > width - 4


def _as_shown(field: FormField) -> str | None:
    """The value a field shows now: its state for buttons, ``None`` (keep) for text."""
    if field.kind in ("checkbox", "radio"):
        return f"/{field.value}" if field.value else "/Off"
    return None


def _set_field_state(writer: Any, name: str, state: Any) -> None:
    """Store a button's value as a name on the field itself (pypdf writes it as text)."""
    from pypdf.generic import NameObject

    for page in writer.pages:
        for annotation in page.get("/Annots", ()):
            field = field_of(annotation.get_object())
            if qualified_name(field) == name:
                field[NameObject("/V")] = state

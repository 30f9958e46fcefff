"""Reading a fillable PDF form's fields with pypdf: names, kinds, options and length limits."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any, Literal

from attrs import frozen

from ..errors import FormError
from ._budget import check_object_count, decode_budget

__all__ = [
    "DAMAGED",
    "MAX_FORM_BYTES",
    "FieldKind",
    "FormField",
    "da_font",
    "field_of",
    "form_fields",
    "is_widget_of",
    "open_form",
    "pypdf_records",
    "qualified_name",
    "read_form",
]

#: Largest form read or filled. Payer forms are a few megabytes (the TDI NOFR001 form in
#: tests/forms is 1.5 MB); the cap bounds the memory a wrong or hostile file can take.
MAX_FORM_BYTES = 16 * 1024 * 1024

FieldKind = Literal["text", "checkbox", "radio", "choice", "list", "button", "signature"]

# Field flag bits (PDF 32000-1:2008, tables 226, 228 and 230), counted from 1
_MULTILINE = 1 << 12
_RADIO = 1 << 15
_PUSHBUTTON = 1 << 16
_COMBO = 1 << 17
_INHERITED = ("/FT", "/Ff", "/MaxLen", "/Opt", "/V", "/DA")


@frozen(kw_only=True)
class FormField:
    """One fillable field of a form, as ``iopauth forms fields`` lists it.

    ``options`` are what a mapping may put in the field: a check box's on state, a radio
    group's choices (its option labels when the form has them, else its states), a choice
    field's export values. ``states`` holds the appearance state each option selects (radio
    and check box only). ``max_length`` is the field's ``/MaxLen``, ``None`` when unlimited.
    """

    name: str
    kind: FieldKind
    label: str = ""
    options: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    max_length: int | None = None
    multiline: bool = False
    value: str = ""

    @property
    def fillable(self) -> bool:
        """False for push buttons (print, clear) and signatures, which a mapping never fills."""
        return self.kind not in ("button", "signature")


# what pypdf raises, besides its own errors, on a damaged file
DAMAGED = (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError)


class _Collector(logging.Handler):
    """Hands pypdf's records to the ``pypdf_records()`` block running in the same thread."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = getattr(_local, "records", None)
        if sink is not None:
            sink.append(record)


_local = threading.local()
_collector = _Collector(level=logging.WARNING)
_lock = threading.Lock()
_depth = 0
_saved: tuple[int, bool] = (logging.NOTSET, True)


@contextlib.contextmanager
def pypdf_records() -> Iterator[list[logging.LogRecord]]:
    """Collect pypdf's warnings in this block instead of letting them reach the logs.

    pypdf logs recoverable oddities of real forms, and some records quote a field's text (patient
    data once filled), so none may reach the caller's logs. The caller reads the ones that matter
    (text a font cannot draw) and raises errors that name fields, never values. While any block
    runs, pypdf records from threads outside such a block are dropped. The block also bounds
    what pypdf may decode (:func:`._budget.decode_budget`).
    """
    global _depth, _saved  # noqa: PLW0603 -- one process-wide logger to configure
    logger = logging.getLogger("pypdf")
    records: list[logging.LogRecord] = []
    outer = getattr(_local, "records", None)
    _local.records = records
    with _lock:
        if _depth == 0:
            _saved = (logger.level, logger.propagate)
            logger.addHandler(_collector)
            logger.propagate = False
            logger.setLevel(logging.WARNING)
        _depth += 1
    try:
        with decode_budget():
            yield records
    finally:
        _local.records = outer
        if outer is not None:
            outer.extend(records)
        with _lock:
            _depth -= 1
            if _depth == 0:
                logger.removeHandler(_collector)
                logger.setLevel(_saved[0])
                logger.propagate = _saved[1]


def shown(name: str) -> str:
    """A form's field name or option as an error may print it: quoted, escaped, shortened.

    Field names come from the PDF, which anyone may have made: control characters, terminal
    escape sequences and bidirectional controls are escaped, and a long name is cut.
    """
    from ..caseformat._reading import key_text

    return f"'{key_text(name)}'"


def shown_options(options: tuple[str, ...] | list[str], most: int = 10) -> str:
    """The first ``most`` options, escaped as :func:`shown` (unquoted); how many more."""
    from ..caseformat._reading import key_text

    listed = ", ".join(key_text(o) for o in options[:most])
    return listed + (f" and {len(options) - most} more" if len(options) > most else "")


def read_form(form_pdf: bytes | str | os.PathLike[str]) -> bytes:
    """The form's bytes, at most :data:`MAX_FORM_BYTES` (a file is never read past them).

    A path is read by the one bounded reader (a regular file or a pipe, never a device). A
    file that cannot be opened raises the usual :class:`OSError`.
    """
    from .._support.files import RefusedInputError, read_bounded

    if isinstance(form_pdf, bytes | bytearray):
        data = bytes(form_pdf)
    else:
        try:
            data = read_bounded(form_pdf, MAX_FORM_BYTES)
        except RefusedInputError as exc:
            if str(exc).startswith("is larger"):
                raise FormError(f"the form is larger than {MAX_FORM_BYTES} bytes") from None
            raise FormError(f"the form {exc}") from None
    if len(data) > MAX_FORM_BYTES:
        raise FormError(f"the form is larger than {MAX_FORM_BYTES} bytes")
    return data


def open_form(form_pdf: bytes | str | os.PathLike[str]) -> Any:
    """A ``pypdf.PdfReader`` of the form; :class:`FormError` when it is not a usable form.

    The form is read through :func:`read_form`, so it is at most :data:`MAX_FORM_BYTES`.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    data = read_form(form_pdf)
    if b"%PDF-" not in data[:1024]:
        raise FormError("the form is not a PDF file")
    try:
        with pypdf_records():
            reader = PdfReader(io.BytesIO(data))
            check_object_count(reader)
            if reader.is_encrypted:
                raise FormError("the form is encrypted; save an unencrypted copy first")
            root: Any = reader.trailer["/Root"]
            acro_form = root.get("/AcroForm")
            fields = None if acro_form is None else acro_form.get_object().get("/Fields")
    except FormError:
        raise
    except (PyPdfError, *DAMAGED):
        raise FormError("the form is not a readable PDF") from None
    if not fields:
        raise FormError("the form has no fillable (AcroForm) fields")
    return reader


def form_fields(form_pdf: bytes | str | os.PathLike[str] | Any) -> dict[str, FormField]:
    """The form's fillable fields by full name, in the form's order."""
    from pypdf.errors import PyPdfError

    reader = form_pdf if hasattr(form_pdf, "trailer") else open_form(form_pdf)
    found: dict[str, FormField] = {}
    try:
        with pypdf_records():
            acro_form = reader.trailer["/Root"]["/AcroForm"].get_object()
            for ref in acro_form["/Fields"]:
                node = ref.get_object()
                # /Fields lists root fields only (PDF 32000-1 §12.7.2); some writers list
                # kids there too, which are reached through their parent instead
                if "/Parent" not in node:
                    _walk(node, "", {}, found)
    except (PyPdfError, *DAMAGED):
        raise FormError("the form's fields cannot be read (a damaged PDF)") from None
    return found


def _walk(node: Any, prefix: str, inherited: dict[str, Any], found: dict[str, FormField]) -> None:
    name = str(node.get("/T", ""))
    full = f"{prefix}.{name}" if prefix and name else (name or prefix)
    here = dict(inherited)
    here.update({k: node[k] for k in _INHERITED if k in node})
    kids = [k.get_object() for k in node.get("/Kids", ())]
    field_kids = [k for k in kids if not is_widget_of(k, node)]
    if field_kids:
        for kid in field_kids:
            _walk(kid, full, here, found)
        return
    widgets = kids or [node]
    if full and full not in found:
        found[full] = _field(full, node, here, widgets)


def is_widget_of(kid: Any, parent: Any) -> bool:
    """True when ``kid`` is a widget of ``parent`` rather than a field of its own.

    A widget has no ``/T``; WeasyPrint also names a radio group's widgets after the group, so
    a widget annotation named like its parent counts as the parent's widget too.
    """
    if "/T" not in kid:
        return True
    return kid.get("/Subtype") == "/Widget" and str(kid["/T"]) == str(parent.get("/T", ""))


def field_of(widget: Any) -> Any:
    """The field a widget annotation belongs to (itself when it is a field and widget)."""
    parent = widget.get("/Parent")
    if parent is not None and is_widget_of(widget, parent.get_object()):
        return parent.get_object()
    return widget


def qualified_name(field: Any) -> str:
    """A field's full name: the ``/T`` of it and its ancestors joined by dots."""
    parts = []
    while field is not None:
        field = field.get_object()
        if "/T" in field:
            parts.append(str(field["/T"]))
        field = field.get("/Parent")
    return ".".join(reversed(parts))


def _field(name: str, node: Any, attrs: dict[str, Any], widgets: list[Any]) -> FormField:
    flags = int(attrs.get("/Ff", 0))
    field_type = str(attrs.get("/FT", ""))
    label = str(node.get("/TU", ""))
    if field_type == "/Btn":
        states = tuple(_on_state(w) for w in widgets)
        states = tuple(s for s in states if s)
        if flags & _PUSHBUTTON:
            return FormField(name=name, kind="button", label=label)
        if flags & _RADIO:
            labels = _radio_labels(attrs.get("/Opt"), len(widgets))
            options = labels if labels and len(labels) == len(states) else states
            value = _current_state(attrs.get("/V"))
            return FormField(
                name=name, kind="radio", label=label, options=options, states=states, value=value
            )
        unique = tuple(dict.fromkeys(states))
        value = _current_state(attrs.get("/V"))
        return FormField(
            name=name, kind="checkbox", label=label, options=unique, states=unique, value=value
        )
    if field_type == "/Ch":
        options = tuple(_option(o) for o in attrs.get("/Opt", ()))
        kind: FieldKind = "choice" if flags & _COMBO else "list"
        return FormField(name=name, kind=kind, label=label, options=options)
    if field_type == "/Sig":
        return FormField(name=name, kind="signature", label=label)
    max_length = attrs.get("/MaxLen")
    return FormField(
        name=name,
        kind="text",
        label=label,
        max_length=None if max_length is None else int(max_length),
        multiline=bool(flags & _MULTILINE),
        value=str(attrs.get("/V", "") or ""),
    )


def da_font(appearance: str) -> str:
    """The font resource name of a default appearance string (``/Calibri 10 Tf 0 g``)."""
    words = appearance.split()
    for i, word in enumerate(words):
        if word == "Tf" and i >= 2 and words[i - 2].startswith("/"):
            return words[i - 2]
    return ""


def _on_state(widget: Any) -> str:
    """The widget's "on" appearance state name (without the slash), or ``""``."""
    appearance = widget.get("/AP")
    normal = None if appearance is None else appearance.get_object().get("/N")
    if normal is None or not hasattr(normal.get_object(), "keys"):
        return ""
    names = [str(k)[1:] for k in normal.get_object() if str(k) != "/Off"]
    # a stream's own keys (/BBox, /Subtype…) are not states: a state dictionary maps names
    # to streams, so a normal appearance that is itself a stream has no named state
    if "/BBox" in normal.get_object() or "/Subtype" in normal.get_object():
        return ""
    return names[0] if names else ""


def _radio_labels(opt: Any, count: int) -> tuple[str, ...]:
    if opt is None:
        return ()
    labels = tuple(_option(o) for o in opt.get_object())
    return labels if len(labels) == count else ()


def _option(option: Any) -> str:
    option = option.get_object() if hasattr(option, "get_object") else option
    if isinstance(option, list):  # [export value, display text]
        return str(option[0])
    return str(option)


def _current_state(value: Any) -> str:
    text = "" if value is None else str(value)
    return "" if text in ("", "/Off") else text.removeprefix("/")

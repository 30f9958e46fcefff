"""How much pypdf may decode while iopauth reads or fills one form.

The 16 MiB cap on a form file bounds its bytes, not the work: a 2.7 MB PDF of forty Flate
object streams, each padded to 70 MB, once took more than 120 s and 1.7 GB to list its fields.
Inside :func:`decode_budget` every stream pypdf decodes is at most
:data:`MAX_STREAM_DECODED` bytes (pypdf's own per-filter limits, lowered) and all of them
together at most :data:`MAX_FORM_DECODED`; a form may have at most :data:`MAX_FORM_OBJECTS`
objects. Past any of them the form is refused (:class:`~iopauth.errors.FormError`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import FormError

__all__ = [
    "MAX_FORM_DECODED",
    "MAX_FORM_OBJECTS",
    "MAX_STREAM_DECODED",
    "check_object_count",
    "decode_budget",
]

#: Most bytes one decoded stream of a form may hold (a real form's largest is a font or an
#: image of a few megabytes).
MAX_STREAM_DECODED = 16 * 1024 * 1024
#: Most bytes all the streams decoded while reading or filling one form may hold together.
MAX_FORM_DECODED = 64 * 1024 * 1024
#: Most objects a form may declare (its cross-reference ``/Size``; TDI NOFR001 has 1,300).
MAX_FORM_OBJECTS = 200_000

_LEFT: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "iopauth_form_decode_budget", default=None
)
_LIMITS = (
    "zlib_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "array_based_stream_maximum_output_length",
    "jbig2_maximum_output_length",
    "brotli_maximum_output_length",
    "maximum_declared_stream_length",
)


def _exhausted() -> FormError:
    return FormError(f"the form decodes to more than {MAX_FORM_DECODED} bytes")


def _install() -> None:
    """Count every stream pypdf decodes against the current budget (once per process)."""
    import pypdf.filters

    original = pypdf.filters.decode_stream_data
    if getattr(original, "_iopauth_budget", False):
        return

    def decode_stream_data(stream: Any) -> bytes:
        data: bytes = original(stream)
        left = _LEFT.get()
        if left is not None:
            left[0] -= len(data)
            if left[0] < 0:
                raise _exhausted()
        return data

    decode_stream_data._iopauth_budget = True  # type: ignore[attr-defined]
    pypdf.filters.decode_stream_data = decode_stream_data


@contextmanager
def decode_budget() -> Iterator[None]:
    """Within this block pypdf decodes at most the limits of the module docstring; an inner
    block shares the outer one's budget. Outside, pypdf is left as it is."""
    if _LEFT.get() is not None:
        yield
        return
    from pypdf._configuration import apply_configuration

    _install()
    left = [MAX_FORM_DECODED]
    token = _LEFT.set(left)
    try:
        with apply_configuration(None, **dict.fromkeys(_LIMITS, MAX_STREAM_DECODED)):
            yield
    finally:
        _LEFT.reset(token)
    if left[0] < 0:  # raised inside pypdf, which may have caught it: refuse here too
        raise _exhausted()


def check_object_count(reader: Any) -> None:
    """Refuse a form declaring more than :data:`MAX_FORM_OBJECTS` objects."""
    size = reader.trailer.get("/Size", 0)
    if not isinstance(size, int) or size > MAX_FORM_OBJECTS:
        raise FormError(f"the form has more than {MAX_FORM_OBJECTS} objects")

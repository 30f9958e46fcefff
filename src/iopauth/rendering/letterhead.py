"""The letterhead as templates see it: plain strings, the logo already read into a ``data:`` URL.

The logo is the only file read on the caller's behalf, so it is read carefully: the path
must name a regular file that is not a symbolic link (a link could lead to a file nobody
named), it must be at most :data:`MAX_LOGO_BYTES`, and its first bytes must be the image type
its suffix claims.

An SVG logo is a program for the renderer: 2 KB of nested ``<use>`` (ten per level, eleven
levels) asks for 10^11 shapes. :func:`check_svg` parses it (no DTD, no entities) and refuses
it past :data:`MAX_SVG_ELEMENTS` elements or :data:`MAX_SVG_DRAWN` shapes once every
``<use>`` is expanded, with a reference outside the file, or with an element that runs code,
embeds another image or tiles a pattern.
"""

from __future__ import annotations

import base64
import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

from ..errors import RenderError
from .options import LOGO_MEDIA_TYPES, Letterhead
from .views import LetterheadView

__all__ = [
    "MAX_LOGO_BYTES",
    "MAX_SVG_DRAWN",
    "MAX_SVG_ELEMENTS",
    "check_svg",
    "letterhead_view",
    "logo_url",
]

#: Largest logo file read (a letterhead logo is a few kilobytes).
MAX_LOGO_BYTES = 2 * 1024 * 1024
#: Most elements in an SVG logo as written.
MAX_SVG_ELEMENTS = 5_000
#: Most elements an SVG logo draws once every ``<use>`` is expanded.
MAX_SVG_DRAWN = 20_000
# Elements no logo needs: code, other documents or images inside the logo, tiled patterns
# (a one-pixel tile over the page is a million draws).
_REFUSED_ELEMENTS = frozenset(
    {"script", "foreignObject", "image", "feImage", "iframe", "pattern", "animate", "set"}
)
_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")


def letterhead_view(letterhead: Letterhead | None) -> LetterheadView | None:
    """The letterhead as plain data, its logo read and checked once."""
    if letterhead is None:
        return None
    return LetterheadView(
        name=letterhead.name,
        address_lines=tuple(letterhead.address_lines),
        phone=letterhead.phone,
        fax=letterhead.fax,
        email=letterhead.email,
        website=letterhead.website,
        logo=logo_url(letterhead),
    )


def _looks_like(media_type: str, data: bytes) -> bool:
    """Whether ``data`` starts the way a file of ``media_type`` does."""
    if media_type == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if media_type == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if media_type == "image/gif":
        return data.startswith((b"GIF87a", b"GIF89a"))
    # SVG is XML text: an optional byte-order mark, XML declaration or comments, then <svg
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<") and b"<svg" in head


def _read_logo(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        # ELOOP (a symbolic link) lands here too. The message names the caller's file by its
        # name (never its folder): it is the caller's own argument, not case data.
        raise RenderError(
            f"the letterhead logo file {path.name!r} could not be read (it must be a regular "
            "file, not a symbolic link)"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise RenderError("the letterhead logo must be a regular file")
        data = handle.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise RenderError(f"the letterhead logo is larger than {MAX_LOGO_BYTES} bytes")
    return data


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def check_svg(data: bytes) -> None:
    """Refuse an SVG logo that could make rendering unbounded (see the module docstring)."""
    head = data[:MAX_LOGO_BYTES].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise RenderError("the letterhead logo SVG declares a DTD or entities")
    try:
        root = ET.fromstring(data)  # noqa: S314 -- no DTD or entity can be declared (above)
    except (ET.ParseError, RecursionError, ValueError):
        raise RenderError("the letterhead logo is not a well-formed SVG") from None
    elements = list(root.iter())
    if len(elements) > MAX_SVG_ELEMENTS:
        raise RenderError(f"the letterhead logo SVG has more than {MAX_SVG_ELEMENTS} elements")
    ids: dict[str, ET.Element] = {}
    for element in elements:
        name = _local(element.tag)
        if name in _REFUSED_ELEMENTS:
            raise RenderError(f"the letterhead logo SVG holds a <{name}> element")
        if "id" in element.attrib:
            ids[element.attrib["id"]] = element
        for attribute in _HREFS:
            target = element.attrib.get(attribute)
            if target is not None and not target.startswith("#"):
                raise RenderError("the letterhead logo SVG refers to something outside it")
    if _drawn(root, ids) > MAX_SVG_DRAWN:
        raise RenderError(
            f"the letterhead logo SVG draws more than {MAX_SVG_DRAWN} elements once its "
            "<use> references are expanded"
        )


def _drawn(root: ET.Element, ids: dict[str, ET.Element]) -> int:
    """Elements drawn with every ``<use>`` expanded (stops counting past the limit)."""
    cost: dict[int, int] = {}
    visiting: set[int] = set()

    def count(element: ET.Element) -> int:
        key = id(element)
        if key in cost:
            return cost[key]
        if key in visiting:
            raise RenderError("the letterhead logo SVG has a <use> that refers to itself")
        visiting.add(key)
        total = 1
        for child in element:
            total += count(child)
            if total > MAX_SVG_DRAWN:
                break
        if _local(element.tag) == "use" and total <= MAX_SVG_DRAWN:
            target = next((element.attrib[a] for a in _HREFS if a in element.attrib), None)
            referenced = ids.get(target[1:]) if target else None
            if referenced is not None:
                total += count(referenced)
        visiting.discard(key)
        cost[key] = min(total, MAX_SVG_DRAWN + 1)
        return cost[key]

    try:
        return count(root)
    except RecursionError:
        raise RenderError("the letterhead logo SVG is nested too deeply") from None


def logo_url(letterhead: Letterhead | None) -> str | None:
    """The letterhead logo as a ``data:`` URL (the only file read on the caller's behalf)."""
    if letterhead is None or letterhead.logo is None:
        return None
    data = _read_logo(letterhead.logo)
    media_type = LOGO_MEDIA_TYPES[letterhead.logo.suffix.lower()]
    if not _looks_like(media_type, data):
        raise RenderError(f"the letterhead logo is not the {media_type} file its name says")
    if media_type == "image/svg+xml":
        check_svg(data)
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"

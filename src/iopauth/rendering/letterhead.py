"""The letterhead as templates see it: plain strings, the logo already read into a ``data:`` URL.

The logo is the only file read on the caller's behalf, so it is read carefully: the path
must name a regular file that is not a symbolic link (a link could lead to a file nobody
named), it must be at most :data:`MAX_LOGO_BYTES`, and its first bytes must be the image type
its suffix claims.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from ..errors import RenderError
from .options import LOGO_MEDIA_TYPES, Letterhead
from .views import LetterheadView

__all__ = ["MAX_LOGO_BYTES", "letterhead_view", "logo_url"]

#: Largest logo file read (a letterhead logo is a few kilobytes).
MAX_LOGO_BYTES = 2 * 1024 * 1024


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


def logo_url(letterhead: Letterhead | None) -> str | None:
    """The letterhead logo as a ``data:`` URL (the only file read on the caller's behalf)."""
    if letterhead is None or letterhead.logo is None:
        return None
    data = _read_logo(letterhead.logo)
    media_type = LOGO_MEDIA_TYPES[letterhead.logo.suffix.lower()]
    if not _looks_like(media_type, data):
        raise RenderError(f"the letterhead logo is not the {media_type} file its name says")
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"

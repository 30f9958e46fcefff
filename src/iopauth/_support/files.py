"""Reading input and writing output by path: bounded reads; whole files or nothing written.

Every file iopauth reads by a path given to it goes through :func:`read_bounded`: it is opened
without blocking (a FIFO nobody writes to never hangs the reader), must be a regular file or a
pipe (``<(…)``; never a device such as ``/dev/zero``, a folder or a socket), and reading stops
one byte past the caller's cap.

Every command that writes goes through :func:`write_output`:

- ``-`` writes to standard output;
- a path that names a device or a FIFO (``/dev/null``, ``/dev/stdout``, a named pipe) is
  written directly: renaming a file onto it would replace the device itself;
- a regular file, or a path where nothing exists yet, is written to a temporary file beside it
  and then renamed into place, so readers see the old file or the whole new one and a failure
  leaves nothing half-written. Replacing an existing file calls ``on_replace`` first (the CLI
  says so on stderr unless ``--force``);
- a symbolic link to a file is refused (``OSError``, nothing written): iopauth never writes a
  document through a link someone may have planted. The final rename replaces the name
  itself, so a link put there after the check is replaced, never followed.

:func:`write_atomically` (the batch's own files) is stricter still: anything but a regular
file or nothing at the name — a link, a device, a FIFO — is refused.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["RefusedInputError", "read_bounded", "write_atomically", "write_output"]


class RefusedInputError(ValueError):
    """A path that is not read: its rule (``not a regular file or pipe``, ``larger than N
    bytes``) is the message; callers re-raise it as their own error kind with their path."""


def read_bounded(
    path: str | os.PathLike[str], limit: int, *, pipes: bool = True, follow: bool = True
) -> bytes:
    """The bytes of the regular file (or, with ``pipes``, the pipe) at ``path``, at most ``limit``.

    Opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor (no window
    between check and read); a pipe is then read blocking, so a pipe without a writer reads
    as empty at once. Without ``follow`` a symbolic link as the last part is refused. Raises
    :class:`RefusedInputError` for anything else or past ``limit``; :class:`OSError` when the path
    cannot be opened.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow and exc.errno == errno.ELOOP:
            raise RefusedInputError("is a symbolic link") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISFIFO(mode) and pipes:
            os.set_blocking(fd, True)
        elif not stat.S_ISREG(mode):
            kind = "a regular file or pipe" if pipes else "a regular file"
            raise RefusedInputError(f"is not {kind}")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise RefusedInputError(f"is larger than {limit} bytes")
    return data


def write_output(
    target: str | os.PathLike[str],
    data: bytes,
    *,
    stdout: BinaryIO | None = None,
    on_replace: Callable[[Path], None] | None = None,
) -> None:
    """Write ``data`` to ``target`` (``-``: ``stdout``) as described in the module docstring."""
    if os.fspath(target) == "-":
        if stdout is None:
            raise ValueError("'-' needs a standard output to write to")
        stdout.write(data)
        stdout.flush()
        return
    path = Path(target)
    try:
        mode = os.stat(path).st_mode  # follows a symbolic link to what it names
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        # a device or FIFO (/dev/null, /dev/stdout, a named pipe): written to, never replaced
        with open(path, "wb") as handle:
            handle.write(data)
        return
    _refuse_link(path)
    if mode is not None and not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file, device or pipe", str(path))
    if mode is not None and on_replace is not None:
        on_replace(path)
    _replace(path, data)


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to the file ``target`` whole, replacing a regular file silently.

    For files iopauth names itself (the batch's PDFs and report): never through a symbolic
    link, never into a device or FIFO someone put there — each is refused with an
    :class:`OSError` naming the path, and nothing is written.
    """
    _refuse_link(target)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file; not replaced", str(target))
    _replace(target, data)


def _refuse_link(path: Path) -> None:
    """A symbolic link as the final name is never written through (nor replaced): a link
    planted in an output folder must not redirect a PHI document to its target."""
    if path.is_symlink():
        raise OSError(
            errno.ELOOP, "is a symbolic link; iopauth never writes through one", str(path)
        )


def _replace(target: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename (atomic on one file
    system). The rename replaces the name itself: it never follows a link put there since."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

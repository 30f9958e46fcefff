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
  leaves nothing half-written. A symbolic link keeps pointing where it did: its target is
  replaced. Replacing an existing file calls ``on_replace`` first (the CLI says so on stderr
  unless ``--force``).
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
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISFIFO(mode) and pipes:
            os.set_blocking(fd, True)
        elif not stat.S_ISREG(mode):
            kind = "a regular file or pipe" if pipes else "a regular file"
            raise RefusedInputError(f"is not {kind}")
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
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        with open(path, "wb") as handle:  # a device or FIFO: write to it, never replace it
            handle.write(data)
        return
    if mode is not None and on_replace is not None:
        on_replace(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    _replace(path, data)


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to the file ``target`` (see :func:`write_output`), replacing it silently."""
    write_output(target, data)


def _replace(target: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename (atomic on one file
    system)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

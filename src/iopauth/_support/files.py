"""Writing output: whole files or nothing, and never a device or pipe replaced by a file.

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

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomically", "write_output"]


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

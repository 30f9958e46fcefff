"""Writing output: devices and pipes written to, files replaced whole, links kept."""

from __future__ import annotations

import io
import os
import stat
import threading
from pathlib import Path

import pytest

from iopauth._support.files import write_atomically, write_output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_written_to_not_replaced(tmp_path: Path) -> None:
    """Writing to a named pipe sends the bytes through it and leaves the pipe in place."""
    fifo = tmp_path / "out.pdf"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomically(fifo, b"%PDF-data")
    reader.join(timeout=30)
    assert received == [b"%PDF-data"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert list(tmp_path.iterdir()) == [fifo]


def test_a_regular_file_is_replaced_whole_and_the_caller_told(tmp_path: Path) -> None:
    """An existing file is replaced through a rename; on_replace hears of it first."""
    target = tmp_path / "letter.pdf"
    target.write_bytes(b"old")
    told: list[Path] = []
    write_output(target, b"new", on_replace=told.append)
    assert target.read_bytes() == b"new"
    assert told == [target]
    write_output(tmp_path / "fresh.pdf", b"x", on_replace=told.append)
    assert told == [target]  # nothing was there to replace
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.pdf", "letter.pdf"]


def test_a_symbolic_link_keeps_pointing_at_its_target(tmp_path: Path) -> None:
    """Writing through a link replaces the file it names and keeps the link."""
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    write_output(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_dash_writes_to_standard_output() -> None:
    """'-' writes the bytes to the given binary stream."""
    out = io.BytesIO()
    write_output("-", b"%PDF-", stdout=out)
    assert out.getvalue() == b"%PDF-"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    """A folder is never written to or replaced."""
    with pytest.raises(IsADirectoryError):
        write_output(tmp_path, b"x")
    assert tmp_path.is_dir()

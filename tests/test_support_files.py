"""Reading and writing by path: bounded reads; devices and pipes written to, files replaced
whole, symbolic links never written through."""

from __future__ import annotations

import io
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from iopauth._support.files import (
    RefusedInputError,
    read_bounded,
    write_atomically,
    write_output,
)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_written_to_not_replaced(tmp_path: Path) -> None:
    """Writing to a named pipe sends the bytes through it and leaves the pipe in place."""
    fifo = tmp_path / "out.pdf"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_output(fifo, b"%PDF-data")
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


@pytest.mark.parametrize("writer", [write_output, write_atomically])
def test_a_symbolic_link_is_never_written_through(tmp_path: Path, writer: Any) -> None:
    """A link planted at the output name (to a file, or dangling) is refused; its target and
    the link stay as they were and nothing else is written."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    link = tmp_path / "letter.pdf"
    link.symlink_to(victim)
    dangling = tmp_path / "new.pdf"
    dangling.symlink_to(tmp_path / "created-through-link.pdf")
    for target in (link, dangling):
        with pytest.raises(OSError, match="symbolic link") as caught:
            writer(target, b"%PDF-phi")
        assert caught.value.filename == str(target)
    assert victim.read_bytes() == b"precious"
    assert link.is_symlink()
    assert not (tmp_path / "created-through-link.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.pdf", "new.pdf", "victim.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_the_batch_writer_refuses_a_fifo_without_waiting(tmp_path: Path) -> None:
    """write_atomically (the batch's files) refuses a FIFO planted at its name: no hang."""
    fifo = tmp_path / "out.pdf"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_atomically(fifo, b"%PDF-data")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_read_bounded_refuses_devices_links_and_oversize(tmp_path: Path) -> None:
    """The one reader: a regular file up to its cap; no device, no link when told, no more."""
    small = tmp_path / "small.json"
    small.write_bytes(b"{}")
    assert read_bounded(small, 2) == b"{}"
    with pytest.raises(RefusedInputError, match="is larger than 1 bytes"):
        read_bounded(small, 1)
    with pytest.raises(RefusedInputError, match="not a regular file or pipe"):
        read_bounded("/dev/zero", 10)
    with pytest.raises(RefusedInputError, match="not a regular file or pipe"):
        read_bounded(tmp_path, 10)
    link = tmp_path / "link.json"
    link.symlink_to(small)
    assert read_bounded(link, 10) == b"{}"
    with pytest.raises(RefusedInputError, match="symbolic link"):
        read_bounded(link, 10, follow=False)


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

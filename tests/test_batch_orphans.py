"""kill -9 of a batch: its fork server, resource tracker and workers do not outlive it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iopauth.batch._orphans import WATCH_SECONDS, parent_alive

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process tree from /proc"
)


def _parents() -> dict[int, int]:
    """Every running process's parent, from /proc."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
                found[int(entry.name)] = int(fields[1])
    return found


def _descendants(pid: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found.update(children)
        todo.extend(children)
    return found


def _running(pids: set[int]) -> set[int]:
    return {pid for pid in pids if parent_alive(pid)}


def test_workers_exit_when_the_batch_is_killed(tmp_path: Path) -> None:
    """A real kill -9 of the batch's process alone (not its group): within seconds no process
    it started — fork server, resource tracker, workers — is left running."""
    folder = tmp_path / "in"
    folder.mkdir()
    base = json.loads((EXAMPLES / "medicare-stepdown-depression.json").read_text())
    for n in range(30):
        (folder / f"case-{n:02d}.json").write_text(json.dumps({**base, "case_id": f"b-{n:02d}"}))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "iopauth", "batch", str(folder), "-o", str(out)]
    command += ["--documents", "request-letter", "--workers", "2"]
    batch = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 240
        # wait until the pool is up and working: the fork server and two workers at least
        while batch.poll() is None and not list(out.glob("*.pdf")):
            assert time.monotonic() < deadline, "the batch wrote nothing in time"
            time.sleep(0.1)
        started = _descendants(batch.pid)
        assert batch.poll() is None, "the batch finished before it was killed"
        assert len(started) >= 3, started  # fork server (or tracker) and two workers
        os.kill(batch.pid, signal.SIGKILL)  # the batch's process only
        batch.wait()
        gone_by = time.monotonic() + 20 * WATCH_SECONDS + 10
        while _running(started) and time.monotonic() < gone_by:
            time.sleep(0.1)
        assert _running(started) == set(), "processes outlived the batch"
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
        for pid in _running(started):  # never leave them behind, whatever the result
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_parent_alive_tells_a_zombie_from_a_live_process() -> None:
    """A killed child not yet reaped is dead to the watchdog; this process is alive."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert parent_alive(child.pid)
        child.kill()
        deadline = time.monotonic() + 10
        while parent_alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # a zombie now: not reaped until wait()
        assert not parent_alive(child.pid)
    finally:
        child.wait()
    assert parent_alive(os.getpid())

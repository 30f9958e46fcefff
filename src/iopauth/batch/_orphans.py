"""Batch workers never outlive the batch: they exit when the process that started them dies.

``kill -9`` of a batch left the pool's workers (about 100 MB each) rendering for minutes. Each
worker of iopauth's own pool is started with :func:`start_worker`:

- on Linux it asks the kernel for ``SIGKILL`` when its parent dies (``prctl`` with
  ``PR_SET_PDEATHSIG`` through ctypes; with the forkserver start method the parent is the
  fork server, which itself exits when the batch's process closes its end of their pipe);
- on every platform a watchdog thread checks twice a second whether the batch's process is
  still alive (a zombie counts as dead) and ends the worker at once when it is not.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

from ._worker import warm

__all__ = ["WATCH_SECONDS", "parent_alive", "start_worker"]

#: How often (seconds) a worker's watchdog looks at the batch's process.
WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def parent_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie — killed, not yet reaped — does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in (b"Z", b"X")
    return True


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch(pid: int) -> None:
    stop = threading.Event()
    while not stop.wait(WATCH_SECONDS):
        if not parent_alive(pid):
            os._exit(1)  # the batch is gone: nothing to report to, nothing to finish


def start_worker(batch_pid: int) -> None:
    """The pool's initializer: tie this worker's life to the batch's, then warm its caches."""
    _die_with_parent()
    if not parent_alive(batch_pid):  # it died before the tie was made
        os._exit(1)
    threading.Thread(
        target=_watch, args=(batch_pid,), name="iopauth-batch-watch", daemon=True
    ).start()
    warm()

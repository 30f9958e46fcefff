"""Shared state built lazily is built once and safely: first calls from many threads at once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from iopauth._support.once import once

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cases"
THREADS = 8
PROCESSES = 3

# Run in a fresh interpreter, so every cache is cold; a tiny switch interval makes threads
# interleave inside the first builds, where a half-built cache used to be visible.
SCRIPT = """
import json, sys, threading
sys.setswitchinterval(1e-6)
from iopauth.criteria import evaluate, get_criteria
from iopauth.errors import InvalidCaseError
from iopauth.caseformat.serialize import load_case

bad, good = json.loads(sys.argv[1]), json.loads(sys.argv[2])
threads = int(sys.argv[3])
barrier = threading.Barrier(threads)
out = []

def run():
    barrier.wait()
    try:
        load_case(bad)
        verdict = "accepted"
    except InvalidCaseError as exc:
        verdict = "|".join(exc.errors)
    case = load_case(good)
    result = evaluate(case, criteria="iop-standard", review="initial")
    out.append([verdict, id(get_criteria("iop-standard")), result.outcome.value])

workers = [threading.Thread(target=run) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print(json.dumps(out))
"""


def test_first_loads_in_many_threads_all_validate() -> None:
    """Concurrent first loads in fresh processes all find the bad date and share one set."""
    good = json.loads((EXAMPLE / "medicare-stepdown-depression.json").read_text("utf-8"))
    bad = json.loads(json.dumps(good))
    bad["request"]["period"]["end"] = "2026-06-01"  # before the start: only the date scan sees it
    for _ in range(PROCESSES):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, json.dumps(bad), json.dumps(good), str(THREADS)],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        rows = json.loads(done.stdout)
        assert len(rows) == THREADS
        assert {r[0] for r in rows} == {"$.request.period.end: must not be before start"}
        assert len({r[1] for r in rows}) == 1  # one compiled criteria set for every thread
        assert len({r[2] for r in rows}) == 1


def test_once_builds_each_value_once_under_contention() -> None:
    """A function decorated with once runs once per argument however many threads ask."""
    calls: list[int] = []
    barrier = threading.Barrier(THREADS)

    @once()
    def build(n: int) -> list[int]:
        calls.append(n)
        return [n]

    results: list[list[int]] = []

    def run() -> None:
        barrier.wait()
        results.append(build(1))

    workers = [threading.Thread(target=run) for _ in range(THREADS)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        sys.setswitchinterval(switch)
    assert calls == [1]
    assert all(r is results[0] for r in results)


def test_once_keeps_at_most_maxsize_values() -> None:
    """Past maxsize the oldest value is dropped and built again when asked for."""
    calls: list[int] = []

    @once(maxsize=2)
    def build(n: int) -> int:
        calls.append(n)
        return n

    for n in (1, 2, 3, 1):
        build(n)
    assert calls == [1, 2, 3, 1]
    build.cache_clear()
    build(3)
    assert calls == [1, 2, 3, 1, 3]

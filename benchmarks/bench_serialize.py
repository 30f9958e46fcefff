"""Load + dump round trips of the example cases per second, and the cost of ``import iopauth``.

Run: ``.venv/bin/python benchmarks/bench_serialize.py``. Results are ratios against baselines
measured in the same run, so they hold on any machine:

- round trip: ``load_case(dump_case(case))`` against ``json.loads(json.dumps(data))`` of the
  same documents, plus the absolute rate (target >= 10,000/s);
- two floors, measured in the same run: calling the model constructors alone with every
  argument already built (no reading, no checks), which no loader of these models goes under;
  and a round trip through a plain cattrs converter that checks nothing, which no loader built
  on cattrs (as DESIGN.md asks) goes under;
- import: a fresh interpreter importing iopauth against one importing only ``json`` (target
  <= 150 ms above that), and a check that neither WeasyPrint nor the ICD-10-CM table was loaded.
"""

from __future__ import annotations

import functools
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import cattrs

from iopauth import Case, dump_case, load_case

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "cases").glob("*.json"))


def _rates(
    works: list[Callable[[], None]],
    per_call: int,
    seconds: float = 2.0,
    rounds: int = 10,
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    """Calls per second of each of ``works`` (each call handling ``per_call`` items).

    The works take turns in ``rounds`` short rounds, so a drift in the machine's speed touches
    them all alike; each gets its best round. ``clock`` is wall time unless told otherwise
    (``time.process_time``: the CPU time this process was given).
    """
    best = [0.0] * len(works)
    for _ in range(rounds):
        for i, work in enumerate(works):
            count, start = 0, clock()
            while (elapsed := clock() - start) < seconds / rounds:
                work()
                count += 1
            best[i] = max(best[i], count * per_call / elapsed)
    return best


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(cls))


def _constructor_calls(value: object, out: list[tuple[type, dict[str, Any]]]) -> None:
    """Every model object inside ``value`` as (class, keyword arguments), children first."""
    cls = type(value)
    if isinstance(value, tuple):
        for item in value:
            _constructor_calls(item, out)
    elif attrs.has(cls):
        kwargs = {name: getattr(value, name) for name in _field_names(cls)}
        for item in kwargs.values():
            _constructor_calls(item, out)
        out.append((cls, kwargs))


def _plain_converter() -> cattrs.Converter:
    """cattrs with no checks: no strict types, no rules, no error collection."""
    conv = cattrs.Converter(detailed_validation=False, omit_if_default=True)
    conv.register_structure_hook(date, lambda value, _: date.fromisoformat(value))
    conv.register_unstructure_hook(date, date.isoformat)
    return conv


def _import_ms(statement: str) -> float:
    """Median wall time of a fresh interpreter running ``statement``, in milliseconds."""
    times = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the measurements and whether each target is met."""
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]
    cases = [load_case(d) for d in documents]
    texts = [json.dumps(d) for d in documents]

    def ours() -> None:
        for case in cases:
            load_case(dump_case(case))

    def baseline() -> None:
        for text in texts:
            json.loads(json.dumps(json.loads(text)))

    calls: list[tuple[type, dict[str, Any]]] = []
    for case in cases:
        _constructor_calls(case, calls)

    def construct_only() -> None:
        for cls, kwargs in calls:
            cls(**kwargs)

    plain = _plain_converter()
    if any(plain.structure(plain.unstructure(case), Case) != case for case in cases):
        raise SystemExit("the unchecked converter does not round-trip the examples")

    def unchecked() -> None:
        for case in cases:
            plain.structure(plain.unstructure(case), Case)

    ours_rate, base_rate, construct_rate, unchecked_rate = _rates(
        [ours, baseline, construct_only, unchecked], len(cases)
    )
    print(f"round trip: {ours_rate:,.0f} cases/s (target >= 10,000)")
    print(f"json-only baseline: {base_rate:,.0f} documents/s; ratio {base_rate / ours_rate:.1f}x")
    print(
        f"floors: constructing the {len(calls) / len(cases):.0f} model objects of a case alone "
        f"{1e6 / construct_rate:.0f} us; an unchecked cattrs round trip {1e6 / unchecked_rate:.0f} "
        f"us ({unchecked_rate:,.0f} cases/s); the target allows 100 us per case"
    )
    slower = unchecked_rate / ours_rate
    print(f"the checked round trip takes {slower:.1f}x as long as the unchecked one")

    heavy = ("weasyprint", "simple_icd_10_cm", "iopauth.rendering", "jinja2")
    probe = (
        f"import sys, iopauth; bad = [m for m in {heavy!r} if m in sys.modules]; "
        "assert not bad, bad"
    )
    iopauth_ms = _import_ms(probe)
    python_ms = _import_ms("import json")
    print(
        f"import iopauth: {iopauth_ms - python_ms:.0f} ms above a bare interpreter "
        f"({iopauth_ms:.0f} vs {python_ms:.0f} ms; target <= 150); heavy modules not loaded"
    )


if __name__ == "__main__":
    main()

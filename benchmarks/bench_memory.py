"""Memory of one batch worker: resident set growth over many letters after a warm-up.

Target (issue 14): 1,000 request letters in one worker grow its resident memory by at most
30 MB after the first 50. The letters go through the worker's own path (``render_job``: JSON
text in, file written atomically), each case different (its own facts, findings and text), so
the criteria engine's facts cache and findings memo see new keys all the time.

    .venv/bin/python benchmarks/bench_memory.py [--letters 1000] [--warmup 50]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import variants  # the benchmarks folder is not a package

from iopauth.batch._worker import render_job


def rss_mb() -> float:
    """This process's resident set size now, in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(letters: int, warmup: int) -> dict[str, Any]:
    """RSS after ``warmup`` letters and after ``letters`` letters; growth and peak."""
    texts = [json.dumps(case) for case in variants(letters)]
    samples: list[tuple[int, float]] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        for n, text in enumerate(texts, 1):
            entry = render_job(f"m{n % 20}", text, ("request-letter",), out)
            assert entry["status"] == "ok", entry["errors"]
            if n in (warmup, letters) or n % max(1, letters // 10) == 0:
                gc.collect()
                samples.append((n, rss_mb()))
    after_warmup = next(mb for n, mb in samples if n >= warmup)
    final = samples[-1][1]
    return {
        "letters": letters,
        "warmup": warmup,
        "rss_after_warmup_mb": round(after_warmup, 1),
        "rss_final_mb": round(final, 1),
        "growth_mb": round(final - after_warmup, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "samples": [(n, round(mb, 1)) for n, mb in samples],
        "seconds": round(time.perf_counter() - start, 1),
        "target_growth_mb": 30,
    }


def main() -> None:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(run(args.letters, args.warmup), indent=2))


if __name__ == "__main__":
    main()

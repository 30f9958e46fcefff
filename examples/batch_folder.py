"""Render every example case's request letter and fax cover into a folder, on every core.

    .venv/bin/python examples/batch_folder.py [OUT_DIR]     (default: example-output/)

The same as ``iopauth batch examples/cases -o OUT_DIR --documents request-letter,fax-cover``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from iopauth.batch import render_many

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run the batch; print one line per case and where the report is."""
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("example-output")
    cases = sorted((HERE / "cases").glob("*.json"))  # paths, dicts or Case objects all work
    report = render_many(
        cases,
        out_dir,
        documents=["request-letter", "fax-cover"],  # where they apply; default: all that apply
        # executor=client.get_executor(),  # e.g. a Dask cluster; default: a local process pool
        progress=lambda case: print(case.name, case.status, case.outcome or ""),
    )
    for case in report.failed:  # a bad case is reported, never stops the batch
        print(case.name, *case.errors, sep="\n  ")
    for case in report.cases:
        for written in case.files:
            print(f"wrote: {out_dir / written.file}")
    print(f"wrote: {report.report_path}")
    print("outcomes:", report.outcomes())
    return 1 if report.failed else 0


if __name__ == "__main__":  # needed: worker processes import this file again
    sys.exit(main())

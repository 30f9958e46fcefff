"""``iopauth schema`` and ``iopauth criteria``: what iopauth reads, printed for a reader.

``schema`` prints the JSON Schema of the case document; ``criteria`` lists the shipped
criteria sets, or prints one set (shipped or a TOML file) as a reviewer would read it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from ._args import EXIT_OK, criteria_argument

__all__ = ["add_parser", "run_criteria", "run_schema"]


def add_parser(sub: Any) -> None:
    """Add ``schema`` and ``criteria`` to the main parser's subcommands."""
    sub.add_parser("schema", help="print the JSON Schema of the case document")

    criteria = sub.add_parser("criteria", help="list criteria sets, or print one set")
    criteria.add_argument("name", nargs="?", help="shipped set name or a TOML file")


def run_schema(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from ..caseformat.serialize import case_schema

    json.dump(case_schema(), out, indent=2)
    out.write("\n")
    return EXIT_OK


def run_criteria(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from ..criteria import criteria_sets, describe_set, get_criteria

    if args.name is None:
        for name in criteria_sets():
            print(f"{name:16} {get_criteria(name).title}", file=out)
        return EXIT_OK
    chosen = criteria_argument(args.name)
    out.write(describe_set(get_criteria(chosen) if isinstance(chosen, str) else chosen))
    return EXIT_OK

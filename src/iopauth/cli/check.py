"""``iopauth validate`` and ``iopauth check``: is a case valid; does it meet its criteria.

``check`` exits 0 when the case meets the criteria and 1 when it does not or lacks
information; the determination is printed as a table or, with ``--json``, as JSON.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from ._args import EXIT_NOT_MET, EXIT_OK, criteria_argument, read_case_argument

__all__ = ["add_parser", "run_check", "run_validate"]


def add_parser(sub: Any) -> None:
    """Add ``validate`` and ``check`` to the main parser's subcommands."""
    validate = sub.add_parser("validate", help="check a case document and report every problem")
    validate.add_argument("case", help="case JSON file ('-' reads standard input)")

    check = sub.add_parser("check", help="check a case against medical-necessity criteria")
    check.add_argument("case", help="case JSON file ('-' reads standard input)")
    check.add_argument("--criteria", help="shipped set name or a TOML file (default: by case)")
    check.add_argument(
        "--review",
        choices=("initial", "continued", "discharge"),
        help="review type (default: continued for a concurrent or extension request, else initial)",
    )
    check.add_argument("--json", action="store_true", help="print the determination as JSON")


def run_validate(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from ..codes import ICD10CM_VERSION

    case = read_case_argument(args.case, stdin)
    print(f"{case.case_id}: valid (diagnosis codes checked against {ICD10CM_VERSION})", file=out)
    return EXIT_OK


def run_check(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from ..criteria import default_review, determination_to_json, evaluate, format_table
    from ..criteria.result import Outcome

    case = read_case_argument(args.case, stdin)
    determination = evaluate(
        case,
        criteria=criteria_argument(args.criteria, case),
        review=args.review or default_review(case),
    )
    if args.json:
        json.dump(determination_to_json(determination), out, indent=2)
        out.write("\n")
    else:
        out.write(format_table(determination))
    return EXIT_OK if determination.outcome is Outcome.MEETS else EXIT_NOT_MET

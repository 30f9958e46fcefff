"""``iopauth fhir import|pas|decision|…``: the FHIR/PAS subcommands of the ``iopauth`` command.

Registered on the main parser by :func:`add_parser`; :func:`run` runs them. Errors are
raised as :class:`~iopauth.errors.IopAuthError` (one line per problem, exit 2), and output
files are written whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from ..errors import FhirError, InvalidCaseError
from . import fhir_needs

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add ``fhir`` and its subcommands (CRD and DTR ones from :mod:`.fhir_needs`)."""
    fhir = sub.add_parser("fhir", help="FHIR in, Da Vinci PAS out, payer decisions back")
    commands = fhir.add_subparsers(
        dest="fhir_command", metavar="SUBCOMMAND", required=True, parser_class=type(fhir)
    )
    imp = commands.add_parser("import", help="build a case from a US Core FHIR Bundle")
    imp.add_argument("bundle", help="FHIR Bundle JSON file ('-' reads standard input)")
    imp.add_argument("-o", "--output", required=True, help="case JSON file to write ('-': stdout)")
    imp.add_argument("--force", action="store_true", help="replace a file without a notice")
    imp.add_argument("--case-id", help="the case's reference (default: the file's name)")
    imp.add_argument(
        "--kind",
        choices=("initial", "concurrent", "extension", "appeal"),
        help="the request's kind (a clinical bundle does not carry it; default: initial)",
    )
    imp.add_argument("--extra", help="JSON file with case parts FHIR does not carry")
    pas = commands.add_parser(
        "pas", help="write a case's Da Vinci PAS request, inquiry, update or cancel Bundle"
    )
    from .fhir_pas import add_arguments

    add_arguments(pas)
    decision = commands.add_parser("decision", help="read a payer's PAS response")
    decision.add_argument(
        "response", help="ClaimResponse, response Bundle or OperationOutcome ('-': stdin)"
    )
    decision.add_argument("--json", action="store_true", help="print the decision as JSON")
    fhir_needs.add_commands(commands)


def run(args: argparse.Namespace, out: TextIO, stdin: TextIO | None = None) -> int:
    """Run one ``iopauth fhir`` subcommand; returns the exit code."""
    if args.fhir_command == "import":
        return _import(args, out, stdin)
    if args.fhir_command == "pas":
        return _pas(args, out)
    if args.fhir_command in fhir_needs.COMMANDS:
        return fhir_needs.run(args, out)
    return _decision(args, out, stdin)


def _source(name: str, stdin: TextIO | None) -> str | bytes | Path:
    """A file argument, or standard input for '-' (read up to the document size limit)."""
    if name == "-":
        from ..caseformat._reading import read_stream

        stream = stdin if stdin is not None else sys.stdin
        try:
            return read_stream(getattr(stream, "buffer", stream))
        except InvalidCaseError as exc:
            raise FhirError(exc.errors) from None
    return Path(name)


def _write(args: argparse.Namespace, out: TextIO, data: bytes) -> None:
    """Write the output file the one way every iopauth command does (see iopauth._support.files)."""
    from ._args import write_argument

    write_argument(args, out, data)


def _import(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from ..caseformat._reading import read_source
    from ..caseformat.serialize import dump_case
    from ..fhir._import import case_from_bundle

    extra: dict[str, Any] = {}
    if args.extra:
        # read as strictly as a case: a key given twice, bad UTF-8 or JSON is an error at its
        # path, named with the file (the values never appear)
        try:
            data = read_source(Path(args.extra), "extra file")
        except InvalidCaseError as exc:
            raise FhirError([f"{args.extra}: {line}" for line in exc.errors]) from None
        if not isinstance(data, dict):
            raise FhirError([f"{args.extra}: must be a JSON object (parts of a case)"])
        extra = data
    request = {"kind": args.kind} if args.kind else None
    default_id = "imported" if args.bundle == "-" else Path(args.bundle).name.split(".")[0]
    case_id = args.case_id or default_id
    source = _source(args.bundle, stdin)
    result = case_from_bundle(source, case_id=case_id, request=request, extra=extra)
    text = json.dumps(dump_case(result.case), indent=2, ensure_ascii=False) + "\n"
    _write(args, out, text.encode("utf-8"))
    # with the case on standard output, what could not be filled goes to standard error
    report: TextIO = args.stderr if args.output == "-" else out
    if args.output != "-":
        print(args.output, file=out)
    for line in result.unfilled:
        print(f"not filled: {line}", file=report)
    for line in result.notes:
        print(f"note: {line}", file=report)
    return 0


def _pas(args: argparse.Namespace, out: TextIO) -> int:
    from . import fhir_pas

    fhir_pas.write(args, out, fhir_pas.run(args, out))
    return 0


def _decision(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from ..authorization import dump_decision
    from ..fhir._decision import decision_from_response

    decision = decision_from_response(_source(args.response, stdin))
    # the same JSON `iopauth auth decision` and load_decision read back
    data = dump_decision(decision)
    if args.json:  # ensure_ascii: a payer's control characters come out escaped
        json.dump(data, out, indent=2, ensure_ascii=True)
        out.write("\n")
        return 0
    from ._decision_text import decision_lines

    for line in decision_lines(decision):
        print(line, file=out)
    return 0

"""What every ``iopauth`` command shares: exit codes, the parser class, and reading and
writing the files named on the command line.

The bottom of :mod:`iopauth.cli`: the command modules import this one, and it imports no
command module. Input is read as the library reads it (capped, bytes from standard input);
output is written whole or not at all, never replacing a device or pipe with a file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, TextIO

from .._support.files import write_output
from ..caseformat._reading import read_stream
from ..errors import CriteriaSetError, IopAuthError

if TYPE_CHECKING:
    from ..authorization.decision import Decision
    from ..criteria import CriteriaSet
    from ..model import Case

__all__ = [
    "EXIT_NOT_MET",
    "EXIT_OK",
    "EXIT_USAGE",
    "OutputError",
    "Parser",
    "UsageError",
    "criteria_argument",
    "read_case_argument",
    "read_decision",
    "write_argument",
]

EXIT_OK, EXIT_NOT_MET, EXIT_USAGE = 0, 1, 2


class OutputError(IopAuthError):
    """The output named on the command line cannot take what the command writes."""


class UsageError(Exception):
    """Bad command-line usage; argparse's own exit is replaced by this."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def read_case_argument(source: str, stdin: TextIO | None) -> Case:
    from ..caseformat.serialize import load_case

    if source == "-":
        stream = stdin if stdin is not None else sys.stdin
        # bytes where the stream has them, so undecodable input is refused as in a file
        raw: IO[bytes] | IO[str] = getattr(stream, "buffer", stream)
        return load_case(read_stream(raw))
    return load_case(Path(source))


def _on_replace(args: argparse.Namespace) -> Callable[[Path], None] | None:
    """Say on stderr that an existing file is replaced, unless ``--force``."""
    if args.force:
        return None
    err: TextIO = args.stderr

    def notice(path: Path) -> None:
        print(f"iopauth: replacing the existing file {path}", file=err)

    return notice


def write_argument(args: argparse.Namespace, out: TextIO, data: bytes) -> None:
    """Write one output file (or standard output for ``-``) the one safe way.

    Every command that writes a file calls this (``render``, ``forms fill``; ``demo`` and
    ``batch`` write through :mod:`iopauth.batch`, which writes the same way).
    """
    binary: BinaryIO | None = getattr(out, "buffer", None)
    if args.output == "-" and binary is None:
        raise OutputError("standard output here takes text only; name a file with -o")
    write_output(args.output, data, stdout=binary, on_replace=_on_replace(args))


def criteria_argument(value: str | None, case: Case | None = None) -> str | CriteriaSet:
    """A shipped set name, a user's TOML file loaded, or the case's default set."""
    from ..criteria import criteria_sets, default_criteria, load_criteria

    if value is None:
        if case is None:
            raise ValueError("a criteria set or a case is needed")
        return default_criteria(case)
    if value in criteria_sets():
        return value
    if value.endswith(".toml") or os.sep in value or Path(value).exists():
        return load_criteria(Path(value))
    shipped = ", ".join(criteria_sets())
    raise CriteriaSetError(f"no shipped criteria set {value!r}; shipped sets: {shipped}")


def read_decision(path: Path) -> Decision:
    """A decision JSON (iopauth's format), or a payer's PAS response read by iopauth.fhir."""
    from ..authorization.serialize import load_decision, read_json

    data = read_json(path, "decision")
    if "resourceType" not in data:
        return load_decision(data)
    from ..fhir import decision_from_response  # a ClaimResponse, response Bundle, Parameters…

    return decision_from_response(data)

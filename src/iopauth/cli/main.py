"""The ``iopauth`` command: its parser, ``main`` and the table of commands.

``main(argv, stdout, stderr)`` takes its streams as arguments so tests run it in-process. Exit
codes: 0 success (for ``check``: the case meets the criteria), 1 ``check`` ran and the case does
not meet them or lacks information, 2 bad input or usage. Errors are one line per problem on
stderr, never a traceback, and never patient data: they name field paths and rules.

Each command group lives in a module of its own (:mod:`.check`, :mod:`.render`,
:mod:`.reference`, :mod:`.auth`, :mod:`.fhir`, :mod:`.forms`, :mod:`.batch`, :mod:`.demo`),
which imports the library only when its command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from ..errors import IopAuthError
from . import auth, batch, check, demo, fhir, forms, reference, render
from ._args import EXIT_OK, EXIT_USAGE, Parser, UsageError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="iopauth",
        description="Build the prior-authorization case for intensive outpatient care: "
        "validate a case, check it against medical-necessity criteria, write its documents.",
        epilog="Exit codes: 0 success (check: meets), 1 check: does not meet or lacks "
        "information, 2 bad input or usage.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    demo.add_parser(sub)
    check.add_parser(sub)
    render.add_parser(sub)
    reference.add_parser(sub)
    auth.add_parser(sub)
    fhir.add_parser(sub)
    forms.add_parser(sub)
    batch.add_parser(sub)
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        with contextlib.redirect_stdout(out):  # --help goes to the injected stream
            args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        print(exc, file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    return _run(args, out, err, stdin)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None) -> int:
    """Run the parsed command, turning every expected failure into one line per problem."""
    if args.version:
        from .. import __version__

        print(f"iopauth {__version__}", file=out)
        return EXIT_OK
    if args.command is None:
        print("iopauth: choose a command; see 'iopauth --help'", file=err)
        return EXIT_USAGE
    args.stderr = err  # for notices: a draft written, an existing file replaced
    try:
        return _COMMANDS[args.command](args, out, stdin)
    except IopAuthError as exc:
        lines = getattr(exc, "errors", None) or str(exc).splitlines()
        for line in lines:
            print(f"iopauth: {line}", file=err)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader (e.g. `| head`) went away; nothing to report
        return EXIT_OK
    except OSError as exc:
        # The path is the user's own argument; strerror carries no file contents.
        print(f"iopauth: cannot use {exc.filename or 'input'}: {exc.strerror}", file=err)
        return EXIT_USAGE


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO | None], int]] = {
    "auth": auth.run,
    "batch": batch.run_command,
    "check": check.run_check,
    "criteria": reference.run_criteria,
    "demo": demo.run,
    "fhir": fhir.run,
    "forms": forms.run,
    "render": render.run,
    "schema": reference.run_schema,
    "validate": check.run_validate,
}

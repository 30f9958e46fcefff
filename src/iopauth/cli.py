"""The ``iopauth`` command.

``main(argv, stdout, stderr)`` takes its streams as arguments so tests run it in-process. Exit
codes: 0 success (for ``check``: the case meets the criteria), 1 ``check`` ran and the case does
not meet them or lacks information, 2 bad input or usage. Errors are one line per problem on
stderr, never a traceback, and never patient data: they name field paths and rules.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, TextIO

from ._batch_cli import add_parser as add_batch_parser
from ._batch_cli import run_command as run_batch
from ._batch_cli import run_demo
from ._support.files import write_output
from .authorization import _cli as _auth_cli
from .caseformat._reading import read_stream
from .errors import CriteriaSetError, IopAuthError, LanguageFallbackWarning

if TYPE_CHECKING:
    from .criteria import CriteriaSet
    from .model import Case

__all__ = ["main"]

EXIT_OK, EXIT_NOT_MET, EXIT_USAGE = 0, 1, 2


class _OutputError(IopAuthError):
    """The output named on the command line cannot take what the command writes."""


class _UsageError(Exception):
    """Bad command-line usage; argparse's own exit is replaced by this."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="iopauth",
        description="Build the prior-authorization case for intensive outpatient care: "
        "validate a case, check it against medical-necessity criteria, write its documents.",
        epilog="Exit codes: 0 success (check: meets), 1 check: does not meet or lacks "
        "information, 2 bad input or usage.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="write the documents of the bundled example cases")
    demo.add_argument(
        "-o", "--output", default="iopauth-demo", help="folder to write (default: %(default)s)"
    )
    demo.add_argument("--force", action="store_true", help="replace files without a notice")

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

    from ._support.document_names import DOCUMENTS  # the names only: check never loads the renderer

    render = sub.add_parser(
        "render",
        help="render one document of a case to PDF",
        description="Render one document of a case to PDF (or HTML). Documents: "
        + ", ".join(DOCUMENTS)
        + ". A request, concurrent-review or appeal letter (or a packet or cover holding one) "
        "for a case that does not meet its criteria is written as a marked DRAFT and the "
        "command exits 1, unless --final is given.",
    )
    render.add_argument("case", help="case JSON file ('-' reads standard input)")
    render.add_argument(
        "-d",
        "--document",
        default="request-letter",
        choices=DOCUMENTS,
        metavar="DOCUMENT",
        help="one of: %(choices)s (default: %(default)s)",
    )
    render.add_argument(
        "-o", "--output", required=True, help="PDF (or HTML) file to write ('-': standard output)"
    )
    render.add_argument("--force", action="store_true", help="replace a file without a notice")
    render.add_argument("--criteria", help="shipped set name or a TOML file (default: by case)")
    render.add_argument(
        "--paper", choices=("letter", "a4"), default="letter", help="paper size (default: letter)"
    )
    render.add_argument(
        "--archival",
        action="store_true",
        help="PDF/A-3 embedding the case facts a clinical document states",
    )
    render.add_argument("--tagged", action="store_true", help="tagged PDF declaring PDF/UA-1")
    render.add_argument(
        "--final",
        action="store_true",
        help="write a letter as final even when the case does not meet its criteria",
    )
    render.add_argument(
        "--original-request",
        action="store_true",
        help="enclose the original request letter in an appeal packet",
    )
    render.add_argument(
        "--template-dir",
        action="append",
        default=[],
        help="folder of templates searched before ours (repeatable; must exist)",
    )
    render.add_argument("--html", action="store_true", help="write the HTML instead of a PDF")
    payer = render.add_mutually_exclusive_group()
    payer.add_argument(
        "--authorization",
        metavar="FILE",
        help="the case's authorization as JSON ('iopauth auth show' prints it): the concurrent "
        "review states its authorized dates, units used and left, and attendance",
    )
    payer.add_argument(
        "--db",
        metavar="FILE",
        help="read the case's authorization (by its case id) from this authorization store",
    )
    render.add_argument(
        "--form",
        nargs=2,
        metavar=("FORM.pdf", "MAPPING.toml"),
        help="fill the payer's form by the mapping and put it into the packet (flattened)",
    )
    render.add_argument(
        "--form-placement",
        choices=("beside", "replace"),
        default="beside",
        help="the form after the packet's letter, or in its place (default: %(default)s)",
    )
    render.add_argument(
        "--decision",
        metavar="FILE",
        help="the payer's decision the appeal answers (decision JSON or a PAS response)",
    )
    render.add_argument(
        "--language",
        type=_language_tag,
        help="the patient summary's language, e.g. es or es-US (default: the patient's "
        "preferred language, else English); letters are always English",
    )

    sub.add_parser("schema", help="print the JSON Schema of the case document")

    criteria = sub.add_parser("criteria", help="list criteria sets, or print one set")
    criteria.add_argument("name", nargs="?", help="shipped set name or a TOML file")

    _auth_cli.add_parser(sub)

    from .fhir._cli import add_fhir_parser  # the fhir subcommands live beside their code

    add_fhir_parser(sub)

    from .forms._cli import add_parser as add_forms_parser

    add_forms_parser(sub)
    add_batch_parser(sub)
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
    except _UsageError as exc:
        print(exc, file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    return _run(args, out, err, stdin)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None) -> int:
    """Run the parsed command, turning every expected failure into one line per problem."""
    if args.version:
        from . import __version__

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


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def _language_tag(value: str) -> str:
    if not _LANGUAGE_TAG.fullmatch(value):
        raise argparse.ArgumentTypeError("must be a language tag such as es or es-US")
    return value


@contextlib.contextmanager
def _language_notices(err: TextIO) -> Iterator[None]:
    """One stderr line for each distinct language fallback (a summary written in English);
    any other warning is passed on as it came."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LanguageFallbackWarning)
        yield
    said: set[str] = set()
    for found in caught:
        if not issubclass(found.category, LanguageFallbackWarning):
            warnings.warn_explicit(found.message, found.category, found.filename, found.lineno)
        elif str(found.message) not in said:
            said.add(str(found.message))
            print(f"iopauth: {found.message}", file=err)


def read_case_argument(source: str, stdin: TextIO | None) -> Case:
    from .caseformat.serialize import load_case

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
        raise _OutputError("standard output here takes text only; name a file with -o")
    write_output(args.output, data, stdout=binary, on_replace=_on_replace(args))


def _criteria(value: str | None, case: Case | None = None) -> str | CriteriaSet:
    """A shipped set name, a user's TOML file loaded, or the case's default set."""
    from .criteria import criteria_sets, default_criteria, load_criteria

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


def _cmd_validate(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from .codes import ICD10CM_VERSION

    case = read_case_argument(args.case, stdin)
    print(f"{case.case_id}: valid (diagnosis codes checked against {ICD10CM_VERSION})", file=out)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from .criteria import default_review, determination_to_json, evaluate, format_table
    from .criteria.result import Outcome

    case = read_case_argument(args.case, stdin)
    determination = evaluate(
        case,
        criteria=_criteria(args.criteria, case),
        review=args.review or default_review(case),
    )
    if args.json:
        json.dump(determination_to_json(determination), out, indent=2)
        out.write("\n")
    else:
        out.write(format_table(determination))
    return EXIT_OK if determination.outcome is Outcome.MEETS else EXIT_NOT_MET


def _cmd_render(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from .criteria import default_review, evaluate
    from .rendering import RenderOptions, is_draft, render, render_html

    case = read_case_argument(args.case, stdin)
    determination = None
    if args.criteria is not None:
        review = "continued" if args.document == "concurrent-review" else default_review(case)
        determination = evaluate(case, criteria=_criteria(args.criteria), review=review)
    form = None
    if args.form is not None:
        from .forms import load_mapping
        from .forms._pdf import read_form
        from .rendering import PayerForm

        form_path, mapping_path = (Path(p) for p in args.form)
        form = PayerForm(
            pdf=read_form(form_path),  # read now (capped): a missing file is exit 2 up front
            mapping=load_mapping(mapping_path),
            placement=args.form_placement,
        )
    options = RenderOptions(
        paper=args.paper,
        archival=args.archival,
        tagged=args.tagged,
        final=args.final,
        original_request=args.original_request,
        form=form,
        language=args.language,
    )
    dirs = tuple(args.template_dir)
    records = _payer_records(args, case)
    with _language_notices(args.stderr):
        if args.html:
            html = render_html(case, args.document, determination, options, dirs, **records)
            data = html.encode("utf-8")
        else:
            data = render(case, args.document, determination, options, dirs, **records)
    if args.output == "-":
        out.flush()
    write_argument(args, out, data)
    if args.output != "-":
        print(args.output, file=out)
    if is_draft(case, args.document, determination, options, **records):
        written = "the output" if args.output == "-" else args.output
        print(
            f"iopauth: {written} is a DRAFT: the case does not meet its criteria or lacks "
            "information (see its first page or 'iopauth check'); use --final to write it as "
            "final",
            file=args.stderr,
        )
        return EXIT_NOT_MET
    return EXIT_OK


def _payer_records(args: argparse.Namespace, case: Case) -> dict[str, Any]:
    """The authorization (``--authorization`` file or ``--db`` store) and ``--decision``."""
    records: dict[str, Any] = {}
    if args.authorization is not None:
        from .authorization import load_authorization

        records["authorization"] = load_authorization(Path(args.authorization))
    elif args.db is not None:
        from .authorization import AuthorizationStore

        with AuthorizationStore(args.db, create=False) as store:  # never creates a store
            records["authorization"] = store.get(case.case_id)
    if args.decision is not None:
        records["decision"] = _auth_cli.read_decision(Path(args.decision))
    return records


def _cmd_schema(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from .caseformat.serialize import case_schema

    json.dump(case_schema(), out, indent=2)
    out.write("\n")
    return EXIT_OK


def _cmd_criteria(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from .criteria import criteria_sets, describe_set, get_criteria

    if args.name is None:
        for name in criteria_sets():
            print(f"{name:16} {get_criteria(name).title}", file=out)
        return EXIT_OK
    chosen = _criteria(args.name)
    out.write(describe_set(get_criteria(chosen) if isinstance(chosen, str) else chosen))
    return EXIT_OK


def _cmd_fhir(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from .fhir._cli import run

    return run(args, out, stdin)


def _cmd_forms(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from .forms._cli import run

    return run(args, out, stdin)


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO | None], int]] = {
    "auth": _auth_cli.run,
    "batch": run_batch,
    "check": _cmd_check,
    "criteria": _cmd_criteria,
    "demo": run_demo,
    "fhir": _cmd_fhir,
    "forms": _cmd_forms,
    "render": _cmd_render,
    "schema": _cmd_schema,
    "validate": _cmd_validate,
}

"""``iopauth forms``: list a form's fields; fill a form from a case by a mapping file.

Registered on the main parser by :func:`add_parser`; :func:`run` is the command. Errors are
:class:`~iopauth.IopAuthError` lines the main command prints (exit 2); nothing is written
unless the whole form is filled.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import FormMappingError

if TYPE_CHECKING:
    from ..criteria import Determination
    from ..forms._fill import FormCheck
    from ..model import Case

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add ``forms fields`` and ``forms fill`` to the main parser's subcommands."""
    forms = sub.add_parser("forms", help="payer fillable PDF forms: list fields, fill from a case")
    actions = forms.add_subparsers(dest="forms_command", metavar="ACTION", required=True)
    fields = actions.add_parser("fields", help="list a form's fields to write a mapping")
    fields.add_argument("form", help="fillable PDF form")
    fields.add_argument("--json", action="store_true", help="print the fields as JSON")
    fill = actions.add_parser("fill", help="fill a form from a case by a mapping file")
    fill.add_argument("case", help="case JSON file ('-' reads standard input)")
    fill.add_argument("form", help="fillable PDF form")
    fill.add_argument("mapping", help="mapping TOML file (see docs/forms.md)")
    fill.add_argument(
        "-o", "--output", required=True, help="PDF file to write ('-': standard output)"
    )
    fill.add_argument("--force", action="store_true", help="replace a file without a notice")
    fill.add_argument("--flatten", action="store_true", help="turn the fields into page content")
    fill.add_argument(
        "--criteria",
        help="criteria set (shipped name or TOML file) for criterion entries (default: by case)",
    )
    fill.add_argument(
        "--check",
        action="store_true",
        help="first report the fields the mapping leaves empty and entries naming no field",
    )


def run(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    """Run ``iopauth forms …``; returns the exit code (errors are raised as IopAuthError)."""
    if args.forms_command == "fields":
        return _fields(args, out)
    return _fill(args, out, stdin)


def _fields(args: argparse.Namespace, out: TextIO) -> int:
    from ..caseformat._reading import key_text
    from ..forms._pdf import form_fields

    fields = form_fields(Path(args.form))
    if args.json:
        rows = [
            {
                "name": f.name,
                "type": f.kind,
                "options": list(f.options),
                "max_length": f.max_length,
                "multiline": f.multiline,
                "label": f.label,
            }
            for f in fields.values()
        ]
        json.dump(rows, out, indent=2)
        out.write("\n")
        return 0
    width = min(max((len(n) for n in fields), default=4), 60)
    print(f"{'NAME':{width}}  {'TYPE':9}  {'MAX':>4}  OPTIONS", file=out)
    for f in fields.values():
        kind = f"{f.kind}*" if f.multiline else f.kind
        limit = "-" if f.max_length is None else str(f.max_length)
        # names and options come from the PDF: escaped, never printed as raw text
        name, options = key_text(f.name, None), ", ".join(key_text(o, None) for o in f.options)
        print(f"{name:{width}}  {kind:9}  {limit:>4}  {options}", file=out)
    print(f"{len(fields)} fields; text* is a multi-line text field", file=out)
    return 0


def _fill(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from ..forms._fill import check, fill
    from ..forms._mapping import load_mapping
    from ..forms._pdf import read_form
    from ._args import write_argument

    label = Path(args.mapping).name
    try:
        mapping = load_mapping(Path(args.mapping))
        case = _load(args.case, stdin)
        form = read_form(Path(args.form))  # capped at MAX_FORM_BYTES
        determination = _determination(args.criteria, case)
        if args.check:
            report = check(case, form, mapping, determination)
            _print_check(report, out)
            if not report.ok:
                raise FormMappingError(
                    [f"{args.output} not written: the mapping does not fit this form or case"],
                    source=label,
                )
        data = fill(case, form, mapping, determination, flatten=args.flatten)
    except FormMappingError as error:
        # name the mapping file on every line: the lines alone say only "fields[3]…"
        raise FormMappingError([f"{label}: {e}" for e in error.errors], source=label) from None
    write_argument(args, out, data)
    if args.output != "-":
        print(args.output, file=out)
    return 0


def _determination(criteria: str | None, case: Case) -> Determination | None:
    """The case evaluated against ``--criteria`` (else ``fill`` evaluates only when needed)."""
    if criteria is None:
        return None
    from ..criteria import criteria_sets, default_review, evaluate, load_criteria

    chosen = criteria if criteria in criteria_sets() else load_criteria(Path(criteria))
    return evaluate(case, criteria=chosen, review=default_review(case))


def _load(source: str, stdin: TextIO | None) -> Case:
    from ._args import read_case_argument  # standard input read as bytes, capped

    return read_case_argument(source, stdin)


def _print_check(report: FormCheck, out: TextIO) -> None:
    sections = (
        ("mapping entries naming no field of the form", [f"{w}: {n!r}" for w, n in report.unknown]),
        ("values that do not fit their field", list(report.problems)),
        ("form fields the mapping leaves out", list(report.unmapped)),
        ("form fields the mapping fills but this case leaves empty", list(report.empty)),
    )
    for title, lines in sections:
        print(f"{title}: {len(lines) or 'none'}", file=out)
        for line in lines:
            print(f"  {line}", file=out)

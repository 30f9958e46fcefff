"""``iopauth render``: one document of a case, as PDF (or HTML).

A letter for a case that does not meet its criteria is written as a marked DRAFT and the
command exits 1, unless ``--final`` is given. The payer's records (``--authorization`` or
``--db``, ``--decision``), a payer form (``--form``), the payer's questionnaire as answered
(``--questionnaire-response``, with ``--questionnaire``) and its coverage requirements
(``--coverage-requirements``) go into the documents that use them.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .._support.document_names import DOCUMENTS  # the names only, without the renderer
from ..errors import InvalidCaseError, LanguageFallbackWarning, RenderError
from ._args import (
    EXIT_NOT_MET,
    EXIT_OK,
    criteria_argument,
    read_case_argument,
    read_decision,
    write_argument,
)

if TYPE_CHECKING:
    from ..model import Case

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add ``render`` to the main parser's subcommands."""
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
        "--questionnaire-response",
        metavar="QR.json",
        help="the payer's questionnaire as answered (a QuestionnaireResponse, e.g. from "
        "'iopauth fhir questionnaire'): the packet gets a payer questionnaire page",
    )
    render.add_argument(
        "--questionnaire",
        metavar="Q.json",
        help="the payer's Questionnaire that response answers: the page takes its wording and "
        "lists the questions still open (with --questionnaire-response)",
    )
    render.add_argument(
        "--coverage-requirements",
        metavar="CRD.json",
        help="the payer's CRD (CDS Hooks) answer: the checklist lists what the payer asks for",
    )
    render.add_argument(
        "--language",
        type=_language_tag,
        help="the patient summary's language, e.g. es or es-US (default: the patient's "
        "preferred language, else English); letters are always English",
    )


def run(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    from ..criteria import default_review, evaluate
    from ..rendering import RenderOptions, is_draft, render, render_html

    case = read_case_argument(args.case, stdin)
    determination = None
    if args.criteria is not None:
        review = "continued" if args.document == "concurrent-review" else default_review(case)
        determination = evaluate(
            case, criteria=criteria_argument(args.criteria, case), review=review
        )
    form = None
    if args.form is not None:
        from ..forms import load_mapping
        from ..forms._pdf import read_form
        from ..rendering import PayerForm
        from ..rendering.parts import check_form_kind

        form_path, mapping_path = (Path(p) for p in args.form)
        mapping = load_mapping(mapping_path)
        check_form_kind(mapping, case)  # a form not for this kind of request: exit 2 up front
        form = PayerForm(
            pdf=read_form(form_path),  # read now (capped): a missing file is exit 2 up front
            mapping=mapping,
            placement=args.form_placement,
        )
    questionnaire, requirements = _payer_documents(args)
    _unused_notices(args)
    options = RenderOptions(
        paper=args.paper,
        archival=args.archival,
        tagged=args.tagged,
        final=args.final,
        original_request=args.original_request,
        form=form,
        language=args.language,
        questionnaire=questionnaire,
        coverage_requirements=requirements,
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


def _payer_documents(args: argparse.Namespace) -> tuple[Any, Any]:
    """The payer questionnaire (``--questionnaire-response``, ``--questionnaire``) and coverage
    requirements (``--coverage-requirements``), each read once and checked before anything is
    rendered: a bad file is exit 2 with nothing written."""
    from ..caseformat._reading import read_document, read_source

    questionnaire = requirements = None
    if args.questionnaire is not None and args.questionnaire_response is None:
        raise RenderError(
            "--questionnaire needs --questionnaire-response, the answers it goes with"
        )
    if args.questionnaire_response is not None:
        from ..rendering import PayerQuestionnaire
        from ..rendering.questionnaire import questionnaire_view

        questionnaire = PayerQuestionnaire(
            response=read_document(Path(args.questionnaire_response)),
            questionnaire=None
            if args.questionnaire is None
            else read_document(Path(args.questionnaire)),
        )
        questionnaire_view(questionnaire)  # read as the page reads it: a bad file fails here
    if args.coverage_requirements is not None:
        from ..fhir import coverage_requirements

        try:
            answer = read_source(read_document(Path(args.coverage_requirements)), "CRD answer")
        except InvalidCaseError as exc:
            raise RenderError("--coverage-requirements: " + "; ".join(exc.errors)) from None
        if not isinstance(answer, dict) or not isinstance(answer.get("cards"), list):
            # CDS Hooks: a service's answer always holds its cards (an empty array at least)
            raise RenderError(
                "--coverage-requirements: not a CDS Hooks answer: $.cards must be an array"
            )
        requirements = coverage_requirements(answer)
    return questionnaire, requirements


# The documents that print each payer document: the questionnaire's page (and the cover's
# list of what is enclosed), the coverage requirements' section of the checklist.
_USED_BY = {
    "questionnaire_response": (
        "--questionnaire-response",
        (
            "packet",
            "fax-cover",
            "request-letter",
            "concurrent-review",
            "appeal-letter",
            "checklist",
        ),
    ),
    "coverage_requirements": ("--coverage-requirements", ("checklist",)),
}


def _unused_notices(args: argparse.Namespace) -> None:
    """Say on stderr when a payer document given does not go into the document asked for."""
    for name, (option, documents) in _USED_BY.items():
        if getattr(args, name) is not None and args.document not in documents:
            listed = documents[-1]
            if len(documents) > 1:
                listed = f"{', '.join(documents[:-1])} and {listed}"
            print(
                f"iopauth: {option} goes into the {listed} only; the {args.document} leaves it out",
                file=args.stderr,
            )


def _payer_records(args: argparse.Namespace, case: Case) -> dict[str, Any]:
    """The authorization (``--authorization`` file or ``--db`` store) and ``--decision``."""
    records: dict[str, Any] = {}
    if args.authorization is not None:
        from ..authorization import load_authorization

        records["authorization"] = load_authorization(Path(args.authorization))
    elif args.db is not None:
        from ..authorization import AuthorizationStore

        with AuthorizationStore(args.db, create=False) as store:  # never creates a store
            records["authorization"] = store.get(case.case_id)
    if args.decision is not None:
        records["decision"] = read_decision(Path(args.decision))
    return records


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

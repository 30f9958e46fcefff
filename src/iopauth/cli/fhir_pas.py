"""``iopauth fhir pas``: a case's Da Vinci PAS request, inquiry, update or cancel Bundle.

Registered by :mod:`iopauth.cli.fhir`. ``--timestamp`` is required: the moment the Bundle is
created (``Bundle.timestamp`` and ``Claim.created``), as ISO 8601 with a UTC offset, or the word
``now`` to stamp the current time. The command never reads the clock unless asked, so the same
arguments give the same file.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ..errors import FhirError

__all__ = ["add_arguments", "run"]


def add_arguments(pas: argparse.ArgumentParser) -> None:
    """The arguments of ``iopauth fhir pas``."""
    pas.add_argument("case", nargs="?", help="case JSON file (not with --cancel)")
    pas.add_argument("-o", "--output", required=True, help="PAS Bundle JSON file ('-': stdout)")
    pas.add_argument("--force", action="store_true", help="replace a file without a notice")
    pas.add_argument(
        "--timestamp",
        required=True,
        help="when the Bundle is created: ISO 8601 with a UTC offset "
        "(2026-06-05T14:30:00-05:00), or 'now' for the current time",
    )
    kind = pas.add_mutually_exclusive_group()
    kind.add_argument("--inquiry", action="store_true", help="an inquiry Bundle for Claim/$inquire")
    kind.add_argument("--update", metavar="SENT.json", help="update the request Bundle you sent")
    kind.add_argument("--cancel", metavar="SENT.json", help="cancel the request Bundle you sent")
    pas.add_argument("--letter", metavar="LETTER.pdf", help="the request letter PDF to attach")
    pas.add_argument(
        "--document",
        action="append",
        default=[],
        metavar="N=FILE.pdf",
        help="attach the PDF of request.documents[N] (0-based); repeat for each document",
    )
    pas.add_argument("--base-url", default="http://example.org/fhir/", help="fullUrl prefix")
    pas.add_argument(
        "--transaction-id", metavar="ID", help="this submission's id (default: the case id)"
    )
    x12 = pas.add_argument_group(
        "X12 codes from your payer's companion guide (PAS binds these elements to X12)"
    )
    x12.add_argument(
        "--service-type", metavar="CODE", help="UM03 service type of the program (required)"
    )
    x12.add_argument(
        "--place-of-service",
        metavar="CODE",
        help="CMS place-of-service code (required unless the plan is PHP)",
    )
    x12.add_argument(
        "--certification-type", metavar="CODE", help="UM02 code (needed unless initial)"
    )
    x12.add_argument("--request-type", metavar="CODE", help="UM01 request category (default HS)")
    x12.add_argument("--requestor-type", metavar="CODE", help="NM101 entity code of the program")
    x12.add_argument(
        "--relationship", metavar="CODE", help="INS02 code when the patient is not the subscriber"
    )
    x12.add_argument(
        "--subscriber-id", metavar="ID", help="the subscriber's member id (a dependant patient)"
    )
    x12.add_argument(
        "--report-type", metavar="CODE", help="PWK01 report type of attachments without one"
    )
    x12.add_argument(
        "--questionnaire-report-type",
        metavar="CODE",
        help="PWK01 report type of the questionnaire responses (needed with them)",
    )
    before = pas.add_argument_group(
        "what the payer's CRD and DTR services gave (a request or an update)"
    )
    before.add_argument(
        "--questionnaire-response",
        action="append",
        default=[],
        metavar="QR.json",
        help="a completed DTR QuestionnaireResponse to send along (with --update: one answered "
        "since the request is added, one answered again marked changed); repeat for each",
    )
    before.add_argument(
        "--crd-answer",
        metavar="CRD.json",
        help="the payer's CRD answer: its coverage information (assertion id) goes along",
    )


def _timestamp(value: str) -> datetime:
    if value == "now":
        return datetime.now(UTC)
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise FhirError("--timestamp: not an ISO 8601 date and time, nor now") from None
    if stamp.tzinfo is None:
        raise FhirError("--timestamp: needs a UTC offset (e.g. 2026-06-05T14:30:00Z)")
    return stamp


def _code_options(args: argparse.Namespace) -> dict[str, Any]:
    from ..model import DocumentKind

    options: dict[str, Any] = {
        "service_type": args.service_type,
        "place_of_service": args.place_of_service,
        "requestor_type": args.requestor_type,
        "letter_report_type": args.report_type,
    }
    if args.request_type:
        options["request_type"] = args.request_type
    if args.report_type:
        options["report_types"] = dict.fromkeys(DocumentKind, args.report_type)
    if args.questionnaire_report_type:
        options["questionnaire_report_type"] = args.questionnaire_report_type
    return options


def _before_the_request(args: argparse.Namespace) -> dict[str, Any]:
    """``questionnaire_responses`` and ``coverage_information`` from the files named."""
    from ..fhir._bundle import read_json
    from ..fhir._crd import coverage_requirements

    out: dict[str, Any] = {}
    if args.questionnaire_response:
        out["questionnaire_responses"] = [
            read_json(Path(name), "questionnaire response") for name in args.questionnaire_response
        ]
    if args.crd_answer:
        found = coverage_requirements(Path(args.crd_answer)).coverage
        if len(found) != 1:
            raise FhirError(
                f"--crd-answer: holds {len(found)} coverage-information extensions; "
                "PAS carries the one of the requested order"
            )
        out["coverage_information"] = found[0]
    return out


def _documents(values: list[str]) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    for value in values:
        index, sep, name = value.partition("=")
        if not sep or not index.isdigit():
            raise FhirError(
                "--document: expected N=FILE.pdf (N the 0-based index in request.documents)"
            )
        out[int(index)] = _read_pdf(name, "--document")
    return out


def _read_pdf(name: str, option: str) -> bytes:
    """A PDF to attach, up to the documents' size cap, from a regular file or a pipe (the one
    bounded reader: never a device such as /dev/zero, never a hang on a FIFO)."""
    from .._support.files import RefusedInputError, read_bounded
    from ..caseformat._reading import MAX_DOCUMENT_BYTES

    try:
        return read_bounded(name, MAX_DOCUMENT_BYTES)
    except RefusedInputError as exc:
        raise FhirError([f"{name}: the {option} file {exc}"]) from None


def _json_file(name: str) -> dict[str, Any]:
    from ..fhir._bundle import read_json

    return read_json(Path(name), "sent PAS Bundle")


# library option -> the command-line option that sets it, for error lines
_OPTIONS = {
    "service_type": "--service-type",
    "place_of_service": "--place-of-service",
    "certification_types": "--certification-type",
    "relationships": "--relationship",
    "subscriber_id": "--subscriber-id",
    "letter_report_type": "--report-type",
    "report_types": "--report-type",
    "timestamp": "--timestamp",
    "letter_pdf": "--letter",
    "questionnaire_report_type": "--questionnaire-report-type",
    "questionnaire_responses": "--questionnaire-response",
    "coverage_information.coverage": "--crd-answer coverage",
    "coverage_information.covered": "--crd-answer covered",
    "coverage_information.date": "--crd-answer date",
    "coverage_information.coverage-assertion-id": "--crd-answer coverage-assertion-id",
    "coverage_information": "--crd-answer",
    "documents": "--document",
}


def run(args: argparse.Namespace, out: TextIO) -> dict[str, Any]:
    """Build the Bundle the arguments ask for (the caller writes it)."""
    try:
        return _build(args)
    except FhirError as exc:
        lines = []
        for line in exc.errors:
            head, sep, rest = line.partition(":")
            option = _OPTIONS.get(head.split("[")[0])
            lines.append(
                f"{option}{head[len(head.split('[')[0]) :]}{sep}{rest}" if option else line
            )
        raise FhirError(lines) from None


def _build(args: argparse.Namespace) -> dict[str, Any]:
    from ..caseformat.serialize import load_case
    from ..fhir._pas import pas_request
    from ..fhir._pas_codes import PasCodes
    from ..fhir._pas_followup import pas_cancel, pas_inquiry, pas_update

    timestamp = _timestamp(args.timestamp)
    if args.cancel:
        if args.case:
            raise FhirError("--cancel: takes the sent Bundle only, not a case")
        return pas_cancel(
            _json_file(args.cancel), timestamp=timestamp, transaction_id=args.transaction_id
        )
    if not args.case:
        raise FhirError("case: required (a case JSON file)")
    case = load_case(Path(args.case))
    options = _code_options(args)
    if args.certification_type:
        options["certification_types"] = {case.request.kind: args.certification_type}
    if args.relationship:
        options["relationships"] = {case.coverage.subscriber_relation.value: args.relationship}
    codes = PasCodes(**options)
    common: dict[str, Any] = {
        "timestamp": timestamp,
        "codes": codes,
        "base_url": args.base_url,
        "transaction_id": args.transaction_id,
    }
    if args.inquiry and (args.questionnaire_response or args.crd_answer):
        raise FhirError("--questionnaire-response, --crd-answer: only with a request or an update")
    if args.inquiry:
        return pas_inquiry(case, **common, subscriber_id=args.subscriber_id)
    extra: dict[str, Any] = {
        "letter_pdf": _read_pdf(args.letter, "--letter") if args.letter else None,
        "documents": _documents(args.document),
        "subscriber_id": args.subscriber_id,
    }
    extra.update(_before_the_request(args))
    if args.update:
        return pas_update(case, _json_file(args.update), **common, **extra)
    return pas_request(case, **common, **extra)


def write(args: argparse.Namespace, out: TextIO, bundle: dict[str, Any]) -> None:
    """Write the Bundle as JSON (whole or not at all) and name the file."""
    from ._args import write_argument

    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    write_argument(args, out, text.encode("utf-8"))
    if args.output != "-":
        print(args.output, file=out)

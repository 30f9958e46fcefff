"""``iopauth fhir crd|crd-request|coverage|questionnaire``: what the payer needs, beforehand.

``crd`` asks the payer's CRD (CDS Hooks) service and prints the answer in words;
``crd-request`` writes the CDS Hooks order-sign (or order-select) request of a case;
``coverage`` prints a CRD answer's coverage requirements in words; ``questionnaire`` answers a
payer's DTR Questionnaire from a case and writes the QuestionnaireResponse. Registered under
``iopauth fhir`` by :mod:`iopauth.cli.fhir`. Payer text (card summaries, reasons) is printed only
as counts, and codes only when they have the shape of the guide's codes.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, TextIO

__all__ = ["COMMANDS", "add_commands", "run"]

COMMANDS = ("crd", "crd-request", "coverage", "questionnaire")
#: Largest private key file read for ``crd --key`` (a PEM key is a few kilobytes).
MAX_KEY_BYTES = 64 * 1024
# Codes of the coverage-information value sets are lower-case words joined by hyphens (or OTH);
# anything else a payer sends is counted, not printed.
_CODE = re.compile(r"[a-z][a-z-]{0,39}|OTH")
_WORDS = {
    "covered": "covered",
    "not-covered": "not covered",
    "conditional": "depends on conditions the payer states",
    "indeterminate": "the payer could not tell",
    "auth-needed": "prior authorization is needed",
    "performpa": "prior authorization is needed (the payer asks to start it now)",
    "no-auth": "no prior authorization is needed",
    "satisfied": "prior authorization is already on file",
    "clinical": "clinical documentation",
    "admin": "administrative documentation",
    "patient": "documentation from the patient",
}


def add_commands(commands: Any) -> None:
    """Add the four subcommands to ``iopauth fhir``."""
    call = commands.add_parser("crd", help="ask the payer's CRD service what the case needs")
    call.add_argument("case", help="case JSON file")
    call.add_argument("--url", required=True, help="the payer's CDS Hooks base URL (https)")
    call.add_argument("--hook-instance", required=True, help="this call's UUID (yours to make)")
    call.add_argument("--hook", choices=("order-sign", "order-select"), default="order-sign")
    call.add_argument(
        "--service", help="the CDS service id (default: discovery's one for the hook)"
    )
    call.add_argument("--client-id", help="your client id at the payer (signs the call's JWT)")
    call.add_argument("--key", metavar="KEY.pem", help="your private key (PEM) for that JWT")
    call.add_argument("--key-id", help="the kid of that key in the JWKS the payer knows")
    call.add_argument("--algorithm", choices=("RS384", "ES384"), default="RS384")
    call.add_argument("--timeout", type=float, default=30.0, help="seconds for each exchange")
    call.add_argument("--json", action="store_true", help="print the requirements as JSON")
    crd = commands.add_parser("crd-request", help="write the CRD (CDS Hooks) request of a case")
    crd.add_argument("case", help="case JSON file")
    crd.add_argument("--hook", choices=("order-sign", "order-select"), default="order-sign")
    crd.add_argument("--hook-instance", required=True, help="this call's UUID (yours to make)")
    crd.add_argument("-o", "--output", required=True, help="request JSON file ('-': stdout)")
    crd.add_argument("--force", action="store_true", help="replace a file without a notice")
    cov = commands.add_parser("coverage", help="print a CRD answer's coverage requirements")
    cov.add_argument("response", help="the CDS Hooks response JSON file")
    cov.add_argument("--json", action="store_true", help="print the requirements as JSON")
    q = commands.add_parser("questionnaire", help="answer a payer's DTR Questionnaire")
    q.add_argument("questionnaire", help="Questionnaire JSON file")
    q.add_argument("case", help="case JSON file")
    q.add_argument("--mapping", help="questionnaire mapping TOML (docs/fhir.md)")
    q.add_argument(
        "--authored",
        required=True,
        type=date.fromisoformat,
        help="the response's date (YYYY-MM-DD)",
    )
    q.add_argument("-o", "--output", required=True, help="QuestionnaireResponse file ('-': stdout)")
    q.add_argument("--force", action="store_true", help="replace a file without a notice")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run one of the three subcommands; returns the exit code."""
    from ..fhir import (
        answer_questionnaire,
        coverage_requirements,
        crd_request,
        load_questionnaire_mapping,
    )
    from ._args import read_case_argument, write_argument

    if args.fhir_command == "crd-request":
        case = read_case_argument(args.case, None)
        request = crd_request(case, hook=args.hook, hook_instance=args.hook_instance)
        write_argument(args, out, _json(request))
        return 0
    if args.fhir_command in ("crd", "coverage"):
        source = _ask(args) if args.fhir_command == "crd" else Path(args.response)
        result = coverage_requirements(source)
        if args.json:
            out.write(json.dumps(_plain(result), indent=2) + "\n")
        else:
            out.write(_in_words(result))
        return 0
    case = read_case_argument(args.case, None)
    mapping = load_questionnaire_mapping(args.mapping) if args.mapping else None
    answered = answer_questionnaire(Path(args.questionnaire), case, mapping, authored=args.authored)
    write_argument(args, out, _json(answered.response))
    if args.output != "-":
        out.write(f"answered {len(answered.answered)} items from the case\n")
        out.write(f"left for a person: {len(answered.unanswered)}")
        required = sum(u.required for u in answered.unanswered)
        out.write(f" ({required} required)\n" if required else "\n")
        if answered.not_run:
            out.write(f"expressions not run (CQL is out of scope): {len(answered.not_run)}\n")
    return 0


def _ask(args: argparse.Namespace) -> dict[str, Any]:
    """Call the payer's CDS Hooks service with the case's CRD request; its answer."""
    from ..fhir import CdsHooksClient, crd_request
    from ._args import read_case_argument

    case = read_case_argument(args.case, None)
    request = crd_request(case, hook=args.hook, hook_instance=args.hook_instance)
    with CdsHooksClient(args.url, auth=_auth(args), timeout=args.timeout) as client:
        service = args.service or _service_for(client.discovery(), args.hook)
        return client.call(service, request)


def _auth(args: argparse.Namespace) -> Any:
    from .._support.files import RefusedInputError, read_bounded
    from ..errors import FhirError
    from ..fhir import SmartBackendAuth

    given = [args.client_id, args.key, args.key_id]
    if not any(given):
        return None
    if not all(given):
        raise FhirError("--client-id, --key, --key-id: give all three to sign the call")
    try:
        key = read_bounded(args.key, MAX_KEY_BYTES)
    except RefusedInputError as exc:
        raise FhirError(f"{args.key}: the key {exc}") from None
    return SmartBackendAuth(
        token_url=args.url,  # not used: CDS Hooks signs each call, it fetches no token
        client_id=args.client_id,
        private_key=key,
        key_id=args.key_id,
        algorithm=args.algorithm,
    )


def _service_for(discovery: dict[str, Any], hook: str) -> str:
    """The id of the one service the discovery lists for ``hook``."""
    from ..errors import FhirError

    ids = [
        s.get("id")
        for s in discovery.get("services", [])
        if isinstance(s, dict) and s.get("hook") == hook
    ]
    if len(ids) != 1 or not isinstance(ids[0], str):
        raise FhirError(f"--service: the payer lists {len(ids)} services for {hook}; name one")
    return ids[0]


def _json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode()


def _code(value: str | None) -> str:
    if value is None:
        return "not stated"
    if not _CODE.fullmatch(value):
        return "a code iopauth does not print"
    return _WORDS.get(value, value)


def _in_words(result: Any) -> str:
    lines = []
    needed = result.prior_authorization_needed
    lines.append(
        "Prior authorization: "
        + {True: "needed", False: "not needed", None: "the answer does not say"}[needed]
    )
    for i, info in enumerate(result.coverage, 1):
        lines.append(f"Order {i}: coverage {_code(info.covered)}; {_code(info.pa_needed)}")
        if info.doc_needed:
            docs = ", ".join(_code(d) for d in info.doc_needed)
            lines.append(f"  documentation asked for: {docs}")
        if info.reasons:
            lines.append(f"  reasons given: {len(info.reasons)} (read them in the payer's answer)")
        if info.assertion_id:
            lines.append("  a coverage-assertion id to quote in the PAS request is present")
    if result.questionnaires:
        lines.append(f"Questionnaires named: {len(result.questionnaires)} (run --json for them)")
    if result.cards:
        lines.append(f"Cards for the clinician: {len(result.cards)}")
    if result.unknown_codes:
        lines.append(f"Codes iopauth does not know: {len(result.unknown_codes)}")
    return "\n".join(lines) + "\n"


def _plain(result: Any) -> dict[str, Any]:
    return {
        "prior_authorization_needed": result.prior_authorization_needed,
        "documentation_needed": list(result.documentation_needed),
        "questionnaires": list(result.questionnaires),
        "assertion_ids": list(result.assertion_ids),
        "unknown_codes": len(result.unknown_codes),
        "coverage": [
            {
                "order": c.order,
                "covered": c.covered,
                "pa_needed": c.pa_needed,
                "doc_needed": list(c.doc_needed),
                "doc_purpose": list(c.doc_purpose),
                "info_needed": list(c.info_needed),
                "questionnaires": list(c.questionnaires),
            }
            for c in result.coverage
        ],
    }

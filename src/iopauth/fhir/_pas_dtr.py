"""What CRD and DTR gave, carried in the PAS request: the payer's coverage assertion and the
answered questionnaires.

- **QuestionnaireResponses** travel as supporting information: each is a Bundle entry and a
  ``supportingInfo`` of the AdditionalInformation slice (category ``additionalInformation``)
  whose ``valueReference`` names it — PAS allows a US Core QuestionnaireResponse there
  (HL7/davinci-pas ``input/fsh/Claim.fsh:218-219``; ``data/pas-profiles.json``). The slice's
  ``documentInformation`` extension is 1..1 (Claim.fsh:215) with an X12 PWK01 report type
  1..1 (Claim.fsh:254): the IG gives no code for a questionnaire, so the caller's payer gives
  it (``PasCodes.questionnaire_report_type``).
- **The coverage assertion** travels where PAS puts it: the CRD ``ext-coverage-information``
  extension on the requested ServiceRequest (PASServiceRequest ``extension[coverage]`` 0..1,
  Request.fsh:24). PAS has no element for the assertion id alone; the CRD extension it reuses
  requires ``coverage``, ``covered``, ``date`` and ``coverage-assertion-id`` (1..1 each,
  HL7/davinci-crd ``input/fsh/extensions/CoverageInformation.fsh:29-41``), so the payer's
  extension is sent as it came, its ``coverage`` pointed at the Coverage of the Bundle.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import FhirError
from . import _write as w
from ._crd import COVERAGE_INFORMATION

if TYPE_CHECKING:
    from ._crd import CoverageInformation

__all__ = ["questionnaire_entries", "with_coverage_information"]

_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
#: Statuses a QuestionnaireResponse may have to go with a request: one a person or iopauth
#: left ``in-progress`` still has required items unanswered.
_SENDABLE = frozenset({"completed", "amended"})
#: The coverage-information elements CRD requires once each (CoverageInformation.fsh:29-41).
_REQUIRED = ("coverage", "covered", "date", "coverage-assertion-id")


def questionnaire_entries(
    responses: Sequence[Mapping[str, Any]], taken: set[str]
) -> list[dict[str, Any]]:
    """Copies of ``responses`` ready for the Bundle, each with an id no other entry uses.

    Raises :class:`FhirError` naming ``questionnaire_responses[i]`` for a resource that is not
    a QuestionnaireResponse or one not ``completed``/``amended``.
    """
    errors: list[str] = []
    out: list[dict[str, Any]] = []
    for i, response in enumerate(responses):
        where = f"questionnaire_responses[{i}]"
        if not isinstance(response, Mapping) or (
            response.get("resourceType") != "QuestionnaireResponse"
        ):
            errors.append(f"{where}: must be a QuestionnaireResponse")
            continue
        if response.get("status") not in _SENDABLE:
            errors.append(
                f"{where}.status: must be completed or amended to go with the request "
                "(items a person must answer are still open)"
            )
            continue
        resource = copy.deepcopy(dict(response))
        given = resource.get("id")
        if not (isinstance(given, str) and _ID.fullmatch(given)) or given in taken:
            n = 1
            while f"questionnaire-response-{n}" in taken:
                n += 1
            given = f"questionnaire-response-{n}"
        resource["id"] = given
        taken.add(given)
        out.append(resource)
    if errors:
        raise FhirError(errors)
    return out


def with_coverage_information(
    service_request: dict[str, Any], information: CoverageInformation
) -> dict[str, Any]:
    """The PAS ServiceRequest carrying the payer's CRD coverage information (Request.fsh:24)."""
    raw = information.extension
    if raw.get("url") != COVERAGE_INFORMATION:
        raise FhirError(
            ["coverage_information: read it from the payer's CRD answer (coverage_requirements)"]
        )
    extension = copy.deepcopy(dict(raw))
    parts = [p for p in extension.get("extension", []) if isinstance(p, dict)]
    names = [p.get("url") for p in parts]
    missing = [name for name in _REQUIRED if names.count(name) != 1]
    if missing:
        raise FhirError(
            [
                f"coverage_information.{name}: the payer's coverage-information needs it once "
                "(CRD CoverageInformation.fsh:29-41)"
                for name in missing
            ]
        )
    for part in parts:
        if part.get("url") == "coverage":
            part.clear()
            part.update({"url": "coverage", "valueReference": w.ref("Coverage", "coverage")})
    extension["extension"] = parts
    out = dict(service_request)
    out["extension"] = [*out.get("extension", []), extension]
    return out

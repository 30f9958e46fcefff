"""Case → Da Vinci PAS 2.2.1 request Bundle (``pas_request``).

The Bundle holds the PAS Claim first (invariant ClaimFirst, Bundle.fsh:94), then the
ServiceRequest it asks about, the Patient, the insurer and requestor Organizations, the
clinicians, the Coverage, the Conditions and the DocumentReferences whose content is attached
(interop.md §2). The same case, options and ``timestamp`` give the same JSON: iopauth never
reads the clock for you and makes no random ids. Inquiry, update and cancel Bundles are in
:mod:`._pas_followup`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..caseformat.validity import validate_case
from ..errors import FhirError
from ..model import Case
from . import _pas_parts as parts
from . import _systems as cs
from . import _write as w
from ._pas_claim import Attached, claim, messages
from ._pas_codes import CERTIFICATION_TYPES, PasCodes
from ._pas_dtr import questionnaire_entries, with_coverage_information

if TYPE_CHECKING:
    from ..criteria import Determination
    from ..rendering import Attachment
    from ._crd import CoverageInformation

__all__ = [
    "CERTIFICATION_TYPES",
    "PasCodes",
    "bundle",
    "pas_attachment",
    "pas_request",
    "require_subscriber",
    "stamp",
]


def stamp(timestamp: object) -> str:
    """``timestamp`` as a FHIR instant (``Bundle.timestamp``, ``Claim.created``).

    It must be a :class:`~datetime.datetime` with a UTC offset: a date, or the request date at
    midnight that a caller did not mean, is not the moment of submission (X12 BHT04/05).
    """
    if not isinstance(timestamp, datetime):
        raise FhirError(
            "timestamp: required: the moment the request is created, a datetime with a UTC "
            "offset (e.g. datetime.now(UTC) when you send it now)"
        )
    if timestamp.tzinfo is None or timestamp.utcoffset() is None:
        raise FhirError("timestamp: must carry a UTC offset (a naive datetime is ambiguous)")
    return timestamp.isoformat().replace("+00:00", "Z")


def submission_suffix(when: str) -> str:
    """The digits of a FHIR instant (``20260605143000``): what tells one submission's id apart."""
    return "".join(ch for ch in when if ch.isdigit())[:14]


def pas_request(
    case: Case,
    determination: Determination | None = None,
    *,
    timestamp: datetime,
    codes: PasCodes,
    base_url: str = "http://example.org/fhir/",
    identifier_system: str = "urn:iopauth:submission",
    transaction_id: str | None = None,
    letter_pdf: bytes | None = None,
    documents: Mapping[int, bytes] | None = None,
    subscriber_id: str | None = None,
    questionnaire_responses: Sequence[Mapping[str, Any]] = (),
    coverage_information: CoverageInformation | None = None,
) -> dict[str, Any]:
    """The PAS request Bundle (FHIR JSON dict) asking the payer to authorize the case's request.

    ``timestamp`` (required): when the request is created, a timezone-aware datetime; it
    becomes ``Bundle.timestamp`` and ``Claim.created``. iopauth never reads the clock itself:
    pass ``datetime.now(UTC)`` to stamp it now. ``codes`` (required): the X12 codes of your
    payer (:class:`PasCodes`; at least ``service_type``, and ``place_of_service`` unless the
    plan is PHP). ``base_url`` prefixes every ``fullUrl``; ``identifier_system`` names the
    submitter's transaction ids and ``transaction_id`` is this submission's (X12 BHT03;
    default: the case id and the timestamp's digits, so each submission has its own).
    ``letter_pdf`` (the rendered request letter) and ``documents`` (PDF bytes by 0-based index
    into ``case.request.documents``) are attached as DocumentReferences with their content, as
    PAS requires (Claim.fsh:247); a document of the
    case without content is not sent as a DocumentReference but named in a message to the
    reviewer ("available on request"). ``subscriber_id``: the policy holder's member id, needed
    when the patient is a dependant (PASCoverage invariant self-beneficiary). With a
    ``determination`` of a case that meets its criteria, the Claim carries a one-line message
    naming the criteria set; a shortfall is never sent to the payer. ``questionnaire_responses``:
    the payer's DTR questionnaires answered (status ``completed`` or ``amended``), each sent as
    an entry and an ``additionalInformation`` (Claim.fsh:218-219) under
    ``codes.questionnaire_report_type``. ``coverage_information``: one ``CoverageInformation``
    of the payer's CRD answer, whose coverage-assertion id PAS carries in the ServiceRequest's
    CRD extension (Request.fsh:24; see ``_pas_dtr``). An invalid case raises
    :class:`~iopauth.errors.InvalidCaseError`; a missing timestamp or code,
    :class:`~iopauth.errors.FhirError` naming it.
    """
    validate_case(case)
    when = stamp(timestamp)
    request = case.request
    files = dict(documents or {})
    _check_documents(case, files, letter_pdf)
    kinds = [request.documents[i].kind for i in sorted(files)]
    codes.require(case, [*kinds, *([None] if letter_pdf is not None else [])])
    require_subscriber(case, subscriber_id)
    resources = [parts.document_reference(case, i, files[i]) for i in sorted(files)]
    attached = [
        Attached(r["id"], request.documents[i].kind, r["type"]["text"])
        for i, r in zip(sorted(files), resources, strict=True)
    ]
    if letter_pdf is not None:
        letter = parts.letter_reference(letter_pdf, len(request.documents) + 1, when)
        resources.append(letter)
        attached.append(Attached(letter["id"], None, "request letter"))
    answered = questionnaire_entries(questionnaire_responses, {r["id"] for r in resources})
    if answered and not codes.questionnaire_report_type:
        raise FhirError(
            "questionnaire_report_type: required for a questionnaire response: the X12 PWK01 "
            "report type (PAS documentInformation.reportTypeCode 1..1, Claim.fsh:254)"
        )
    for response in answered:
        resources.append(response)
        attached.append(
            Attached(
                response["id"],
                None,
                "answers to the payer's questionnaire",
                resource_type="QuestionnaireResponse",
                report_type=codes.questionnaire_report_type,
            )
        )
    certification = str(codes.certification(case))
    notes = messages(case, determination, set(files))
    clinicians = parts.practitioners(case)
    attending = next(
        (n for n, c in enumerate(case.clinicians, 1) if c.is_physician and c.npi), None
    )
    order = parts.service_request(case, codes, f"role-{attending}" if attending else None)
    if coverage_information is not None:
        order = with_coverage_information(order, coverage_information)
    entries: list[dict[str, Any]] = [
        claim(case, codes, when=when, certification=certification, attached=attached, notes=notes),
        order,
        w.patient(case, cs.PAS + "profile-beneficiary"),
        parts.insurer(case),
        parts.requestor(case, codes),
        *clinicians,
        parts.coverage(case, codes, subscriber_id),
        *w.conditions(case),
        *resources,
    ]
    return bundle(
        entries,
        profile=cs.PAS_REQUEST_BUNDLE,
        # BHT03 names one submission: the case id alone would repeat on every resend
        identifier={
            "system": identifier_system,
            "value": transaction_id or f"{case.case_id}-{submission_suffix(when)}",
        },
        when=when,
        base_url=base_url,
    )


def require_subscriber(case: Case, subscriber_id: str | None) -> None:
    """Raise unless a dependant patient's subscriber is identified (Coverage.fsh:29)."""
    if case.coverage.subscriber_relation.value != "self" and not subscriber_id:
        raise FhirError(
            "subscriber_id: required when the patient is not the subscriber: PASCoverage "
            "needs Coverage.subscriber unless the relationship is self (Coverage.fsh:29)"
        )


def bundle(
    resources: list[dict[str, Any]],
    *,
    profile: str,
    identifier: dict[str, str],
    when: str,
    base_url: str,
) -> dict[str, Any]:
    """A PAS collection Bundle: identifier, timestamp and a ``fullUrl`` on every entry."""
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [profile]},
        "identifier": identifier,
        "type": "collection",
        "timestamp": when,
        "entry": [
            {"fullUrl": f"{base_url}{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


def _check_documents(case: Case, files: Mapping[int, bytes], letter: bytes | None) -> None:
    count = len(case.request.documents)
    errors = []
    for i, data in files.items():
        if not isinstance(i, int) or not 0 <= i < count:
            errors.append(f"documents[{i}]: no such document in request.documents ({count})")
        elif bytes(data[:5]) != parts.PDF_MAGIC:
            errors.append(f"documents[{i}]: must be PDF content (it does not start with %PDF-)")
    if letter is not None and bytes(letter[:5]) != parts.PDF_MAGIC:
        errors.append("letter_pdf: must be PDF content (it does not start with %PDF-)")
    if errors:
        raise FhirError(errors)


def pas_attachment(bundle: Mapping[str, Any]) -> Attachment:
    """The PAS Bundle as a file to embed in an archival PDF beside the case JSON.

    ``render(case, options=RenderOptions(archival=True, attachments=[pas_attachment(b)]))``
    keeps the request as sent inside the PDF/A-3 letter. Unlike the embedded case JSON, the
    Bundle holds the patient's contact details, as the payer received them.
    """
    from ..rendering import Attachment

    data = json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8")
    return Attachment(
        name="pas-request.json",
        data=data,
        media_type="application/fhir+json",
        description="The Da Vinci PAS request Bundle sent for this case",
    )

"""What an archival PDF embeds: for a clinical document, the case facts it states (minimum
necessary: the patient's contact details left out), and the caller's own attachments."""

from __future__ import annotations

import json

from ..model import Case
from .options import Attachment, RenderOptions

__all__ = ["case_attachments"]


# Patient details no letter states: the embedded case leaves them out (minimum necessary).
_UNSTATED_PATIENT_FIELDS = ("phone", "email", "address", "guardian", "preferred_language")


def case_attachments(case: Case, document: str, options: RenderOptions) -> tuple[Attachment, ...]:
    """Files an archival PDF embeds: for a clinical document, the case facts it states.

    A fax cover and a patient summary state no clinical facts, so they embed no case; the
    caller's own attachments are embedded either way.
    """
    if not options.archival:
        return ()
    if document in ("fax-cover", "patient-summary"):
        return options.attachments
    from ..caseformat.serialize import dump_case

    data = dump_case(case)
    patient = data["patient"]
    for name in _UNSTATED_PATIENT_FIELDS:
        patient.pop(name, None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2)
    case_file = Attachment(
        name="case.json",
        data=text.encode("utf-8"),
        media_type="application/json",
        description="The case facts this document states, as an iopauth case document "
        "(the patient's contact details left out)",
    )
    return (case_file, *options.attachments)

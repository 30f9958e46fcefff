"""The options every test passes to ``pas_request``: a fixed timestamp and the payer's X12 codes.

The X12 codes are the IG's own example codes (HL7/davinci-pas Examples.fsh), standing in for the
ones a payer's companion guide would give: iopauth has none for an IOP (see _pas_codes.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from iopauth.fhir import PasCodes
from iopauth.model import DocumentKind, RequestKind

#: When the test requests are created (not the request date at midnight).
TIMESTAMP = datetime(2026, 6, 5, 14, 30, tzinfo=UTC)

#: Examples.fsh:489 "1" Medical Care; :118 place of service 11; :80 PWK01 "PY"; the UM02 and
#: INS02 codes for kinds and relations the IG has none for are test stand-ins ("X-...").
CODES = PasCodes(
    service_type="1",
    place_of_service="11",
    certification_types={
        RequestKind.CONCURRENT: "X-concurrent",
        RequestKind.EXTENSION: "X-extension",
        RequestKind.APPEAL: "X-appeal",
    },
    relationships={"spouse": "X-spouse", "child": "X-child", "other": "X-other"},
    report_types=dict.fromkeys(DocumentKind, "PY"),
    letter_report_type="PY",
)


def options(**extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``pas_request``: timestamp, codes, a subscriber id, and ``extra``."""
    return {"timestamp": TIMESTAMP, "codes": CODES, "subscriber_id": "SUB-0001", **extra}

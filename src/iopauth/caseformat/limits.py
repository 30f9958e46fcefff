"""The case document's limits: how many items each array may hold, how long a string and how
large a number may be — limits no real case comes near.

They bound the work a hostile or broken document can cause (8,000 medications once took 39 s
and 862 MB to render). ``load_case`` refuses a longer array at its path, and the JSON Schema
states each limit as ``maxItems`` (``maxProperties`` for the free-form ``ratings``). This module
sits below the converter (:mod:`._hooks`), the first pass and the schema, which all read it.
"""

from __future__ import annotations

from typing import Any

from ..authorization.decision import Decision, DecisionItem
from ..authorization.model import Authorization, Review, Usage
from ..model import (
    AuthorizationRequest,
    Clinician,
    Coverage,
    Diagnosis,
    DocumentOnHand,
    FunctionalImpairment,
    Goal,
    LevelOfCareRating,
    MeasureAdministration,
    Medication,
    PlannedService,
    Session,
    TreatmentEpisode,
)

__all__ = [
    "DEFAULT_MAX_ITEMS",
    "IDENTIFIER_FIELDS",
    "MAX_IDENTIFIER",
    "MAX_ITEMS",
    "MAX_KEYS",
    "MAX_NUMBER",
    "MAX_TEXT",
    "max_items",
]

#: Longest string accepted in any field. Free text beyond this belongs in an attachment.
MAX_TEXT = 10_000
#: Largest magnitude of any number in a case; no count, score or duration comes near it.
MAX_NUMBER = 1_000_000_000

#: The limit for an array whose item type has no entry in :data:`MAX_ITEMS`.
DEFAULT_MAX_ITEMS = 100
#: Most keys in a free-form object (the dimension ratings of one instrument: at most 7 today).
MAX_KEYS = 20
#: Most items by the type of the array's items (the same type has the same limit everywhere).
MAX_ITEMS: dict[type, int] = {
    Clinician: 20,
    # far above what a request lists; the claim forms' own caps are not in the domain
    # reference, so this is a sanity bound, not a billing rule
    Diagnosis: 25,
    Medication: 50,
    # weekly administrations of four instruments over the longest plan (104 weeks) is 416
    MeasureAdministration: 500,
    FunctionalImpairment: 20,
    TreatmentEpisode: 50,
    LevelOfCareRating: 50,
    # item answers: the longest instrument scored (PCL-5) has 20 items (measures.SPECS)
    int: 50,
    # symptoms, address lines, criteria a denial names
    str: 50,
    Session: 50,
    PlannedService: 30,
    Goal: 30,
    DocumentOnHand: 50,
    # an authorization's record (iopauth.authorization): a year of daily attendance entered
    # several times a day, and every review of a long stay
    Usage: 5000,
    Review: 200,
}


def max_items(item_type: Any) -> int:
    """The most items an array of ``item_type`` may hold."""
    limit: int = MAX_ITEMS.get(item_type, DEFAULT_MAX_ITEMS)
    return limit


#: Longest identifier or code (member id, authorization number, payer code). Our bound: the
#: X12 elements that carry them are at most 80 characters in the 5010 guides we know of, but
#: the licensed TR3 is not in the domain reference.
MAX_IDENTIFIER = 80
#: The fields that hold an identifier or a code, by record class: besides the rule of every
#: string, each is 1 to :data:`MAX_IDENTIFIER` ASCII letters, digits, single spaces and
#: ``. _ / # : + -``, starting with a letter or digit — so it prints as the characters it is
#: (no lookalike letters, no invisible or reordering characters). NPI, TIN, phone, ICD-10-CM,
#: HCPCS and revenue codes of a request have their own, stricter formats (``rules``).
IDENTIFIER_FIELDS: dict[type, tuple[str, ...]] = {
    Coverage: ("member_id", "group_number", "payer_id"),
    AuthorizationRequest: ("authorization_number",),
    Authorization: ("authorization_number", "service_codes"),
    Review: ("reference",),
    Decision: ("authorization_number", "response_id", "reason_codes", "unknown_codes"),
    DecisionItem: (
        "authorization_number",
        "service_code",
        "revenue_code",
        "review_action_code",
        "reason_codes",
    ),
}

"""The X12 codes a PAS request needs, which iopauth can give only where the IG gives them.

PAS binds many Claim elements to X12 278 value sets (``https://valueset.x12.org/...``). X12
licenses those code lists; iopauth ships a code only when the PAS IG's own examples or profile
rules give it with a meaning that fits (``src/iopauth/fhir/data/pas-profiles.json``,
``x12_value_sets``). Every other code comes from the program's payer or clearinghouse
(its 278 companion guide) through :class:`PasCodes`. A code PAS *requires* and nobody gave is an
error naming the option, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen

from ..errors import FhirError
from ..model import Case, ClinicianRole, DocumentKind, RequestKind, UnitType, Urgency

__all__ = ["CERTIFICATION_TYPES", "PasCodes"]

# Our request kind -> X12 UM02 certification type (system 1322).
#   "I" Initial: every PAS request example (Examples.fsh:65, 371, 485, 832).
#   "1" for an *expedited* appeal: the profile invariant ImmediateLevelOfCare (Claim.fsh:269)
#   names code 1 "an immediate appeal".
#   A concurrent review, an extension and a standard appeal have no code in the IG's examples or
#   profiles: pass ``PasCodes(certification_types={...})`` with your payer's codes.
CERTIFICATION_TYPES: Mapping[RequestKind, str] = {RequestKind.INITIAL: "I"}
IMMEDIATE_APPEAL = "1"
CANCEL = "3"  # UM02 "Cancel": HomecareAuthorizationUpdateExample item 2 (Examples.fsh:436)

# UM01 request category: "HS" Health Services Review is what the IG's outpatient-service
# examples use (Homecare, Examples.fsh:370; the inquiry, :532). Our mapping of an IOP/PHP request
# to it is a reading, not a rule: override with ``PasCodes(request_type=...)``.
REQUEST_TYPE = "HS"
# UM06 level of service: "U" Urgent (Examples.fsh:34) for an expedited request, "E" Elective
# (Examples.fsh:801) is not our standard request's meaning, so a standard request sends none.
URGENT = "U"
# INS02 individual relationship: "18" Self (Examples.fsh:665; the invariant self-beneficiary,
# Coverage.fsh:29, tests this code). The codes for a spouse, child or other dependant are not in
# the IG: pass ``PasCodes(relationships={...})``.
SELF = "18"
# PWK01 attachment report type: the IG gives "PY" Physician's Report (Examples.fsh:80) and "15"
# Justification for Admissions (Examples.fsh:709). A physician's own reports are sent as PY;
# every other document needs your code (``PasCodes(report_types={...})``).
PHYSICIAN_REPORTS = frozenset(
    {
        DocumentKind.PSYCHIATRIC_EVALUATION,
        DocumentKind.PHYSICIAN_RECOMMENDATION,
        DocumentKind.PHYSICIAN_CERTIFICATION,
    }
)
PHYSICIAN_REPORT = "PY"
# Place of service 52 is a (Medicare) partial hospitalization setting (medicare-iop.md §6,
# Novitas). No source here gives the code for an intensive outpatient program.
PHP_PLACE_OF_SERVICE = "52"
# PWK02 transmission method "EL" Electronically Only (Examples.fsh:84): the content travels in
# the Bundle itself.
ELECTRONIC = "EL"


@frozen(kw_only=True)
class PasCodes:
    """The X12 278 codes your payer expects where iopauth has none (PAS binds them to X12).

    ``service_type``: the X12 UM03 service type of the program (``Claim.item.category``, 1..1 in
    PAS, Claim.fsh:205). **Required**: the IG gives no code for an intensive outpatient or
    partial hospitalization program, and iopauth does not guess one.
    ``request_type``: UM01 (default ``"HS"``, Health Services Review). ``certification_types``:
    UM02 per request kind, added to :data:`CERTIFICATION_TYPES` (only ``initial`` -> ``"I"`` and
    an expedited appeal -> ``"1"`` are known). ``place_of_service``: the CMS place-of-service
    code (``Claim.item.locationCodeableConcept``, 1..1, Claim.fsh:208); required except for a
    PHP plan (52). ``requestor_type``: NM101 entity code of the program
    (``Organization.type`` of the PAS Requestor). ``relationships``: INS02 code for a patient
    who is not the subscriber (spouse, child, other). ``report_types``: PWK01 code per document
    kind, and ``letter_report_type`` for the request letter. ``unit_qualifiers``: HSD01 code
    per unit type (PASQuantity ``code``; without one the quantity carries its value and unit
    only). ``care_team_roles`` and ``qualifications``: NM101 and PRV03 codes per clinician
    role (``Claim.careTeam.role`` / ``qualification``; left out when not given).
    ``questionnaire_report_type``: the PWK01 code under which a DTR QuestionnaireResponse is
    sent (``pas_request(questionnaire_responses=...)``; the IG gives none).
    """

    service_type: str | None = None
    request_type: str = REQUEST_TYPE
    certification_types: Mapping[RequestKind, str] = field(factory=dict)
    place_of_service: str | None = None
    requestor_type: str | None = None
    relationships: Mapping[str, str] = field(factory=dict)
    report_types: Mapping[DocumentKind, str] = field(factory=dict)
    letter_report_type: str | None = None
    unit_qualifiers: Mapping[UnitType, str] = field(factory=dict)
    care_team_roles: Mapping[ClinicianRole, str] = field(factory=dict)
    qualifications: Mapping[ClinicianRole, str] = field(factory=dict)
    questionnaire_report_type: str | None = None

    def certification(self, case: Case) -> str | None:
        """The UM02 code of the case's request, or ``None`` when nobody gave one."""
        request = case.request
        given = {**CERTIFICATION_TYPES, **self.certification_types}
        if request.kind in given:
            return given[request.kind]
        if request.kind is RequestKind.APPEAL and request.urgency is Urgency.EXPEDITED:
            return IMMEDIATE_APPEAL
        return None

    def place(self, case: Case) -> str | None:
        """The place-of-service code: yours, else 52 for a PHP plan, else ``None``."""
        if self.place_of_service:
            return self.place_of_service
        return PHP_PLACE_OF_SERVICE if case.plan.level.value == "php" else None

    def relationship(self, case: Case) -> str | None:
        """The INS02 code of the patient's relation to the subscriber, when known."""
        relation = case.coverage.subscriber_relation.value
        return SELF if relation == "self" else self.relationships.get(relation)

    def report_type(self, kind: DocumentKind | None) -> str | None:
        """The PWK01 report type of a document kind (``None``: the request letter)."""
        if kind is None:
            return self.letter_report_type
        if kind in self.report_types:
            return self.report_types[kind]
        return PHYSICIAN_REPORT if kind in PHYSICIAN_REPORTS else None

    def require(self, case: Case, documents: list[DocumentKind | None]) -> None:
        """Raise :class:`FhirError` naming every code PAS requires that nobody gave."""
        missing: list[str] = []
        if not self.service_type:
            missing.append(
                "service_type: required: the X12 UM03 service type of the program "
                "(PAS Claim.item.category 1..1, Claim.fsh:205); the IG gives no code for "
                "IOP or PHP, so iopauth does not choose one"
            )
        if self.place(case) is None:
            missing.append(
                "place_of_service: required: the CMS place-of-service code "
                "(PAS Claim.item.location[x] 1..1, Claim.fsh:208); iopauth knows only 52 "
                "(partial hospitalization)"
            )
        if self.certification(case) is None:
            missing.append(
                f"certification_types: required for a {case.request.kind.value} request: the "
                "X12 UM02 code (PAS certificationType 1..1, Claim.fsh:195); the IG gives only "
                "I (initial) and 1 (immediate appeal)"
            )
        if case.coverage.subscriber_relation.value != "self" and self.relationship(case) is None:
            missing.append(
                f"relationships: required for a patient who is the subscriber's "
                f"{case.coverage.subscriber_relation.value}: the X12 INS02 code (PASCoverage "
                "relationship, Coverage.fsh:23); the IG gives only 18 (self)"
            )
        for kind in sorted({k for k in documents if self.report_type(k) is None}, key=str):
            name = "letter_report_type" if kind is None else f"report_types[{kind.value}]"
            missing.append(
                f"{name}: required for an attached document: the X12 PWK01 report type "
                "(PAS documentInformation.reportTypeCode 1..1, Claim.fsh:254)"
            )
        if missing:
            raise FhirError(missing)

"""Insurance coverage: who pays and how the member is identified."""

from __future__ import annotations

from attrs import frozen

from ._base import Redacted, StrEnum


class PlanType(StrEnum):
    """Kind of health plan; it decides which rules (e.g. CMS-0057-F time frames) apply."""

    COMMERCIAL = "commercial"
    MEDICARE = "medicare"
    MEDICARE_ADVANTAGE = "medicare-advantage"
    MEDICAID = "medicaid"
    CHIP = "chip"
    EXCHANGE = "exchange"
    TRICARE = "tricare"
    OTHER = "other"


class SubscriberRelation(StrEnum):
    """The patient's relation to the subscriber (policy holder)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


@frozen(kw_only=True, repr=False)
class Coverage(Redacted):
    """The plan the request goes to.

    ``um_phone`` and ``um_fax`` reach the payer's utilization-management department, the
    recipient of the request letter and the fax packet (a line for providers).
    ``member_services_phone`` is the number on the member's card that the patient calls.
    """

    payer_name: str
    plan_type: PlanType
    member_id: str
    payer_id: str | None = None
    plan_name: str | None = None
    group_number: str | None = None
    subscriber_relation: SubscriberRelation = SubscriberRelation.SELF
    plan_state: str | None = None
    um_phone: str | None = None
    um_fax: str | None = None
    member_services_phone: str | None = None

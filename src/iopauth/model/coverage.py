"""Insurance coverage: who pays and how the member is identified."""

from __future__ import annotations

from attrs import field, frozen

from ._base import Redacted, StrEnum, enum_member


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


def _plan_type(value: PlanType | str) -> PlanType:
    return value if type(value) is PlanType else enum_member(PlanType, value)


class SubscriberRelation(StrEnum):
    """The patient's relation to the subscriber (policy holder)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


def _relation(value: SubscriberRelation | str) -> SubscriberRelation:
    return value if type(value) is SubscriberRelation else enum_member(SubscriberRelation, value)


@frozen(kw_only=True, repr=False)
class Coverage(Redacted):
    """The plan the request goes to.

    ``um_phone`` and ``um_fax`` reach the payer's utilization-management department, the
    recipient of the request letter and the fax packet (a line for providers).
    ``member_services_phone`` is the number on the member's card that the patient calls.

    ``plan_type``: a :class:`PlanType` or its value (``"commercial"``, ``"medicare"``,
    ``"medicare-advantage"``, ``"medicaid"``, ``"chip"``, ``"exchange"``, ``"tricare"``,
    ``"other"``). ``subscriber_relation``: ``"self"`` (default), ``"spouse"``, ``"child"`` or
    ``"other"``. ``plan_state``: the two-letter USPS code of the plan's state (an appeal letter
    cites that state's law where iopauth has it). The phone and fax numbers: at least 10
    digits. ``member_id`` and ``group_number`` are printed as given.
    """

    payer_name: str
    plan_type: PlanType = field(converter=_plan_type)
    member_id: str
    payer_id: str | None = None
    plan_name: str | None = None
    group_number: str | None = None
    subscriber_relation: SubscriberRelation = field(
        default=SubscriberRelation.SELF, converter=_relation
    )
    plan_state: str | None = None
    um_phone: str | None = None
    um_fax: str | None = None
    member_services_phone: str | None = None

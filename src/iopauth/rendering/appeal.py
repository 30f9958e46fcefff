"""What an appeal (and a request) may cite: state criteria laws, GASC principles, CMS-0057-F.

Facts come from domain/payer-criteria.md §4–§6; the wording is ours.
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources

from attrs import frozen

from .._once import once
from ..model import Case, PlanType, Urgency

WIT_CITATION = (
    "Wit v. United Behavioral Health (N.D. Cal. 2019), whose findings on generally accepted "
    "standards of care we cite as persuasive authority only: the Ninth Circuit's final opinion "
    "(22 August 2023) reversed parts of the judgment"
)
WIT_SOURCE = "http://casetext.com/case/wit-v-united-behavioral-health-15/"


@frozen(kw_only=True)
class Principle:
    """A generally accepted standard of care an appeal can cite (payer-criteria.md §5)."""

    slug: str
    text: str


# Only the rows the domain file marks [verified]; gasc.least_restrictive_safe and
# gasc.youth_needs are [unverified] and are not quoted.
PRINCIPLES = (
    Principle(
        slug="gasc.treat_underlying",
        text="Treatment should address the underlying condition, not only acute symptoms or "
        "crisis stabilization.",
    ),
    Principle(
        slug="gasc.chronic",
        text="Chronic conditions warrant effective treatment to maintain function and prevent "
        "deterioration.",
    ),
    Principle(
        slug="gasc.co_occurring",
        text="Co-occurring mental-health and substance-use conditions are assessed and treated "
        "together.",
    ),
    Principle(
        slug="gasc.nonprofit_criteria",
        text="Criteria developed by nonprofit professional associations (LOCUS, CALOCUS-CASII, "
        "ECSII, ASAM) embody generally accepted standards of care.",
    ),
    Principle(
        slug="gasc.state_mandates",
        text="Where state law mandates particular criteria, those criteria govern.",
    ),
)

# Payers CMS-0057-F applies to (payer-criteria.md §6). Exchange plans are left out because
# only issuers on the federally facilitated exchanges are covered, and for the decision time
# frames not even they are; the case does not say which kind of exchange a plan is on.
_CMS_0057F_PAYERS = frozenset({PlanType.MEDICARE_ADVANTAGE, PlanType.MEDICAID, PlanType.CHIP})
CMS_0057F_FROM = date(2026, 1, 1)
CMS_0057F_SOURCE = "https://cms-0057-f.com/"


@frozen(kw_only=True)
class StateLaw:
    """A state law requiring nonprofit-association criteria, from ``state_laws.toml``."""

    state: str
    state_name: str
    name: str
    citation: str
    effective: date
    summary: str
    sources: tuple[str, ...]


@once()
def state_laws() -> dict[str, StateLaw]:
    """The shipped table of state criteria laws, by two-letter state code."""
    text = resources.files(__package__).joinpath("state_laws.toml").read_text("utf-8")
    table = tomllib.loads(text)
    return {
        state: StateLaw(
            state=state,
            state_name=row["state_name"],
            name=row["name"],
            citation=row["citation"],
            effective=row["effective"],
            summary=row["summary"],
            sources=tuple(row["sources"]),
        )
        for state, row in table.items()
    }


def state_law_for(case: Case, on: date) -> StateLaw | None:
    """The criteria law of the plan's state in force on ``on``, if the table has one."""
    state = (case.coverage.plan_state or "").upper()
    law = state_laws().get(state)
    if law is None or law.effective > on:
        return None
    return law


def cms_0057f_applies(case: Case, on: date) -> bool:
    """True when the payer is one CMS-0057-F covers and its 2026 provisions are in force."""
    return case.coverage.plan_type in _CMS_0057F_PAYERS and on >= CMS_0057F_FROM


def decision_time_frame(case: Case, on: date) -> str | None:
    """The CMS-0057-F decision time frame for this request, or ``None`` when it does not apply."""
    if not cms_0057f_applies(case, on):
        return None
    if case.request.urgency is Urgency.EXPEDITED:
        return "72 hours"
    return "7 calendar days"

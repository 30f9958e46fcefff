"""What an appeal (and a request) may cite: state criteria laws, GASC principles, CMS-0057-F.

Facts come from domain/payer-criteria.md §4–§6; the wording is ours.
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources

from .._support.once import once
from ..model import Case, PlanType, Urgency
from .clinical import has_chronic_history, has_substance_use
from .views import Principle, StateLaw

# The citation a letter prints (citations.md, [standard]); WIT_SOURCE is where a maintainer
# checked it and is never printed.
WIT_CITATION = (
    "Wit v. United Behavioral Health, No. 14-cv-02346-JCS (N.D. Cal. Feb. 28, 2019) (findings "
    "of fact and conclusions of law), cited as persuasive authority only: the Ninth Circuit's "
    "later rulings (2022, 2023) reversed parts of the judgment"
)
WIT_SOURCE = "http://casetext.com/case/wit-v-united-behavioral-health-15/"


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
# Printed citation (citations.md, [standard]); the source URL is a maintainer's note only.
CMS_0057F_CITATION = (
    "CMS Interoperability and Prior Authorization final rule, CMS-0057-F "
    "(89 Fed. Reg. 8758, Feb. 8, 2024)"
)
CMS_0057F_SOURCE = "https://cms-0057-f.com/"


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


def principles_for(case: Case, state_law: StateLaw | None) -> tuple[Principle, ...]:
    """The standards of care that bear on this patient.

    Co-occurring treatment only with a substance-use diagnosis; chronic-condition language only
    with a recurrent or chronic diagnosis; nonprofit criteria only when the case records a
    LOCUS, CALOCUS-CASII or ASAM rating; state mandates only where a state law is cited.
    """
    keep = {"gasc.treat_underlying"}
    if has_substance_use(case):
        keep.add("gasc.co_occurring")
    if has_chronic_history(case):
        keep.add("gasc.chronic")
    if case.level_of_care_ratings:
        keep.add("gasc.nonprofit_criteria")
    if state_law is not None:
        keep.add("gasc.state_mandates")
    return tuple(p for p in PRINCIPLES if p.slug in keep)

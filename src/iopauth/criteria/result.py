"""What an evaluation returns: a determination made of one finding per criterion."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from attrs import field, frozen

from ..model import LevelOfCare, StrEnum


class Outcome(StrEnum):
    """The overall result of checking a case against a criteria set."""

    MEETS = "meets"
    DOES_NOT_MEET = "does_not_meet"
    INSUFFICIENT_INFORMATION = "insufficient_information"


class Review(StrEnum):
    """The review a criterion applies to."""

    INITIAL = "initial"
    CONTINUED = "continued"
    DISCHARGE = "discharge"


class Status(StrEnum):
    """The result for one criterion; ``unknown`` means the case does not document it.

    Required criteria and any-of groups are ``met`` / ``not_met`` / ``unknown``; exclusions are
    ``applies`` / ``does_not_apply`` / ``unknown``, so "not met" never stands beside an
    exclusion that is clear.
    """

    MET = "met"
    NOT_MET = "not_met"
    APPLIES = "applies"
    DOES_NOT_APPLY = "does_not_apply"
    UNKNOWN = "unknown"


class CriterionKind(StrEnum):
    """How a criterion counts toward the outcome."""

    REQUIRED = "required"
    EXCLUSION = "exclusion"
    ANY_OF = "any_of"


@frozen(kw_only=True)
class Evidence:
    """One fact a finding used: its name, the case path it came from and its value."""

    fact: str
    path: str
    value: object


@frozen(kw_only=True)
class Finding:
    """The result for one criterion, explained.

    An exclusion's status is ``applies`` (which counts against the case), ``does_not_apply`` or
    ``unknown``. ``citation`` names the primary authority (regulation, manual, statute,
    instrument paper, payer policy) as a letter may print it, or is empty when there is none;
    ``source`` is the maintainer's verification field (URL and confidence label).
    ``documentation`` lists what to attach or document when ``status`` is ``unknown``.
    ``verified`` is false when the criterion rests on a source the project could not verify:
    staff should confirm it before relying on it (the checklist and ``iopauth check`` say so).
    """

    criterion: str
    title: str
    kind: CriterionKind
    status: Status
    reason: str
    source: str
    evidence: tuple[Evidence, ...] = ()
    documentation: tuple[str, ...] = ()
    verified: bool = True
    citation: str = ""
    # for a member of an itemized any-of group (discharge criteria): the group's id
    group: str = ""


@frozen(kw_only=True)
class RetrospectiveReview:
    """A request made after services in its period began: a retrospective review.

    The letter says so (domain/documents.md §1 "retro review Y/N"; clinical-thresholds.md §5):
    ``first_service`` is the first date of service in the period, ``served_through`` the last
    day already served before the request (``None`` when the record shows attendance but not
    up to when), ``days_since_first_service`` counts from the first service to the request.
    ``basis`` says why in words: the request is dated after the period starts, or attendance
    is already recorded in the period.
    """

    first_service: date
    served_through: date | None
    request_date: date
    days_since_first_service: int
    basis: str


@frozen(kw_only=True)
class Determination:
    """A case checked against one criteria set for one review type, as of one day.

    ``recommendation_basis`` holds the ids of the findings that drove ``recommended_level``;
    ``unverified`` the ids of findings that rest on facts the project could not verify.
    ``action_items`` are what staff must do before sending, beyond the criteria's missing
    documentation: reconcile two recorded facts that disagree (both figures given), explain a
    retrospective request. ``retrospective`` is set when the request is a retrospective review
    (the letter prints it with the dates already served).
    """

    criteria_set: str
    criteria_version: str
    review: Review
    as_of: date
    outcome: Outcome
    findings: tuple[Finding, ...]
    missing_documentation: tuple[str, ...] = ()
    recommended_level: LevelOfCare | None = None
    notes: tuple[str, ...] = field(default=())
    recommendation_basis: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    action_items: tuple[str, ...] = ()
    retrospective: RetrospectiveReview | None = None

    def by_criterion(self) -> Mapping[str, Finding]:
        """Findings keyed by criterion id."""
        return {f.criterion: f for f in self.findings}


# --- the engine's direct constructors -----------------------------------------------------------
# ``Evidence`` and ``Finding`` have no validators, converters or post-init hooks, so the
# engine's compiled findings (which only pass values of the declared types) fill their slots
# directly: about twice as fast as the keyword ``__init__``, with equal objects (a test keeps
# the field lists and the absence of hooks in step with these functions).
_new = object.__new__
_EV = Evidence.__dict__
_set_fact, _set_path, _set_value = (_EV[n].__set__ for n in ("fact", "path", "value"))
_FI = Finding.__dict__
(
    _set_criterion,
    _set_title,
    _set_kind,
    _set_status,
    _set_reason,
    _set_source,
    _set_evidence,
    _set_documentation,
    _set_verified,
    _set_citation,
    _set_group,
) = (
    _FI[n].__set__
    for n in (
        "criterion",
        "title",
        "kind",
        "status",
        "reason",
        "source",
        "evidence",
        "documentation",
        "verified",
        "citation",
        "group",
    )
)


def evidence_of(fact: str, path: str, value: object) -> Evidence:
    """``Evidence(fact=fact, path=path, value=value)``, its slots filled directly."""
    made: Evidence = _new(Evidence)
    _set_fact(made, fact)
    _set_path(made, path)
    _set_value(made, value)
    return made


def finding_of(  # noqa: PLR0917 - one argument per field, in field order
    criterion: str,
    title: str,
    kind: CriterionKind,
    status: Status,
    reason: str,
    source: str,
    evidence: tuple[Evidence, ...],
    documentation: tuple[str, ...],
    verified: bool,
    citation: str,
    group: str = "",
) -> Finding:
    """``Finding(...)`` with every field given in field order, its slots filled directly."""
    made: Finding = _new(Finding)
    _set_criterion(made, criterion)
    _set_title(made, title)
    _set_kind(made, kind)
    _set_status(made, status)
    _set_reason(made, reason)
    _set_source(made, source)
    _set_evidence(made, evidence)
    _set_documentation(made, documentation)
    _set_verified(made, verified)
    _set_citation(made, citation)
    _set_group(made, group)
    return made

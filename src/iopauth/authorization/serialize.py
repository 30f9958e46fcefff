"""JSON form of payer decisions and authorizations, through the case's converter style.

The converter is the case's (:func:`iopauth.caseformat.serialize.make_converter`): strict
primitives, ISO dates, enums by value, unknown keys refused, every problem reported at once as
``"<json path>: <rule>"`` and never with the offending value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from cattrs.errors import ClassValidationError, IterableValidationError

from ..caseformat._reading import read_source
from ..caseformat.limits import max_items
from ..caseformat.serialize import _paths, _RuleError, make_converter
from ..errors import InvalidAuthorizationError, InvalidCaseError
from ..model import UnitType
from .decision import Decision, DecisionItem
from .model import Authorization, Review, Usage

__all__ = ["dump_authorization", "dump_decision", "load_authorization", "load_decision"]

_CONVERTER = make_converter()
_STRUCTURE_DECISION = _CONVERTER.get_structure_hook(Decision)


def read_json(source: object, what: str) -> Mapping[str, Any]:
    """Parse a mapping, JSON text, UTF-8 bytes or a file path into a JSON object.

    Read as strictly as a case (:mod:`iopauth.caseformat._reading`): at most 16 MiB, a key
    given twice is an error at its path, huge integers and deep nesting are refused.
    """
    if isinstance(source, Mapping):
        return source
    try:
        data = read_source(source)
    except InvalidCaseError as exc:  # the shared reader speaks of cases; same lines, our kind
        raise InvalidAuthorizationError(exc.errors, what) from None
    if not isinstance(data, Mapping):
        raise InvalidAuthorizationError([f"$: the {what} must be a JSON object"], what)
    return data


def structure(data: object, cl: type[Any], what: str) -> Any:
    """Structure JSON data into ``cl``, turning every cattrs problem into a path line."""
    try:
        return _CONVERTER.get_structure_hook(cl)(data, cl)
    except (ClassValidationError, IterableValidationError, _RuleError) as exc:
        raise InvalidAuthorizationError(_paths(exc, "$"), what) from None
    except RecursionError:
        raise InvalidAuthorizationError(["$: JSON nested too deeply"], what) from None


def unstructure(obj: object) -> dict[str, Any]:
    """The JSON-compatible dict of an attrs record (defaults left out)."""
    data: dict[str, Any] = _CONVERTER.unstructure(obj)
    return data


def load_decision(source: Mapping[str, Any] | str | bytes | os.PathLike[str]) -> Decision:
    """Read and check a decision from a mapping, JSON text, UTF-8 bytes or a file path.

    Raises :class:`~iopauth.errors.InvalidAuthorizationError` listing every problem.
    """
    data = read_json(source, "decision")
    decision: Decision = structure(data, Decision, "decision")
    problems = list(decision_problems(decision, "$"))
    if problems:
        raise InvalidAuthorizationError(problems, "decision")
    return decision


def dump_decision(decision: Decision) -> dict[str, Any]:
    """The decision as a JSON-compatible dict; ``load_decision(dump_decision(d)) == d``."""
    return unstructure(decision)


def decision_problems(decision: Decision, path: str) -> Iterator[str]:
    """Rule problems of a structured decision, as ``"<path>: <rule>"`` lines."""
    yield from _grant_problems(
        path, decision.authorized_units, decision.authorized_start, decision.authorized_end
    )
    for i, item in enumerate(decision.items):
        yield from _item_problems(item, f"{path}.items[{i}]")


def _item_problems(item: DecisionItem, path: str) -> Iterator[str]:
    if item.sequence is not None and item.sequence < 1:
        yield f"{path}.sequence: must be at least 1"
    yield from _grant_problems(
        path, item.authorized_units, item.authorized_start, item.authorized_end
    )


def _grant_problems(
    path: str, units: int | None, start: date | None, end: date | None
) -> Iterator[str]:
    if units is not None and units < 0:
        yield f"{path}.authorized_units: must not be negative"
    if start is not None and end is not None and end < start:
        yield f"{path}.authorized_end: must not be before authorized_start"


def load_authorization(
    source: Mapping[str, Any] | str | bytes | os.PathLike[str],
) -> Authorization:
    """Read and check an authorization from a mapping, JSON text, UTF-8 bytes or a file path.

    Raises :class:`~iopauth.errors.InvalidAuthorizationError` listing every problem.
    """
    data = read_json(source, "authorization")
    auth: Authorization = structure(data, Authorization, "authorization")
    problems = list(authorization_problems(auth))
    if problems:
        raise InvalidAuthorizationError(problems, "authorization")
    return auth


def dump_authorization(auth: Authorization) -> dict[str, Any]:
    """The authorization as a JSON-compatible dict; ``load_authorization`` reads it back equal.

    A service that keeps records in its own database stores this instead of using the store.
    """
    return unstructure(auth)


def authorization_problems(auth: Authorization) -> Iterator[str]:
    """Rule problems of a structured authorization, as ``"<path>: <rule>"`` lines."""
    for name in ("requested_units", "authorized_units", "review_lead_days", "appeal_window_days"):
        value = getattr(auth, name)
        if value is not None and value < 0:
            yield f"$.{name}: must not be negative"
    for kind in ("requested", "authorized"):
        start, end = getattr(auth, f"{kind}_start"), getattr(auth, f"{kind}_end")
        if start is not None and end is not None and end < start:
            yield f"$.{kind}_end: must not be before {kind}_start"
    # The converter refuses longer arrays on reading; checked here too so that a record is
    # never written (by the store) that could not be read back.
    for name, item_type in (("reviews", Review), ("usage", Usage)):
        limit = max_items(item_type)
        if len(getattr(auth, name)) > limit:
            yield f"$.{name}: must have at most {limit} items"
    for i, review in enumerate(auth.reviews):
        path = f"$.reviews[{i}]"
        if review.decided_on is not None and review.decided_on < review.requested_on:
            yield f"{path}.decided_on: must not be before requested_on"
        if review.decision is not None:
            yield from decision_problems(review.decision, f"{path}.decision")
    for i, entry in enumerate(auth.usage):
        if entry.units < 1:
            yield f"$.usage[{i}].units: must be at least 1"
        elif auth.unit_type is UnitType.PER_DIEM and entry.units != 1:
            yield f"$.usage[{i}].units: per diem counts one unit per day of service"

"""Adaptive DTR questionnaires: ``$next-question`` in a loop, each new item answered from the case.

An adaptive Questionnaire is not known in advance: the payer's service returns the
QuestionnaireResponse with its *contained* Questionnaire grown by the next question(s), and
``status = completed`` when it asks nothing more (DTR ``DTROperation-NextQuestion.fsh``, the
``return`` parameter). :func:`complete_adaptive` answers each round's new items with
:func:`~iopauth.fhir.answer_questionnaire` on the contained Questionnaire and sends the answers
back, until the payer says completed, asks nothing new, needs a person (a required item the case
cannot answer) or ``max_rounds`` is reached. Answers the payer already holds (its own, or a
person's) are kept as they came; iopauth adds only answers to items that have none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

import attrs
from attrs import field, frozen

from ..errors import FhirError
from ._dtr import Unanswered, answer_questionnaire
from ._dtr_items import Item, read_items, walk

if TYPE_CHECKING:
    from ..criteria import Determination
    from ..model import Case
    from ._dtr_mapping import QuestionnaireMapping

__all__ = ["AdaptiveOutcome", "AdaptiveResult", "complete_adaptive"]

#: Default and largest number of ``$next-question`` calls in one :func:`complete_adaptive`.
MAX_ROUNDS = 50
_LIMIT = 1000


class NextQuestion(Protocol):
    """What :func:`complete_adaptive` needs of a client (``DtrClient`` is one)."""

    def next_question(self, questionnaire_response: Mapping[str, Any]) -> dict[str, Any]: ...


class AdaptiveOutcome(Enum):
    """Why the loop stopped."""

    COMPLETED = "completed"  # the payer marked the QuestionnaireResponse completed
    NO_NEW_QUESTIONS = "no-new-questions"  # the payer asked nothing new and did not complete it
    PERSON_NEEDED = "person-needed"  # a new required item the case cannot answer
    ROUND_LIMIT = "round-limit"  # max_rounds calls made without an end


@frozen
class AdaptiveResult:
    """The end of an adaptive exchange.

    ``response`` is the latest QuestionnaireResponse: the payer's when it completed it or asked
    nothing new, else the one with iopauth's answers added (for a person to finish and send
    back with ``complete_adaptive`` again). ``answered`` lists the linkIds iopauth answered from
    the case over all rounds; ``waiting`` the enabled items of the last round left for a person
    (required or not); ``not_run`` the items whose expression iopauth did not run.
    """

    outcome: AdaptiveOutcome
    response: dict[str, Any] = field(repr=False)
    rounds: int
    answered: tuple[str, ...] = ()
    waiting: tuple[Unanswered, ...] = ()
    not_run: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when the payer marked the questionnaire completed."""
        return self.outcome is AdaptiveOutcome.COMPLETED


def complete_adaptive(
    client: NextQuestion,
    questionnaire_response: Mapping[str, Any],
    case: Case,
    mapping: QuestionnaireMapping | None = None,
    *,
    authored: date | datetime,
    max_rounds: int = MAX_ROUNDS,
    determination: Determination | None = None,
) -> AdaptiveResult:
    """Loop ``client.next_question`` from ``questionnaire_response`` (the package's draft, or
    one a person finished), answering each new item from ``case`` and ``mapping``.

    ``mapping`` is for the adaptive Questionnaire's ``url``; its entries for items the payer
    has not asked yet are kept for later rounds. ``max_rounds`` (1-1000) bounds the calls.
    Raises :class:`FhirError` when the payer's answer holds no contained Questionnaire or one
    that breaks the Questionnaire rules and bounds; transport errors are the client's.
    """
    if not 1 <= max_rounds <= _LIMIT:
        raise ValueError(f"max_rounds must be between 1 and {_LIMIT}")
    current = dict(questionnaire_response)
    answered: list[str] = []
    not_run: tuple[str, ...] = ()
    seen: set[str] | None = None
    for rounds in range(1, max_rounds + 1):
        returned = client.next_question(current)
        if returned.get("status") == "completed":
            return AdaptiveResult(
                AdaptiveOutcome.COMPLETED, returned, rounds, tuple(answered), (), not_run
            )
        questionnaire = _contained(returned)
        items = read_items(questionnaire)
        link_ids = {item.link_id for item in walk(items)}
        if seen is not None and link_ids <= seen:
            return AdaptiveResult(
                AdaptiveOutcome.NO_NEW_QUESTIONS, returned, rounds, tuple(answered), (), not_run
            )
        seen = link_ids
        given = _answers(returned.get("item"))
        ours = answer_questionnaire(
            questionnaire,
            case,
            _within(mapping, link_ids),
            authored=authored,
            determination=determination,
        )
        found = _answers(ours.response.get("item"))
        new = {k: v for k, v in found.items() if k not in given}
        answered += [k for k in ours.answered if k in new and k not in answered]
        not_run = tuple(dict.fromkeys((*not_run, *ours.not_run)))
        waiting = tuple(u for u in ours.unanswered if u.link_id not in given)
        current = {
            **returned,
            "authored": authored.isoformat(),
            "item": _tree(items, {**new, **given}),
        }
        if any(u.required for u in waiting):
            return AdaptiveResult(
                AdaptiveOutcome.PERSON_NEEDED, current, rounds, tuple(answered), waiting, not_run
            )
    return AdaptiveResult(
        AdaptiveOutcome.ROUND_LIMIT, current, max_rounds, tuple(answered), (), not_run
    )


def _contained(response: Mapping[str, Any]) -> dict[str, Any]:
    """The Questionnaire the response answers, contained in it (``questionnaire = #id``)."""
    contained = response.get("contained")
    reference = response.get("questionnaire")
    wanted = reference[1:] if isinstance(reference, str) and reference.startswith("#") else None
    candidates = [
        r
        for r in (contained if isinstance(contained, list) else [])
        if isinstance(r, dict) and r.get("resourceType") == "Questionnaire"
    ]
    for resource in candidates:
        if wanted is None or resource.get("id") == wanted:
            return resource
    raise FhirError(
        ["$.contained: the payer's answer holds no contained Questionnaire for its questions"]
    )


def _answers(items: object) -> dict[str, list[Any]]:
    """Answers by linkId in a QuestionnaireResponse's items (nested groups included)."""
    out: dict[str, list[Any]] = {}
    for node in items if isinstance(items, list) else []:
        if not isinstance(node, dict):
            continue
        link_id, answer = node.get("linkId"), node.get("answer")
        if isinstance(link_id, str) and isinstance(answer, list) and answer:
            out.setdefault(link_id, answer)
        for link, found in _answers(node.get("item")).items():
            out.setdefault(link, found)
    return out


def _tree(items: tuple[Item, ...], answers: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    """Response items in the Questionnaire's order and nesting, for the items with answers."""
    out = []
    for item in items:
        node: dict[str, Any] = {"linkId": item.link_id}
        if item.text is not None:
            node["text"] = item.text
        if item.link_id in answers:
            node["answer"] = answers[item.link_id]
        children = _tree(item.children, answers)
        if children:
            node["item"] = children
        if "answer" in node or children:
            out.append(node)
    return out


def _within(
    mapping: QuestionnaireMapping | None, link_ids: set[str]
) -> QuestionnaireMapping | None:
    """The mapping's entries for the items asked so far (an adaptive form grows)."""
    if mapping is None:
        return None
    entries = {k: v for k, v in mapping.entries.items() if k in link_ids}
    return attrs.evolve(mapping, entries=entries)

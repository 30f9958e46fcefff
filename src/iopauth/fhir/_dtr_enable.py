"""Which items of a Questionnaire are enabled, given the answers found (``enableWhen``).

An item is enabled when its parent is and its conditions hold (``enableBehavior`` all or any);
a condition on a question that is itself disabled sees no answer (FHIR R4 Questionnaire
``enableWhen``). Conditions that depend on each other in a circle are an error at the item's
place: a payer's questionnaire could otherwise send the reader round for ever.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._support.answer_compare import compare_answers
from ..errors import FhirError
from ._dtr_items import Condition, Item

__all__ = ["enabled_items"]


def enabled_items(
    items: tuple[Item, ...], by_link: Mapping[str, Item], answers: Mapping[str, list[object]]
) -> dict[str, bool]:
    """Every item's linkId and whether it is enabled."""
    return _Enablement(by_link, answers, _parents(items)).all()


def _parents(items: tuple[Item, ...]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    stack: list[tuple[Item, str | None]] = [(i, None) for i in items]
    while stack:
        item, parent = stack.pop()
        out[item.link_id] = parent
        stack.extend((child, item.link_id) for child in item.children)
    return out


class _Enablement:
    """Which items are enabled: an item is, when its parent is and its conditions hold."""

    def __init__(
        self,
        by_link: Mapping[str, Item],
        answers: Mapping[str, list[object]],
        parents: Mapping[str, str | None],
    ) -> None:
        self._items, self._answers, self._parents = by_link, answers, parents
        self._done: dict[str, bool] = {}
        self._open: set[str] = set()

    def all(self) -> dict[str, bool]:
        for link_id in self._items:
            self.enabled(link_id)
        return self._done

    def enabled(self, link_id: str) -> bool:
        if link_id in self._done:
            return self._done[link_id]
        item = self._items[link_id]
        if link_id in self._open:
            raise FhirError([f"{item.path}.enableWhen: the conditions form a cycle"])
        self._open.add(link_id)
        parent = self._parents[link_id]
        result = (parent is None or self.enabled(parent)) and self._holds(item)
        self._open.discard(link_id)
        self._done[link_id] = result
        return result

    def _holds(self, item: Item) -> bool:
        if not item.conditions:
            return True
        results = [self._condition(c) for c in item.conditions]
        return all(results) if item.behavior == "all" else any(results)

    def _condition(self, condition: Condition) -> bool:
        answers = (
            self._answers.get(condition.question, []) if self.enabled(condition.question) else []
        )
        if condition.operator == "exists":
            return bool(answers) == (condition.answer is True)
        return any(
            compare_answers(_plain(a), condition.operator, condition.answer) for a in answers
        )


def _plain(answer: object) -> object:
    assert isinstance(answer, dict)  # noqa: S101 -- built by _typed
    return next(iter(answer.values()))

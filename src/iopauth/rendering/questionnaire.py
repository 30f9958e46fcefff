"""The "Payer questionnaire" page: a payer's DTR questionnaire as answered, in the payer's
words, for the payer's reviewer.

:func:`questionnaire_view` reads a QuestionnaireResponse (and, when given, the Questionnaire it
answers) into a :class:`~iopauth.rendering.views.QuestionnaireView`: the questionnaire's title,
address and version as the payer gave them, then every group as a heading and every question
with its answers in words (:mod:`iopauth.rendering.answers`) and who gave them — filled from
the record (DTR ``information-origin`` ``auto-client`` or ``auto-server``), changed by a person
(``override``), entered by a person (``manual``), or left for the clinician.

With the Questionnaire the page follows it: each question's wording is the Questionnaire's, and
a question the response does not answer is listed as open when its ``enableWhen`` holds against
the response's answers (a question shown only after another answer stays off the page until
that answer is given; DTR leaves disabled questions out of a response). Without it the page
shows the items the response holds, in its order. A response whose ``questionnaire`` is
``#id`` uses the Questionnaire it contains.

Everything printed is the payer's text, escaped by the templates like any other value; it is
bounded here before a template sees it: at most :data:`MAX_ITEMS` items nested at most
:data:`MAX_DEPTH` deep, :data:`MAX_ANSWERS` answers an item, :data:`MAX_TEXT` characters a
string and :data:`MAX_TOTAL_TEXT` in all, and no control, bidirectional or invisible format
character (the rule of a case's text). A problem is a :class:`RenderError` naming the place
(``response $.item[2].answer[0]``), never the payer's text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from ..caseformat._reading import read_source
from ..errors import InvalidCaseError, RenderError
from .answers import PayerText, answer_words, conditions_hold, fhir_date
from .options import PayerQuestionnaire, QuestionnaireSource
from .views import QuestionnaireView, QuestionRow

__all__ = [
    "MAX_ANSWERS",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_TEXT",
    "MAX_TOTAL_TEXT",
    "questionnaire_view",
]

#: Most items (groups, notes and questions) the page shows: some 30 pages of questions.
MAX_ITEMS = 1000
#: Deepest nesting of groups and questions read.
MAX_DEPTH = 10
#: Most answers one question may carry.
MAX_ANSWERS = 50
#: Longest string printed (the case text limit, caseformat.limits.MAX_TEXT).
MAX_TEXT = 10_000
#: Most characters of payer text the page prints in all.
MAX_TOTAL_TEXT = 300_000

_ORIGIN = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin"
# DTR's DTRInformationOrigins value set (auto-client, auto-server, override, manual).
_ORIGINS = {"auto-client": "record", "auto-server": "record"}
_ORIGINS |= {"override": "changed", "manual": "person"}
# The heading of answers the response gives to questions its Questionnaire does not ask.
_OTHERS = "Other answers in the response (not questions of this questionnaire)"
# When a question's answers came from different hands, the most human one is named.
_RANK = ("unstated", "record", "changed", "person")


def questionnaire_view(given: PayerQuestionnaire) -> QuestionnaireView:
    """The questionnaire page's view of ``given``; :class:`RenderError` for a bad input."""
    response = _read(given.response, "response")
    if response.get("resourceType") != "QuestionnaireResponse":
        raise RenderError("questionnaire response $.resourceType: must be QuestionnaireResponse")
    text = PayerText(MAX_TEXT, MAX_TOTAL_TEXT)
    canonical = text.optional(response.get("questionnaire"), "response $.questionnaire")
    questionnaire = _questionnaire(given, response, canonical)
    nodes = _Nodes(response)
    if questionnaire is not None:
        _check_same(questionnaire, canonical)
        walk = _FromQuestionnaire(nodes, text)
        rows = list(walk.rows(_list(questionnaire.get("item"), "$.item"), "$", 0))
        rows.extend(walk.others())
        title = text.optional(questionnaire.get("title"), "questionnaire $.title")
        url = text.optional(questionnaire.get("url"), "questionnaire $.url")
        version = text.optional(questionnaire.get("version"), "questionnaire $.version")
        publisher = text.optional(questionnaire.get("publisher"), "questionnaire $.publisher")
    else:
        rows = list(_from_response(nodes.top, "response $", 0, nodes, text))
        url, _, version_text = (canonical or "").partition("|")
        title, publisher = None, None
        url, version = url or None, version_text or None
    questions = [r for r in rows if r.kind == "question"]
    authored = response.get("authored")
    counts = {o: sum(r.origin in o for r in questions) for o in _COUNTED}
    return QuestionnaireView(
        title=title,
        url=url,
        version=version,
        publisher=publisher,
        authored=_day(authored),
        completed=response.get("status") == "completed",
        rows=tuple(rows),
        from_record=counts[_COUNTED[0]],
        by_person=counts[_COUNTED[1]],
        unstated=counts[_COUNTED[2]],
        open=counts[_COUNTED[3]],
        open_required=sum(r.origin == "open" and r.required for r in questions),
        answered=_answered_words(counts),
    )


# The origins each count takes in, in the order the summary names them.
_COUNTED: tuple[tuple[str, ...], ...] = (
    ("record",),
    ("changed", "person"),
    ("unstated",),
    ("open",),
)
_COUNT_WORDS = ("from the patient's record", "by a person", "with no source stated")


def _answered_words(counts: dict[tuple[str, ...], int]) -> str:
    """``12 questions answered: 10 from the patient's record, 2 by a person``, or ``6 questions
    answered, all from the patient's record``."""
    parts = [counts[c] for c in _COUNTED[:3]]
    total = sum(parts)
    if not total:
        return "No question is answered yet"
    noun = "question" if total == 1 else "questions"
    said = [(n, words) for n, words in zip(parts, _COUNT_WORDS, strict=True) if n]
    if len(said) == 1:  # one source: "6 questions answered, all from the patient's record"
        return f"{total} {noun} answered, {'all ' if total > 1 else ''}{said[0][1]}"
    return f"{total} {noun} answered: {', '.join(f'{n} {words}' for n, words in said)}"


def _read(source: QuestionnaireSource, what: str) -> dict[str, Any]:
    try:
        data = read_source(source, f"questionnaire {what}")
    except InvalidCaseError as exc:
        raise RenderError(f"questionnaire {what}: " + "; ".join(exc.errors)) from None
    except TypeError:
        raise RenderError(
            f"questionnaire {what}: give a JSON object, JSON text, bytes or a path"
        ) from None
    if not isinstance(data, Mapping):
        raise RenderError(f"questionnaire {what} $: must be a JSON object (a FHIR resource)")
    return dict(data)


def _questionnaire(
    given: PayerQuestionnaire, response: dict[str, Any], canonical: str | None
) -> dict[str, Any] | None:
    """The Questionnaire given, or the one the response contains; ``None`` without either."""
    found: dict[str, Any] | None
    if given.questionnaire is not None:
        found = _read(given.questionnaire, "questionnaire")
    elif canonical is not None and canonical.startswith("#"):
        contained = response.get("contained")
        found = next(
            (
                r
                for r in (contained if isinstance(contained, list) else [])
                if isinstance(r, dict) and r.get("id") == canonical[1:]
            ),
            None,
        )
        if found is None:
            raise RenderError("questionnaire response $.questionnaire: names no contained resource")
    else:
        return None
    if found.get("resourceType") != "Questionnaire":
        raise RenderError("questionnaire $.resourceType: must be Questionnaire")
    return found


def _check_same(questionnaire: dict[str, Any], canonical: str | None) -> None:
    """Refuse a Questionnaire that is not the one the response answers (url and version).

    A Questionnaire without a ``url`` (the DTR guide's own example has none before its
    publisher adds one) is matched by its ``id`` against the canonical's last segment.
    """
    if canonical is None or canonical.startswith("#"):
        return
    url, _, version = canonical.partition("|")
    ours, theirs = questionnaire.get("url"), questionnaire.get("version")
    same = (
        url == ours
        if ours is not None
        else url.endswith(f"/Questionnaire/{questionnaire.get('id')}")
    )
    if not same or (version and theirs is not None and theirs != version):
        raise RenderError(
            "questionnaire: the Questionnaire given is not the one the response answers "
            "(response $.questionnaire names another url or version)"
        )


class _Nodes:
    """The response's items by linkId (answers and nested items), within the bounds."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.top = _list(response.get("item"), "response $.item")
        self.by_link: dict[str, list[tuple[dict[str, Any], str]]] = {}
        self.count = 0
        self._index(self.top, "response $", 0)

    def _index(self, items: list[Any], path: str, depth: int) -> None:
        if items and depth >= MAX_DEPTH:
            raise RenderError(f"questionnaire {path}.item: nested deeper than {MAX_DEPTH} levels")
        for i, node in enumerate(items):
            where = f"{path}.item[{i}]"
            self.count += 1
            if self.count > MAX_ITEMS:
                raise RenderError(f"questionnaire {where}: more than {MAX_ITEMS} items")
            if not isinstance(node, dict) or not isinstance(node.get("linkId"), str):
                raise RenderError(f"questionnaire {where}.linkId: required")
            self.by_link.setdefault(node["linkId"], []).append((node, where))
            answers = _list(node.get("answer"), f"{where}.answer")
            if len(answers) > MAX_ANSWERS:
                raise RenderError(f"questionnaire {where}.answer: more than {MAX_ANSWERS} answers")
            for j, answer in enumerate(answers):
                if not isinstance(answer, dict):
                    raise RenderError(f"questionnaire {where}.answer[{j}]: must be an object")
                self._index(
                    _list(answer.get("item"), f"{where}.answer[{j}].item"),
                    f"{where}.answer[{j}]",
                    depth + 1,
                )
            self._index(_list(node.get("item"), f"{where}.item"), where, depth + 1)

    def answers(self, link_id: str) -> list[tuple[dict[str, Any], str]]:
        """Every answer given to ``link_id`` (in every repetition), with its place."""
        return [
            (a, f"{where}.answer[{j}]")
            for node, where in self.by_link.get(link_id, [])
            for j, a in enumerate(_list(node.get("answer"), ""))
        ]

    def plain(self) -> dict[str, list[object]]:
        """Each linkId's answer values, for reading enableWhen."""
        return {link: [_value(a) for a, _ in self.answers(link)] for link in self.by_link}


class _FromQuestionnaire:
    """The page's rows in the Questionnaire's order, each question with its answers.

    A question that is not asked (its ``enableWhen`` does not hold, or its group's) is left
    out unless the response answers it anyway: an answer given is never hidden. Answers to
    items the Questionnaire does not have follow under their own heading (:meth:`others`).
    """

    def __init__(self, nodes: _Nodes, text: PayerText) -> None:
        self.nodes, self.text, self.count = nodes, text, 0
        self.answers = nodes.plain()
        self.seen: set[str] = set()

    def rows(
        self, items: list[Any], path: str, depth: int, asked: bool = True
    ) -> Iterator[QuestionRow]:
        if items and depth >= MAX_DEPTH:
            raise RenderError(f"questionnaire {path}.item: nested deeper than {MAX_DEPTH} levels")
        for i, item in enumerate(items):
            where = f"{path}.item[{i}]"
            self.count += 1
            if self.count > MAX_ITEMS:
                raise RenderError(f"questionnaire {where}: more than {MAX_ITEMS} items")
            if not isinstance(item, dict) or not isinstance(item.get("linkId"), str):
                raise RenderError(f"questionnaire {where}.linkId: required")
            self.seen.add(item["linkId"])
            enabled = asked and conditions_hold(item, self.answers, where)
            yield from self._item(item, where, depth, enabled)

    def _item(
        self, item: dict[str, Any], where: str, depth: int, asked: bool
    ) -> Iterator[QuestionRow]:
        wording = self.text.optional(item.get("text"), f"questionnaire {where}.text")
        children = list(
            self.rows(_list(item.get("item"), f"{where}.item"), where, depth + 1, asked)
        )
        kind = item.get("type")
        if kind == "group":
            if children:  # a group with nothing left to ask is left out
                yield QuestionRow(kind="heading", depth=depth, text=wording or "Questions")
                yield from children
        elif kind == "display":
            if wording and asked:
                yield QuestionRow(kind="note", depth=depth, text=wording)
        else:
            answers = self.nodes.answers(item["linkId"])
            if answers or asked:
                yield _question(wording, answers, depth, item.get("required") is True, self.text)
            yield from children

    def others(self) -> Iterator[QuestionRow]:
        """Answers to items the Questionnaire does not have, in the response's order."""
        rows = [
            _question(
                self.text.optional(node.get("text"), f"questionnaire {where}.text"),
                [(a, f"{where}.answer[{j}]") for j, a in enumerate(_list(node.get("answer"), ""))],
                1,
                False,
                self.text,
            )
            for link, nodes in self.nodes.by_link.items()
            if link not in self.seen
            for node, where in nodes
            if node.get("answer")
        ]
        if rows:
            yield QuestionRow(kind="heading", depth=0, text=_OTHERS)
            yield from rows


def _from_response(
    items: list[Any], path: str, depth: int, nodes: _Nodes, text: PayerText
) -> Iterator[QuestionRow]:
    for i, node in enumerate(items):
        where = f"{path}.item[{i}]"
        wording = text.optional(node.get("text"), f"questionnaire {where}.text")
        answers = _list(node.get("answer"), "")
        children = _list(node.get("item"), "")
        if not answers and children:
            yield QuestionRow(kind="heading", depth=depth, text=wording or "Questions")
            yield from _from_response(children, where, depth + 1, nodes, text)
            continue
        placed = [(a, f"{where}.answer[{j}]") for j, a in enumerate(answers)]
        yield _question(wording, placed, depth, False, text)
        for j, answer in enumerate(answers):
            nested = _list(answer.get("item"), "")
            yield from _from_response(nested, f"{where}.answer[{j}]", depth + 1, nodes, text)
        yield from _from_response(children, where, depth + 1, nodes, text)


def _question(
    wording: str | None,
    answers: list[tuple[dict[str, Any], str]],
    depth: int,
    required: bool,
    text: PayerText,
) -> QuestionRow:
    words = tuple(answer_words(a, where, text) for a, where in answers)
    origins = [_origin(a) for a, _ in answers]
    origin = max(origins, key=_RANK.index) if origins else "open"
    return QuestionRow(
        kind="question",
        depth=depth,
        text=wording or "(The payer gave this question no wording.)",
        answers=words,
        origin=origin,
        required=required,
    )


def _origin(answer: dict[str, Any]) -> str:
    """Who gave ``answer`` (DTR information-origin), in the page's terms."""
    for ext in _list(answer.get("extension"), ""):
        if isinstance(ext, dict) and ext.get("url") == _ORIGIN:
            for part in _list(ext.get("extension"), ""):
                if isinstance(part, dict) and part.get("url") == "source":
                    return _ORIGINS.get(str(part.get("valueCode")), "unstated")
    return "unstated"


def _value(answer: dict[str, Any]) -> object:
    return next((v for k, v in answer.items() if k.startswith("value")), None)


def _day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    found = fhir_date(value[:10])
    return found if isinstance(found, date) else None


def _list(raw: object, path: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise RenderError(f"questionnaire {path}: must be an array")
    return raw

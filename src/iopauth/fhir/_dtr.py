"""DTR: a payer's Questionnaire answered from the case, as a QuestionnaireResponse.

Answers come from two places, in this order: the ``[[items]]`` of a questionnaire mapping the
user wrote for that payer's Questionnaire (``_dtr_mapping``), then the item codes iopauth knows
by itself — the LOINC codes of the measures it scores (totals and items, measures.md §2) and an
ICD-10-CM answer value set (the primary diagnosis). Every answer iopauth fills carries DTR's
``information-origin`` extension with ``source = auto-client`` (DTR's DTRInformationOriginCodes;
an automatic answer carries no author, invariant dtrx-1). Whatever iopauth cannot answer is left
for a person and listed with the reason. Expressions (CQL ``cqf-expression``, SDC FHIRPath
population) are never run: items carrying one are listed in ``not_run`` (docs/fhir.md).

No clock is read: ``authored`` is the caller's. The schedule's hours have no code in the domain
files, so they are answered only through a mapping (``derived = "hours_per_week"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from ..errors import FhirError
from ..forms._derived import DERIVED
from ..measures import LOINC, score
from ..model import Case, Instrument
from ._bundle import read_json
from ._dtr_enable import enabled_items
from ._dtr_items import Item, read_items, walk
from ._dtr_mapping import ItemEntry, QuestionnaireMapping

if TYPE_CHECKING:
    from ..criteria import Determination

__all__ = ["AnsweredQuestionnaire", "Unanswered", "answer_questionnaire"]

_DTR = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/"
_ORIGIN = _DTR + "information-origin"
_CRD_CODES = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/coverage-information-codes"
_LOINC = "http://loinc.org"
_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# Item types iopauth fills; others (attachment, reference, quantity, time, url) wait for a person.
_FILLABLE = frozenset(
    {"boolean", "decimal", "integer", "date", "dateTime", "string", "text", "choice", "open-choice"}
)


@frozen
class Unanswered:
    """An enabled item left for a person: its linkId, place, whether it is required, and why."""

    link_id: str
    path: str
    required: bool
    reason: str


@frozen
class AnsweredQuestionnaire:
    """The QuestionnaireResponse and what was and was not answered from the case.

    ``response`` is the DTR QuestionnaireResponse JSON (status ``completed`` when every enabled
    required item is answered, else ``in-progress``). ``answered`` lists the linkIds filled from
    the case; ``unanswered`` the enabled items left for a person; ``not_run`` the items whose
    population expression iopauth did not run (CQL is out of scope).
    """

    response: dict[str, Any] = field(repr=False)
    answered: tuple[str, ...]
    unanswered: tuple[Unanswered, ...]
    not_run: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when no enabled required item is left unanswered."""
        return not any(u.required for u in self.unanswered)


def answer_questionnaire(
    questionnaire: object,
    case: Case,
    mapping: QuestionnaireMapping | None = None,
    *,
    authored: date | datetime,
    determination: Determination | None = None,
) -> AnsweredQuestionnaire:
    """Answer ``questionnaire`` (JSON, a mapping or a path) from ``case``.

    ``mapping`` must be for this Questionnaire (its ``url``); every ``link_id`` it names must be
    an item of it. ``determination`` is needed only when the mapping answers from a criterion;
    it is computed with the case's defaults when such an entry exists and none is given. A
    measure answers an item only when it was given on or before ``authored`` (and the request
    date): a response never carries a score from after the day it is dated.
    Raises :class:`FhirError` for a Questionnaire that breaks its rules or the bounds
    (``_dtr_items``), or an enableWhen cycle; never with the payer's text.
    """
    data = read_json(questionnaire, "questionnaire")
    items = read_items(data)
    by_link = {item.link_id: item for item in walk(items)}
    if mapping is not None:
        _check_mapping(mapping, data, by_link)
        if determination is None and any(e.needs_determination for e in mapping.entries.values()):
            from ..criteria import default_criteria, default_review, evaluate

            determination = evaluate(case, default_criteria(case), default_review(case))
    # a measure answers only when it was given on or before the response's date (and the request)
    day = authored.date() if isinstance(authored, datetime) else authored
    as_of = min(day, case.request.request_date)
    answers: dict[str, list[object]] = {}
    reasons: dict[str, str] = {}
    for item in walk(items):
        if item.type in ("group", "display"):
            continue
        entry = mapping.entries.get(item.link_id) if mapping is not None else None
        found, reason = _answer(item, case, entry, determination, as_of)
        if found:
            answers[item.link_id] = found
        else:
            reasons[item.link_id] = reason
    enabled = enabled_items(items, by_link, answers)
    unanswered = tuple(
        Unanswered(item.link_id, item.path, item.required, reasons[item.link_id])
        for item in walk(items)
        if enabled[item.link_id] and item.link_id in reasons
    )
    answered = tuple(i.link_id for i in walk(items) if enabled[i.link_id] and i.link_id in answers)
    not_run = tuple(i.link_id for i in walk(items) if i.has_expression)
    response = _response(
        data, items, answers, enabled, authored, complete=not any(u.required for u in unanswered)
    )
    return AnsweredQuestionnaire(response, answered, unanswered, not_run)


def _check_mapping(
    mapping: QuestionnaireMapping, data: dict[str, Any], by_link: Mapping[str, Item]
) -> None:
    errors = []
    if data.get("url") != mapping.url:
        errors.append("mapping: is for another Questionnaire (questionnaire.url differs)")
    if mapping.version is not None and data.get("version") != mapping.version:
        errors.append("mapping: is for another version of the Questionnaire")
    for link_id, entry in mapping.entries.items():
        item = by_link.get(link_id)
        if item is None:
            errors.append(f"mapping {entry.where}.link_id: names no item of the Questionnaire")
        elif item.type in ("group", "display"):
            errors.append(
                f"mapping {entry.where}.link_id: names a {item.type} item, which takes no answer"
            )
    if errors:
        raise FhirError(errors)


def _answer(  # noqa: PLR0911 -- one return per way an item stays unanswered
    item: Item,
    case: Case,
    entry: ItemEntry | None,
    determination: Determination | None,
    as_of: date,
) -> tuple[list[object], str]:
    if item.type not in _FILLABLE:
        return [], "an item of this type is answered by a person"
    if entry is not None:
        value = _entry_value(entry, case, determination)
        if value is None:
            return [], "the case does not record the value the mapping names"
    else:
        values = _known(item, case, as_of)
        if values is None:
            return [], "no mapping entry and no code iopauth knows"
        if not values:
            return [], "the case records none on or before the response's date"
        if not item.repeats:
            values = values[:1]
        answers = [a for a in (_typed(item, v) for v in values) if a is not None]
        return (answers, "") if answers else ([], "the case's value does not fit the item")
    typed = _typed(item, value)
    if typed is None:
        return [], "the case's value does not fit the item's type or answer options"
    return [typed], ""


def _entry_value(entry: ItemEntry, case: Case, determination: Determination | None) -> object:
    if entry.path is not None:
        value: object = entry.path.resolve(case)
    elif entry.derived is not None:
        value = DERIVED[entry.derived].compute(case, determination)
    elif entry.criterion is not None:
        finding = determination.by_criterion().get(entry.criterion) if determination else None
        value = finding.status if finding is not None else None
    else:
        value = entry.text
    if isinstance(value, Enum):
        value = value.value
    if entry.choices is not None and value is not None:
        key = str(value).lower() if isinstance(value, bool) else str(value)
        return entry.choices.get(key)
    return value


def _known(item: Item, case: Case, as_of: date) -> list[object] | None:
    """Values for an item whose code iopauth knows; ``None`` when it knows none of them."""
    for system, code in item.codes:
        if system == _LOINC and code in _MEASURE_CODES:
            instrument, index = _MEASURE_CODES[code]
            value = _latest(case, instrument, index, as_of)
            return [] if value is None else [value]
    value_set = (item.value_set or "").lower().replace("-", "").replace("_", "")
    if "icd10cm" in value_set or any(system == _ICD10CM for system, _ in item.codes):
        ordered = sorted(case.diagnoses, key=lambda d: not d.primary)
        return [
            {
                "system": _ICD10CM,
                "code": d.code,
                **({"display": d.description} if d.description else {}),
            }
            for d in ordered
        ]
    return None


_RISK_LEVEL = -1  # the C-SSRS suicide-risk-level observation rather than an item


def _measure_codes() -> dict[str, tuple[Instrument, int | None]]:
    codes: dict[str, tuple[Instrument, int | None]] = {}
    for instrument, known in LOINC.items():
        if known.total is not None:
            codes[known.total.code] = (instrument, None)
        for i, item_code in enumerate(known.items):
            codes.setdefault(item_code.code, (instrument, i))
        if known.risk_level is not None:
            codes[known.risk_level.code] = (instrument, _RISK_LEVEL)
    return codes


_MEASURE_CODES = _measure_codes()


def _latest(case: Case, instrument: Instrument, index: int | None, as_of: date) -> int | str | None:
    """The latest administration's total, item answer or risk level on or before ``as_of``."""
    given = [m for m in case.measures if m.instrument is instrument and m.administered_on <= as_of]
    if not given:
        return None
    latest = max(given, key=lambda m: m.administered_on)
    if index == _RISK_LEVEL:
        level = score(latest, sex=case.patient.sex).risk_level
        return None if level is None else level.value
    if index is not None:
        return (
            latest.items[index] if latest.items is not None and index < len(latest.items) else None
        )
    return latest.total if latest.total is not None else score(latest, sex=case.patient.sex).total


def _typed(item: Item, value: object) -> object | None:  # noqa: PLR0911 -- one return per type
    """``value`` as an answer's ``value[x]`` for the item's type; ``None`` when it does not fit."""
    kind = item.type
    if kind == "boolean":
        return {"valueBoolean": value} if isinstance(value, bool) else None
    if isinstance(value, bool):
        return None  # a yes/no answers only a boolean item (or a choice through a mapping)
    if kind == "integer":
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        return {"valueInteger": int(value)} if whole else None  # type: ignore[call-overload]
    if kind == "decimal":
        return {"valueDecimal": value} if isinstance(value, int | float) else None
    if kind in ("date", "dateTime"):
        key = "valueDate" if kind == "date" else "valueDateTime"
        return {key: value.isoformat()} if isinstance(value, date) else None
    if kind in ("string", "text"):
        return {"valueString": value} if isinstance(value, str) else None
    option = _option(item, value)
    if option is not None:
        return option
    if kind == "choice" and not item.options and isinstance(value, dict):
        return {"valueCoding": value}  # an answerValueSet: the coding itself
    if kind == "open-choice" and isinstance(value, str | int | float):
        return {"valueString": str(value)}
    return None


def _option(item: Item, value: object) -> dict[str, Any] | None:
    for option in item.options:
        if isinstance(option, dict):
            code = value.get("code") if isinstance(value, dict) else value
            if option.get("code") == code and code is not None:
                return {"valueCoding": option}
        elif option == value and type(option) is type(value):
            key = {str: "valueString", int: "valueInteger"}.get(type(value), "valueString")
            return {key: value}
    return None


def _response(
    data: dict[str, Any],
    items: tuple[Item, ...],
    answers: Mapping[str, list[object]],
    enabled: Mapping[str, bool],
    authored: date | datetime,
    *,
    complete: bool,
) -> dict[str, Any]:
    canonical = str(data.get("url") or "")
    if isinstance(data.get("version"), str):
        canonical += "|" + data["version"]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "questionnaire-response",
        "meta": {"profile": [_DTR + "dtr-questionnaireresponse"]},
        "extension": [
            {"url": _DTR + "qr-coverage", "valueReference": {"reference": "Coverage/coverage"}},
            {
                "url": _DTR + "qr-context",
                "valueReference": {"reference": "ServiceRequest/service-request"},
            },
            {
                "url": _DTR + "intendedUse",
                "valueCodeableConcept": {"coding": [{"system": _CRD_CODES, "code": "withpa"}]},
            },
        ],
        "questionnaire": canonical,
        "status": "completed" if complete else "in-progress",
        "subject": {"reference": "Patient/patient"},
        "authored": authored.isoformat(),
        "item": _response_items(items, answers, enabled),
    }


def _response_items(
    items: tuple[Item, ...], answers: Mapping[str, list[object]], enabled: Mapping[str, bool]
) -> list[dict[str, Any]]:
    out = []
    for item in items:
        if not enabled[item.link_id]:
            continue
        node: dict[str, Any] = {"linkId": item.link_id}
        if item.text is not None:
            node["text"] = item.text
        found = answers.get(item.link_id)
        if found:
            node["answer"] = [{**a, "extension": [_auto()]} for a in found]  # type: ignore[dict-item]
        children = _response_items(item.children, answers, enabled)
        if children:
            node["item"] = children
        if found or children:
            out.append(node)
    return out


def _auto() -> dict[str, Any]:
    return {"url": _ORIGIN, "extension": [{"url": "source", "valueCode": "auto-client"}]}

"""What an update or a cancel says changed: the PASClaimUpdate marks (Claim-update.fsh:231-251).

A PAS update (HL7/davinci-pas ``input/fsh/Claim-update.fsh``) is a PASClaimUpdate whose
``related`` names the prior Claim; each item and ``supportingInfo`` entry that is new carries
``infoChanged`` ``added``, one that differs ``changed``, and one no longer asked for ``changed``
with the modifier ``infoCancelled`` true (the IG's HomecareAuthorizationUpdateExample,
Examples.fsh:413-438). The payer matches an update's entries to the prior Claim's by
``sequence``, so an entry the prior Claim had keeps its number and a new one gets the next
free number: answering the payer's questionnaire after the request adds an
``additionalInformation`` entry and leaves the numbers of the rest as they were.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import FhirError
from . import _systems as cs
from . import _write as w
from ._pas_codes import CANCEL

__all__ = [
    "cancel",
    "item_changes",
    "original_claim",
    "resources_by_reference",
    "sent_elements",
    "supporting_changes",
    "update_claim",
]

_INFO_CHANGED = cs.PAS + "extension-infoChanged"
_INFO_CANCELLED = cs.PAS + "modifierextension-infoCancelled"
_CERTIFICATION = cs.PAS + "extension-certificationType"

#: The resources of a Bundle by ``Type/id``: what a reference inside a Claim names.
Resources = Mapping[str, Mapping[str, Any]]


def original_claim(original: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The original request's Claim and its other entries (the Claim must be first)."""
    entries = original.get("entry")
    if not isinstance(entries, list) or not entries:
        raise FhirError("original: must be the PAS request Bundle you sent (it has no entries)")
    first = entries[0].get("resource") if isinstance(entries[0], dict) else None
    if not isinstance(first, dict) or first.get("resourceType") != "Claim":
        raise FhirError("original.entry[0].resource: must be the request's Claim (ClaimFirst)")
    if not first.get("id"):
        raise FhirError("original.entry[0].resource.id: required to refer to the prior Claim")
    return copy.deepcopy(first), copy.deepcopy(entries[1:])


def resources_by_reference(entries: list[Any]) -> dict[str, dict[str, Any]]:
    """``Type/id`` → resource for every entry of a Bundle that holds one."""
    out: dict[str, dict[str, Any]] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") and resource.get("id"):
            out[f"{resource['resourceType']}/{resource['id']}"] = resource
    return out


def update_claim(original: dict[str, Any], new: dict[str, Any], when: str) -> dict[str, Any]:
    """``new`` as a PASClaimUpdate of ``original``: related prior, new identifier, created."""
    out = copy.deepcopy(new)
    out["id"] = f"{original['id']}-update"
    out["meta"] = {"profile": [cs.PAS_CLAIM_UPDATE]}
    ident = dict((original.get("identifier") or [{}])[0])
    digits = "".join(ch for ch in when if ch.isdigit())[:14]
    ident["value"] = f"{ident.get('value', original['id'])}-update-{digits}"
    out["identifier"] = [ident]
    out["created"] = when
    out["related"] = [
        {
            "claim": w.ref("Claim", original["id"]),
            "relationship": w.coding(cs.RELATED_CLAIM, "prior"),
        }
    ]
    return out


def _mark(element: dict[str, Any], change: str) -> None:
    rest = [e for e in element.get("extension", []) if e.get("url") != _INFO_CHANGED]
    element["extension"] = [{"url": _INFO_CHANGED, "valueCode": change}, *rest]


def cancel(element: dict[str, Any]) -> None:
    """Mark an item or supportingInfo entry cancelled (Examples.fsh:430-438)."""
    _mark(element, "changed")
    for ext in element["extension"]:
        if ext.get("url") == _CERTIFICATION:
            ext["valueCodeableConcept"] = w.coding(cs.X12_CERTIFICATION_TYPE, CANCEL)
    element["modifierExtension"] = [{"url": _INFO_CANCELLED, "valueBoolean": True}]


def sent_elements(claim: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The sent Claim's ``item`` or ``supportingInfo`` list, each entry checked for what an
    update reads of it (an object, a positive integer ``sequence``, extensions as objects).

    Raises :class:`FhirError` naming the place: the sent Bundle is a file the caller gives.
    """
    raw = claim.get(key, [])
    where = f"original.entry[0].resource.{key}"
    if not isinstance(raw, list):
        raise FhirError(f"{where}: must be a list")
    errors = []
    for i, element in enumerate(raw):
        if not isinstance(element, dict):
            errors.append(f"{where}[{i}]: must be an object")
            continue
        number = element.get("sequence")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            errors.append(f"{where}[{i}].sequence: must be a positive integer")
        for name in ("extension", "modifierExtension"):
            listed = element.get(name, [])
            if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
                errors.append(f"{where}[{i}].{name}: must be a list of objects")
    if errors:
        raise FhirError(errors)
    return raw


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node["reference"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _differs(old: Any, new: dict[str, Any], before: Resources, after: Resources) -> bool:
    """The element differs, or a resource it refers to does (a QuestionnaireResponse answered
    again under the same id, a ServiceRequest now carrying the payer's coverage assertion)."""
    if old != new:
        return True
    return any(before.get(ref) != after.get(ref) for ref in _references(new))


def item_changes(
    old: list[Any], new: list[dict[str, Any]], before: Resources, after: Resources
) -> list[dict[str, Any]]:
    """Mark each item of ``new`` added or changed against ``old`` (by sequence, the item's
    number in the request); cancel an item the case no longer has."""
    prior = {e.get("sequence"): e for e in old if isinstance(e, dict)}
    out = []
    for element in new:
        was = prior.pop(element.get("sequence"), None)
        if was is None:
            _mark(element, "added")
        elif _differs(was, element, before, after):
            _mark(element, "changed")
        out.append(element)
    for dropped in prior.values():
        gone = copy.deepcopy(dropped)
        cancel(gone)
        out.append(gone)
    return out


def _keys(elements: list[Any]) -> list[tuple[str, ...]]:
    """What names a supportingInfo entry across submissions: its category and what it refers
    to, or its category and its place among that category's entries without a reference."""
    counts: dict[str, int] = {}
    out: list[tuple[str, ...]] = []
    for element in elements:
        node = element if isinstance(element, dict) else {}
        concept = node.get("category")
        codings = concept.get("coding") if isinstance(concept, dict) else None
        codes = [c.get("code") for c in codings or [] if isinstance(c, dict)]
        category = json.dumps(codes, sort_keys=True, default=str)
        value = node.get("valueReference")
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            out.append((category, "ref", value["reference"]))
        else:
            counts[category] = counts.get(category, 0) + 1
            out.append((category, "nth", str(counts[category])))
    return out


def supporting_changes(
    old: list[Any], claim: dict[str, Any], before: Resources, after: Resources
) -> None:
    """Renumber and mark the updated ``claim``'s supportingInfo against the prior ``old``.

    An entry the prior Claim had keeps its sequence (``changed`` when it or what it refers to
    differs); a new one gets the next free number (``added``); one the case no longer has is
    cancelled under its old number. Each item's ``informationSequence`` follows the renumbering.
    """
    new = claim.get("supportingInfo", [])
    prior = {key: e for key, e in zip(_keys(old), old, strict=True) if isinstance(e, dict)}
    free = max([0, *(e.get("sequence", 0) for e in prior.values())]) + 1
    renumber: dict[Any, int] = {}
    out: list[dict[str, Any]] = []
    for key, element in zip(_keys(new), new, strict=True):
        was = prior.pop(key, None)
        if was is None:
            number, change = free, "added"
            free += 1
        else:
            number = was.get("sequence", 0)
            plain = {k: v for k, v in element.items() if k != "sequence"}
            change = (
                "changed"
                if _differs({k: v for k, v in was.items() if k != "sequence"}, plain, before, after)
                else ""
            )
        renumber[element.get("sequence")] = number
        element["sequence"] = number
        if change:
            _mark(element, change)
        out.append(element)
    for dropped in prior.values():
        gone = copy.deepcopy(dropped)
        cancel(gone)
        out.append(gone)
    claim["supportingInfo"] = sorted(out, key=lambda e: int(e.get("sequence", 0)))
    for item in claim.get("item", []):
        if "informationSequence" in item:
            item["informationSequence"] = sorted(
                renumber.get(n, n) for n in item["informationSequence"]
            )

"""The PAS request-Bundle rules of interop.md §2, as code (fhir.resources checks structure only).

Each problem is ``"<path>: <rule>"``; the checks read the JSON, so they work on any Bundle,
ours or a partner's.
"""

from __future__ import annotations

from typing import Any

from . import _systems as cs
from ._bundle import Index, code_in, codings, items, obj, text

__all__ = ["pas_problems"]

_SERVICE_SYSTEMS = frozenset({cs.HCPCS, cs.CPT})
_REVENUE_SYSTEMS = frozenset({cs.REVENUE, cs.REVENUE_OLD})


def pas_problems(bundle: dict[str, Any]) -> list[str]:
    """Every PAS 2.2.1 request-Bundle rule the Bundle breaks (empty when it keeps them all)."""
    if bundle.get("resourceType") != "Bundle":
        return ["$.resourceType: must be Bundle"]
    out = _bundle_rules(bundle)
    index = Index(bundle)
    claims = index.of_type("Claim")
    if len(claims) != 1:
        out.append(f"$.entry: must hold exactly one Claim (holds {len(claims)})")
    else:
        out += _claim_rules(index, claims[0].resource, claims[0].path)
        for i, item in enumerate(items(claims[0].resource, "item")):
            out += _item_rules(item, f"{claims[0].path}.item[{i}]")
    for rtype in ("Patient", "Coverage"):
        if not index.of_type(rtype):
            out.append(f"$.entry: must hold the {rtype}")
    out += [e for e in index.errors if e not in out]
    return out


def _bundle_rules(bundle: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if bundle.get("type") != "collection":
        out.append("$.type: must be collection")
    if not text(obj(bundle, "identifier"), "value"):
        out.append("$.identifier: required: the submitter's transaction identifier (BHT03)")
    if not text(bundle, "timestamp"):
        out.append("$.timestamp: required")
    for i, entry in enumerate(items(bundle, "entry")):
        if not text(entry, "fullUrl"):
            out.append(f"$.entry[{i}].fullUrl: required in a PAS request Bundle")
        for banned in ("search", "request", "response"):
            if isinstance(entry, dict) and banned in entry:
                out.append(f"$.entry[{i}].{banned}: not allowed in a PAS request Bundle")
    return out


def _claim_rules(index: Index, c: dict[str, Any], at: str) -> list[str]:
    out: list[str] = []
    if c.get("use") != "preauthorization":
        out.append(f"{at}.use: must be preauthorization")
    if c.get("status") != "active":
        out.append(f"{at}.status: must be active")
    if not 1 <= len(items(c, "identifier")) <= 2:
        out.append(f"{at}.identifier: required: one business identifier")
    if "related" in c:
        out.append(f"{at}.related: not allowed in a PAS Claim")
    out += _party_rules(index, c, at)
    insurance = [x for x in items(c, "insurance") if isinstance(x, dict)]
    if not insurance:
        out.append(f"{at}.insurance: required: the focal Coverage")
    for i, ins in enumerate(insurance):
        if ins.get("focal") is not True:
            out.append(f"{at}.insurance[{i}].focal: must be true")
        if ins.get("coverage") is None:
            out.append(f"{at}.insurance[{i}].coverage: required")
        else:
            index.resolve(ins.get("coverage"), f"{at}.insurance[{i}].coverage", "Coverage")
    for i, dx in enumerate(items(c, "diagnosis")):
        if code_in(obj(dx, "diagnosisCodeableConcept"), cs.ICD10CM) is None:
            out.append(f"{at}.diagnosis[{i}].diagnosisCodeableConcept: must be ICD-10-CM coded")
    if not items(c, "item"):
        out.append(f"{at}.item: required: at least one requested service")
    return out


def _party_rules(index: Index, c: dict[str, Any], at: str) -> list[str]:
    out: list[str] = []
    for name, types in (
        ("patient", ("Patient",)),
        ("insurer", ("Organization",)),
        ("provider", ("Organization", "PractitionerRole")),
    ):
        if c.get(name) is None:
            out.append(f"{at}.{name}: required")
        else:
            index.resolve(c.get(name), f"{at}.{name}", *types)
    return out


def _item_rules(item: object, where: str) -> list[str]:
    out: list[str] = []
    service = codings(obj(item, "productOrService"))
    if not any(text(x, "system") in _SERVICE_SYSTEMS for x in service):
        out.append(f"{where}.productOrService: must be a CPT or HCPCS code")
    revenue = obj(item, "revenue")
    if revenue and not any(text(x, "system") in _REVENUE_SYSTEMS for x in codings(revenue)):
        out.append(f"{where}.revenue: must be a NUBC revenue code")
    if not (obj(item, "servicedPeriod") or text(item, "servicedDate")):
        out.append(f"{where}.serviced[x]: required: the date or period requested")
    for j, ext in enumerate(items(item, "extension")):
        if obj({"e": ext}, "e").get("url") == cs.PAS + "extension-certificationType":
            concept = obj(ext, "valueCodeableConcept")
            if code_in(concept, cs.X12_CERTIFICATION_TYPE) is None:
                out.append(f"{where}.extension[{j}]: certificationType must be an X12 UM02 code")
    return out

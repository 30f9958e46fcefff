"""``pas_problems``: a PAS request Bundle checked against the IG's profile rules, as data.

The rules are ``data/pas-profiles.json`` (the PAS 2.2.1 FSH and the US Core 7.0.0 differentials,
each with its source line); :mod:`._profile_check` applies them. This module starts from the
Bundle profile, follows every profiled element and Reference to the resource it names, and
checks that resource against the profile the rule asks for. Each problem is
``"<JSON path>: <rule> (<profile>, <source>)"``, never a value from the Bundle.

How the cases the IG's own examples raise are treated (tests/data/pas-ig/PROVENANCE.md):

- A resource is checked against the profile the *referring rule* names, whatever its own
  ``meta.profile`` says: the examples point ``Claim.patient`` (only Reference(PASBeneficiary),
  Claim.fsh:29) at a Patient declaring PASSubscriber (Examples.fsh:669). What matters is that the
  Patient keeps PASBeneficiary's rules, and it does; a declared PAS profile is a claim the
  resource must keep as well, so it is checked too (:meth:`_Bundle.declared`), never instead.
- Every reference is resolved (``fullUrl``, ``Type/id`` or the last two parts of a fullUrl) and
  its target's type checked. A reference *from the Claim* must resolve inside the Bundle: the
  request is the self-contained collection the payer translates to X12 278, carrying the
  resources the Claim names (interop.md §2). A reference from another resource may point outside
  it: FHIR R4 resolves a reference not found in a Bundle elsewhere
  (https://hl7.org/fhir/R4/bundle.html#references), and the IG's SurgicalRequestBundleExample
  does so (Examples.fsh:847-848). Its ``Type/`` is still checked against the allowed targets.
- UCUM in a PASQuantity (Examples.fsh:700) passes: X12 value sets are licensed and unpublished,
  so a binding to one is checked by code system only, and the systems the IG's examples use
  under it are accepted (:func:`~._profile_rules.binding_systems`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._profile_check import Node, Problems, check
from ._profile_rules import Profile, extension_by_url, profile, profile_by_url

__all__ = ["pas_problems"]

_PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
_INQUIRY_BUNDLE = (
    "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-pas-inquiry-request-bundle"
)
_MAX_DEPTH = 64

# Base FHIR R4 (4.0.1) minimums of the resources a request hangs on. The profile data leaves the
# base specification out (data/README.md); these are its 1..1 and 1..* elements, from
# https://hl7.org/fhir/R4/claim.html, coverage.html and bundle.html.
_R4 = "FHIR R4 4.0.1"
_BASE: dict[str, list[tuple[str, str]]] = {
    "Claim": [
        ("Claim.status", "claim.html"),
        ("Claim.type", "claim.html"),
        ("Claim.use", "claim.html"),
        ("Claim.patient", "claim.html"),
        ("Claim.created", "claim.html"),
        ("Claim.provider", "claim.html"),
        ("Claim.priority", "claim.html"),
        ("Claim.insurance", "claim.html"),
        ("Claim.careTeam.sequence", "claim.html"),
        ("Claim.careTeam.provider", "claim.html"),
        ("Claim.supportingInfo.sequence", "claim.html"),
        ("Claim.supportingInfo.category", "claim.html"),
        ("Claim.diagnosis.sequence", "claim.html"),
        ("Claim.diagnosis.diagnosis[x]", "claim.html"),
        ("Claim.insurance.sequence", "claim.html"),
        ("Claim.insurance.focal", "claim.html"),
        ("Claim.insurance.coverage", "claim.html"),
        ("Claim.item.sequence", "claim.html"),
        ("Claim.item.productOrService", "claim.html"),
    ],
    "Coverage": [
        ("Coverage.status", "coverage.html"),
        ("Coverage.beneficiary", "coverage.html"),
        ("Coverage.payor", "coverage.html"),
    ],
    "Bundle": [("Bundle.type", "bundle.html")],
}


def _base(rtype: str) -> Profile:
    rules = [{"path": p, "min": 1, "source": f"{_R4} {page}"} for p, page in _BASE[rtype]]
    return Profile(f"FHIR R4 {rtype}", {"type": rtype}, rules)


class _Bundle:
    """The Bundle's entries by key, and the target checks already done."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []
        self._by_key: dict[str, tuple[str, dict[str, Any]]] = {}
        raw = bundle.get("entry")
        for i, entry in enumerate(raw if isinstance(raw, list) else []):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                continue
            item = (f"$.entry[{i}].resource", resource)
            self.entries.append(item)
            rid, rtype = resource.get("id"), resource["resourceType"]
            if isinstance(rid, str):
                self._by_key.setdefault(f"{rtype}/{rid}", item)
            full = entry.get("fullUrl")
            if isinstance(full, str) and full:
                self._by_key.setdefault(full, item)
                if "/" in full and not full.startswith("urn:"):
                    self._by_key.setdefault("/".join(full.rstrip("/").split("/")[-2:]), item)
        self._done: dict[tuple[int, str], Problems] = {}

    def find(self, target: str) -> tuple[str, dict[str, Any]] | None:
        return self._by_key.get(target)

    def declared(self, resource: dict[str, Any], path: str) -> Problems:
        """The resource against the PAS profiles its ``meta.profile`` declares.

        A declaration is a claim the resource must keep; the profile a referring rule names is
        checked besides (so a Patient declaring PASSubscriber where PASBeneficiary is asked keeps
        both). Profiles outside PAS (US Core alone, others) are not checked here.
        """
        meta = resource.get("meta")
        declared = meta.get("profile") if isinstance(meta, dict) else None
        out: Problems = []
        for url in declared if isinstance(declared, list) else []:
            prof = profile_by_url(url) if isinstance(url, str) and url.startswith(_PAS) else None
            if prof is None or prof.type not in (resource.get("resourceType"), "Resource"):
                continue
            key = (id(resource), prof.name)
            if key not in self._done:
                self._done[key] = []
                self._done[key] = check(prof, Node(resource, path), self.references)
            out += self._done[key]
        return out

    def references(self, node: Node, targets: list[dict[str, Any]], where: str) -> Problems:
        """A Reference element against a rule's allowed targets (type, then target profile)."""
        if not isinstance(node.value, dict):
            return [f"{node.path}: must be a Reference ({where})"]
        target = node.value.get("reference")
        if not isinstance(target, str) or target.startswith("#"):
            return []  # identifier-only, display-only or contained: nothing in the Bundle to follow
        known = [_target_type(t) for t in targets]
        if None in known:  # a US Core target whose resource type the data does not name
            return []
        kinds = list(dict.fromkeys(k for k in known if k is not None))
        found = self.find(target)
        if found is None:
            head = target.split("/")[-2] if target.count("/") >= 1 else None
            if head is not None and head[:1].isupper() and head not in kinds:
                return [f"{node.path}.reference: must refer to {_kinds(kinds)} ({where})"]
            return []  # unresolved: judged by where it comes from (see _unresolved)
        return self._resolved(node, found, targets, kinds, where)

    def _resolved(
        self,
        node: Node,
        found: tuple[str, dict[str, Any]],
        targets: list[dict[str, Any]],
        kinds: list[str],
        where: str,
    ) -> Problems:
        """A resolved reference: its target's type, then its target against the profile."""
        path, resource = found
        rtype = resource["resourceType"]
        if rtype not in kinds:
            return [
                f"{node.path}.reference: must refer to {_kinds(kinds)}, "
                f"not {_kinds([rtype])} ({where})"
            ]
        profiles = [
            p
            for t in targets
            if _target_type(t) == rtype and (p := profile_by_url(t.get("profile") or ""))
        ]
        if not profiles:
            return []
        key = (id(resource), "|".join(p.name for p in profiles))
        if key not in self._done:
            self._done[key] = []  # a reference cycle stops here
            results = [check(p, Node(resource, path), self.references) for p in profiles]
            self._done[key] = [] if not all(results) else min(results, key=len)
        return self._done[key]


def _kinds(kinds: list[str]) -> str:
    return " or ".join(("an " if k[:1] in "AEIOU" else "a ") + k for k in kinds)


def _target_type(target: dict[str, Any]) -> str | None:
    """The resource type a Reference target allows: named by the data, a base FHIR
    StructureDefinition's name, or the type of a profile the data holds."""
    if isinstance(target.get("resource_type"), str):
        return str(target["resource_type"])
    url = str(target.get("profile") or "")
    if url.startswith("http://hl7.org/fhir/StructureDefinition/"):
        return url.rsplit("/", 1)[-1]
    known = profile_by_url(url)
    return known.type if known is not None else None


def pas_problems(bundle: dict[str, Any]) -> list[str]:
    """Every PAS 2.2.1 profile rule the request Bundle breaks (empty when it keeps them all).

    A ``$submit`` Bundle is checked against PASRequestBundle, one declaring the inquiry
    profile against PASInquiryRequestBundle; each resource against the profile the rule that
    refers to it names, and every IG extension against its definition.
    """
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return ["$.resourceType: must be Bundle"]
    meta = bundle.get("meta")
    declared = meta.get("profile") if isinstance(meta, dict) else None
    inquiry = isinstance(declared, list) and _INQUIRY_BUNDLE in declared
    index = _Bundle(bundle)
    root = Node(bundle, "$")
    out = check(
        profile("PASInquiryRequestBundle" if inquiry else "PASRequestBundle"),
        root,
        index.references,
    )
    out += check(_base("Bundle"), root, index.references)
    for path, resource in index.entries:
        rtype = resource["resourceType"]
        if rtype in _BASE:
            out += check(_base(rtype), Node(resource, path), index.references)
        for ext_path, ext in _extensions(resource, path, 0):
            definition = extension_by_url(ext["url"])
            if definition is not None:
                out += check(definition, Node(ext, ext_path), index.references)
        if rtype == "Claim":
            out += _unresolved(index, resource, path)
        out += index.declared(resource, path)
    return list(dict.fromkeys(out))


def _unresolved(index: _Bundle, claim: dict[str, Any], path: str) -> Problems:
    """The Claim's references that name no entry (interop.md §2: the Bundle carries them)."""
    return [
        f"{where}: refers to no entry in the Bundle (the request carries what the Claim refers "
        "to: interop.md §2)"
        for where, target in _references(claim, path, 0)
        if not target.startswith("#") and index.find(target) is None
    ]


def _references(node: object, path: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield f"{path}.reference", value
            elif isinstance(value, dict | list) and key != "contained":
                yield from _references(value, f"{path}.{key}", depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _references(value, f"{path}[{i}]", depth + 1)


def _extensions(node: object, path: str, depth: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every extension object below ``node`` (nested ones are checked by their parent's rules
    too; the IG's definitions are checked wherever the extension appears)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("extension", "modifierExtension") and isinstance(value, list):
                for i, ext in enumerate(value):
                    if isinstance(ext, dict) and isinstance(ext.get("url"), str):
                        yield f"{path}.{key}[{i}]", ext
            if isinstance(value, dict | list) and key != "contained":
                yield from _extensions(value, f"{path}.{key}", depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _extensions(value, f"{path}[{i}]", depth + 1)

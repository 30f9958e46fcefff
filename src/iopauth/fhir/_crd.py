"""CRD: ask the payer at ordering time whether the program needs prior authorization.

Da Vinci Coverage Requirements Discovery runs on CDS Hooks: the EHR sends an ``order-sign``
(or ``order-select``) request whose ``context.draftOrders`` hold the order, with the resources
the service prefetches; the payer answers with cards and ``systemActions`` that update the
order with the ``ext-coverage-information`` extension: covered, pa-needed, doc-needed,
doc-purpose, info-needed, reasons, questionnaires and the coverage-assertion-id a PAS request
quotes (HL7/davinci-crd 2.2.1, ``input/fsh/extensions/CoverageInformation.fsh``; codes in
tests/data/crd/coverage-information-codes.json with their source lines).

Payer text (card summaries and details, reason text) is kept on the records for the caller,
out of their reprs, and never put into an exception.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from attrs import field, frozen

from ..errors import FhirError
from ..model import Case
from . import _write as w
from ._bundle import read_json

__all__ = [
    "CODES",
    "CoverageInformation",
    "CoverageReason",
    "CoverageRequirements",
    "coverage_requirements",
    "crd_request",
]

_CRD = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/"
COVERAGE_INFORMATION = _CRD + "ext-coverage-information"
HOOKS = ("order-sign", "order-select")
#: Most cards, actions and coverage-information extensions read from one answer.
MAX_PARTS = 500

#: The codes of each coverage-information element (CRD 2.2.1 CoverageInformationCodes.fsh and
#: CoverageInformationValuesets.fsh; "OTH" is v3-NullFlavor). A code outside them is kept and
#: reported in ``unknown_codes``.
CODES: dict[str, frozenset[str]] = {
    "covered": frozenset({"not-covered", "covered", "conditional", "indeterminate"}),
    "pa-needed": frozenset(
        {"no-auth", "auth-needed", "satisfied", "performpa", "conditional", "indeterminate"}
    ),
    "doc-needed": frozenset({"clinical", "admin", "patient", "conditional", "indeterminate"}),
    "doc-purpose": frozenset({"withpa", "withclaim", "withorder", "retain-doc", "OTH"}),
    "info-needed": frozenset(
        {"performer", "location", "timeframe", "contract-window", "detail-code", "OTH"}
    ),
}
_PA_YES = frozenset({"auth-needed", "performpa"})
_PA_NO = frozenset({"no-auth", "satisfied"})


@frozen
class CoverageReason:
    """One ``reason``: its code (CRD's temporary code system, or another) and the payer's text."""

    system: str | None
    code: str | None
    text: str | None = field(default=None, repr=False)


@frozen(kw_only=True)
class CoverageInformation:
    """One ``ext-coverage-information`` the payer put on an order.

    ``order`` is the order it was found on (``ServiceRequest/id``); list-valued elements keep
    every repetition in order; codes are kept exactly as sent. ``extension`` is the whole
    extension, for ``pas_request(coverage_information=...)``.
    """

    order: str | None
    covered: str | None = None
    pa_needed: str | None = None
    doc_needed: tuple[str, ...] = ()
    doc_purpose: tuple[str, ...] = ()
    info_needed: tuple[str, ...] = ()
    questionnaires: tuple[str, ...] = ()
    reasons: tuple[CoverageReason, ...] = ()
    billing_codes: tuple[tuple[str, str], ...] = ()
    date: str | None = None
    expiry_date: str | None = None
    assertion_id: str | None = field(default=None, repr=False)
    satisfied_pa_id: str | None = field(default=None, repr=False)
    #: The extension as the payer sent it (``pas_request`` quotes it whole, Request.fsh:24).
    extension: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)


@frozen(kw_only=True)
class CoverageRequirements:
    """What a CRD answer says: coverage information, questionnaires, cards, unknown codes.

    ``cards`` are ``(indicator, summary)`` pairs as the payer wrote them (kept out of the repr).
    ``unknown_codes`` lists ``element=code`` for each code outside :data:`CODES`.
    """

    coverage: tuple[CoverageInformation, ...]
    questionnaires: tuple[str, ...]
    cards: tuple[tuple[str, str], ...] = field(repr=False)
    unknown_codes: tuple[str, ...] = ()

    @property
    def prior_authorization_needed(self) -> bool | None:
        """True when any order needs it, False when every order says no, else unknown."""
        codes = [c.pa_needed for c in self.coverage]
        if any(code in _PA_YES for code in codes):
            return True
        if codes and all(code in _PA_NO for code in codes):
            return False
        return None

    @property
    def documentation_needed(self) -> tuple[str, ...]:
        """Every doc-needed code, once each, in order."""
        return tuple(dict.fromkeys(code for c in self.coverage for code in c.doc_needed))

    @property
    def assertion_ids(self) -> tuple[str, ...]:
        """The coverage-assertion ids to quote in the PAS request, once each."""
        return tuple(dict.fromkeys(c.assertion_id for c in self.coverage if c.assertion_id))


def crd_request(
    case: Case,
    *,
    hook: str = "order-sign",
    hook_instance: str,
    fhir_server: str | None = None,
) -> dict[str, Any]:
    """A CDS Hooks request for ``hook`` whose ``draftOrders`` hold the program's order.

    ``hook_instance`` is the caller's UUID for this call (iopauth makes none: output is
    reproducible). The prefetch carries the keys of CRD's order hooks that the case can fill
    (``patient``, ``coverage``, ``practitioners``, ``practitionerRoles``, ``organizations``; the
    searches as searchset Bundles). ``fhir_server`` is the EHR's FHIR base the service may call
    back; without it the service works from the prefetch alone.
    """
    if hook not in HOOKS:
        raise FhirError([f"hook: must be one of {', '.join(HOOKS)}"])
    order = w.service_request(case)
    order["status"] = "draft"
    people = w.practitioners(case)
    attending = next((i for i, c in enumerate(case.clinicians, 1) if c.is_physician), 1)
    context: dict[str, Any] = {
        "userId": f"PractitionerRole/role-{attending}",
        "patientId": "patient",
        "draftOrders": _bundle("collection", [order]),
    }
    if hook == "order-select":
        context["selections"] = ["ServiceRequest/service-request"]
    request: dict[str, Any] = {
        "hook": hook,
        "hookInstance": hook_instance,
        "context": context,
        "prefetch": {
            "patient": w.patient(case),
            "coverage": _bundle("searchset", [w.coverage(case)]),
            "practitioners": _bundle(
                "searchset", [p for p in people if p["resourceType"] == "Practitioner"]
            ),
            "practitionerRoles": _bundle(
                "searchset", [p for p in people if p["resourceType"] == "PractitionerRole"]
            ),
            "organizations": _bundle("searchset", [w.program(case), w.payer(case)]),
        },
    }
    if fhir_server is not None:
        request["fhirServer"] = fhir_server
    return request


def _bundle(kind: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    entries = [{"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r} for r in resources]
    out: dict[str, Any] = {"resourceType": "Bundle", "type": kind, "entry": entries}
    if kind == "searchset":
        out["total"] = len(entries)
    return out


def coverage_requirements(response: object) -> CoverageRequirements:
    """Read a CRD (CDS Hooks) answer: JSON text, bytes, a mapping or a path.

    Coverage information is read from ``systemActions`` and from the actions of card
    suggestions; questionnaires from coverage information, from actions that create a
    Questionnaire and from Tasks whose input names one. Raises :class:`FhirError` naming the
    place of a problem, never the payer's text.
    """
    data = read_json(response, "CDS Hooks response")
    if "cards" not in data:  # CDS Hooks 2.0: a response always holds cards, maybe none
        raise FhirError(["$.cards: required (a CDS Hooks response)"])
    cards_raw = _array(data, "cards", "$")
    actions_raw = _array(data, "systemActions", "$")
    if len(cards_raw) + len(actions_raw) > MAX_PARTS:
        raise FhirError([f"$: more than {MAX_PARTS} cards and system actions"])
    unknown: list[str] = []
    coverage: list[CoverageInformation] = []
    questionnaires: list[str] = []
    cards: list[tuple[str, str]] = []
    actions = list(_card_actions(cards_raw)) + [
        (f"$.systemActions[{i}]", a) for i, a in enumerate(actions_raw) if isinstance(a, dict)
    ]
    for i, card in enumerate(cards_raw):
        if not isinstance(card, dict) or not isinstance(card.get("summary"), str):
            raise FhirError([f"$.cards[{i}].summary: required"])
        cards.append((str(card.get("indicator", "info")), card["summary"]))
    for path, action in actions:
        resource = action.get("resource")
        if not isinstance(resource, dict):
            continue
        for ext in _coverage_extensions(resource, path):
            info = _information(ext, _order(resource), unknown)
            coverage.append(info)
            questionnaires.extend(info.questionnaires)
        questionnaires.extend(_named_questionnaires(resource))
        if len(coverage) > MAX_PARTS:
            raise FhirError([f"{path}: more than {MAX_PARTS} coverage-information extensions"])
    return CoverageRequirements(
        coverage=tuple(coverage),
        questionnaires=tuple(dict.fromkeys(questionnaires)),
        cards=tuple(cards),
        unknown_codes=tuple(dict.fromkeys(unknown)),
    )


def _array(node: dict[str, Any], key: str, path: str) -> list[Any]:
    value = node.get(key, [])
    if not isinstance(value, list):
        raise FhirError([f"{path}.{key}: must be an array"])
    return value


def _card_actions(cards: list[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, card in enumerate(cards):
        if not isinstance(card, dict):
            continue
        for j, suggestion in enumerate(_array(card, "suggestions", f"$.cards[{i}]")):
            if not isinstance(suggestion, dict):
                continue
            where = f"$.cards[{i}].suggestions[{j}]"
            for k, action in enumerate(_array(suggestion, "actions", where)):
                if isinstance(action, dict):
                    yield f"{where}.actions[{k}]", action


def _coverage_extensions(resource: dict[str, Any], path: str) -> Iterator[dict[str, Any]]:
    for ext in _array(resource, "extension", f"{path}.resource"):
        if isinstance(ext, dict) and ext.get("url") == COVERAGE_INFORMATION:
            yield ext


def _order(resource: dict[str, Any]) -> str | None:
    rtype, rid = resource.get("resourceType"), resource.get("id")
    return f"{rtype}/{rid}" if isinstance(rtype, str) and isinstance(rid, str) else None


def _information(ext: dict[str, Any], order: str | None, unknown: list[str]) -> CoverageInformation:
    parts: dict[str, list[Any]] = {}
    for sub in ext.get("extension", []) if isinstance(ext.get("extension"), list) else []:
        if isinstance(sub, dict) and isinstance(sub.get("url"), str):
            value = next((v for k, v in sub.items() if k.startswith("value")), None)
            parts.setdefault(sub["url"], []).append(value)

    def codes(name: str) -> tuple[str, ...]:
        found = tuple(v for v in parts.get(name, []) if isinstance(v, str))
        unknown.extend(f"{name}={c}" for c in found if c not in CODES[name])
        return found

    def one(name: str) -> str | None:
        values = [v for v in parts.get(name, []) if isinstance(v, str)]
        return values[0] if values else None

    covered, pa_needed = codes("covered"), codes("pa-needed")
    return CoverageInformation(
        order=order,
        covered=covered[0] if covered else None,
        pa_needed=pa_needed[0] if pa_needed else None,
        doc_needed=codes("doc-needed"),
        doc_purpose=codes("doc-purpose"),
        info_needed=codes("info-needed"),
        questionnaires=tuple(v for v in parts.get("questionnaire", []) if isinstance(v, str)),
        reasons=tuple(_reason(v) for v in parts.get("reason", []) if isinstance(v, dict)),
        billing_codes=tuple(
            (str(v.get("system", "")), str(v["code"]))
            for v in parts.get("billingCode", [])
            if isinstance(v, dict) and isinstance(v.get("code"), str)
        ),
        date=one("date"),
        expiry_date=one("expiry-date"),
        assertion_id=one("coverage-assertion-id"),
        satisfied_pa_id=one("satisfied-pa-id"),
        extension=ext,
    )


def _reason(concept: dict[str, Any]) -> CoverageReason:
    coding = next((c for c in concept.get("coding", []) if isinstance(c, dict)), {})
    text = concept.get("text")
    return CoverageReason(
        system=coding.get("system") if isinstance(coding.get("system"), str) else None,
        code=coding.get("code") if isinstance(coding.get("code"), str) else None,
        text=text if isinstance(text, str) else None,
    )


def _named_questionnaires(resource: dict[str, Any]) -> Iterator[str]:
    if resource.get("resourceType") == "Questionnaire" and isinstance(resource.get("url"), str):
        version = resource.get("version")
        yield resource["url"] + (f"|{version}" if isinstance(version, str) else "")
    if resource.get("resourceType") == "Task":
        for item in resource.get("input", []) if isinstance(resource.get("input"), list) else []:
            if isinstance(item, dict) and isinstance(item.get("valueCanonical"), str):
                yield item["valueCanonical"]

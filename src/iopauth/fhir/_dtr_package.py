"""DTR ``$questionnaire-package``: the Questionnaires, ValueSets and Libraries a payer returns.

DTR 2.x answers ``Questionnaire/$questionnaire-package`` with a Parameters resource whose
``packagebundle`` parameters each hold a collection Bundle (profile DTR-QPackageBundle) of
Questionnaires with the ValueSets and Libraries they need, and optionally an ``outcome``
OperationOutcome (HL7/davinci-dtr ``DTROperation-QuestionnairePackage.fsh``;
tests/data/dtr/PROVENANCE.md). A bare package Bundle is read too. The answer comes from
outside: it is read within the size cap of every FHIR document and a bound on its entries.
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from ..errors import FhirError
from ._bundle import read_json

__all__ = ["MAX_PACKAGE_ENTRIES", "QuestionnairePackage", "questionnaire_package"]

#: Most resources read from one package answer (all its bundles together).
MAX_PACKAGE_ENTRIES = 2000
_KINDS = {"Questionnaire": "questionnaires", "ValueSet": "value_sets", "Library": "libraries"}


@frozen
class QuestionnairePackage:
    """The resources of a ``$questionnaire-package`` answer, by kind, in document order.

    ``other`` counts the resources of other types (left out); ``issues`` counts the issues of
    an ``outcome`` OperationOutcome (their text is the payer's and is not kept here).
    """

    questionnaires: tuple[dict[str, Any], ...] = field(repr=False)
    value_sets: tuple[dict[str, Any], ...] = field(repr=False)
    libraries: tuple[dict[str, Any], ...] = field(repr=False)
    other: int = 0
    issues: int = 0

    def questionnaire(self, url: str) -> dict[str, Any] | None:
        """The Questionnaire with this canonical (``url`` or ``url|version``), if present."""
        base, _, version = url.partition("|")
        for q in self.questionnaires:
            if q.get("url") == base and (not version or q.get("version") == version):
                return q
        return None


def questionnaire_package(response: object) -> QuestionnairePackage:
    """Read a ``$questionnaire-package`` answer (JSON, a mapping or a path).

    Raises :class:`FhirError` naming the place of each problem (never the payer's text).
    """
    data = read_json(response, "questionnaire package")
    bundles, issues = _bundles(data)
    found_by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in _KINDS.values()}
    other = count = 0
    for path, bundle in bundles:
        if bundle.get("resourceType") != "Bundle":
            raise FhirError([f"{path}.resourceType: must be Bundle"])
        entries = bundle.get("entry", [])
        if not isinstance(entries, list):
            raise FhirError([f"{path}.entry: must be an array"])
        for entry in entries:
            count += 1
            if count > MAX_PACKAGE_ENTRIES:
                raise FhirError([f"{path}.entry: more than {MAX_PACKAGE_ENTRIES} resources"])
            resource = entry.get("resource") if isinstance(entry, dict) else None
            kind = (
                _KINDS.get(str(resource.get("resourceType")))
                if isinstance(resource, dict)
                else None
            )
            if kind is None or not isinstance(resource, dict):
                other += 1
                continue
            found_by_kind[kind].append(resource)
    return QuestionnairePackage(
        questionnaires=tuple(found_by_kind["questionnaires"]),
        value_sets=tuple(found_by_kind["value_sets"]),
        libraries=tuple(found_by_kind["libraries"]),
        other=other,
        issues=issues,
    )


def _bundles(data: dict[str, Any]) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """The package Bundles of the answer with their places, and the outcome's issue count."""
    bundles: list[tuple[str, dict[str, Any]]] = []
    issues = 0
    if data.get("resourceType") == "Parameters":
        params = data.get("parameter", [])
        if not isinstance(params, list):
            raise FhirError(["$.parameter: must be an array"])
        for i, param in enumerate(params):
            if not isinstance(param, dict):
                continue
            name = str(param.get("name", "")).lower()
            resource = param.get("resource")
            if name == "packagebundle" and isinstance(resource, dict):
                bundles.append((f"$.parameter[{i}].resource", resource))
            elif name == "outcome" and isinstance(resource, dict):
                found = resource.get("issue", [])
                issues += len(found) if isinstance(found, list) else 0
        if not bundles and not issues:
            raise FhirError(["$.parameter: holds no packagebundle"])
    elif data.get("resourceType") == "Bundle":
        bundles.append(("$", data))
    else:
        raise FhirError(["$.resourceType: must be Parameters or Bundle"])
    return bundles, issues

"""Checks run over the whole Bundle before a case is read from it.

- Every FHIR ``date``/``dateTime``/``instant`` element iopauth may read must be a real date
  (``CarePlan.period.end = "2026-13-45"`` is an error at its path, not a traceback later).
- A clinical resource's ``subject``/``patient``/``beneficiary`` must be the Patient (a
  MedicationStatement whose subject is a Coverage is an error at that reference).
- A reference iopauth never follows (a ``derivedFrom`` QuestionnaireResponse, a
  PractitionerRole's ``location`` or ``endpoint``) that points outside the Bundle is a note,
  not an error: an EHR's search result often leaves those resources out.

Lines name the path and the rule, never the value.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ._bundle import Index

__all__ = ["check_dates", "check_subjects", "tolerate_missing_sources"]

_MAX_DEPTH = 64
# Elements of the FHIR date, dateTime or instant types, by name, in the resources iopauth reads
# (FHIR R4 resource definitions). ``start``/``end`` are Period's.
_DATE_KEYS = frozenset(
    {
        "birthDate",
        "deceasedDateTime",
        "authoredOn",
        "date",
        "created",
        "issued",
        "recorded",
        "occurredDateTime",
        "occurrenceDateTime",
        "onsetDateTime",
        "abatementDateTime",
        "recordedDate",
        "effectiveDateTime",
        "effectiveInstant",
        "dateAsserted",
        "start",
        "end",
        "timestamp",
        "lastUpdated",
    }
)
# FHIR R4 date / dateTime / instant lexical forms (hl7.org/fhir/R4/datatypes.html), written as
# one pattern: a year, optionally a month, a day, a time with seconds and a zone.
_PATTERN = re.compile(
    r"(?P<y>\d{4})(-(?P<m>\d{2})(-(?P<d>\d{2})"
    r"(T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(\.\d{1,9})?"
    r"(Z|[+-](?P<zh>\d{2}):(?P<zm>\d{2})))?)?)?",
    re.ASCII,
)
_SUBJECT_KEYS = ("subject", "patient", "beneficiary")
_PATIENT_RESOURCES = frozenset(
    {
        "Condition",
        "Observation",
        "MedicationStatement",
        "MedicationRequest",
        "Encounter",
        "EpisodeOfCare",
        "ServiceRequest",
        "CarePlan",
        "DocumentReference",
        "Coverage",
        "QuestionnaireResponse",
    }
)


def is_fhir_date(value: str) -> bool:
    """Whether ``value`` is a FHIR date, dateTime or instant naming a real day and time."""
    match = _PATTERN.fullmatch(value)
    if match is None:
        return False
    year, month, day_ = match.group("y", "m", "d")
    try:
        date(int(year), int(month or 1), int(day_ or 1))
    except ValueError:
        return False
    hour, minute, second, zh, zm = match.group("h", "mi", "s", "zh", "zm")
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second) > 60):
        return False
    return zh is None or (int(zh) <= 14 and int(zm) <= 59)


def check_dates(index: Index) -> None:
    """Record every date element that is no real FHIR date."""
    for entry in index.entries:
        _walk_dates(entry.resource, entry.path, index.errors, 0)


def _walk_dates(node: object, path: str, errors: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            at = f"{path}.{key}"
            if key in _DATE_KEYS and isinstance(value, str):
                if not is_fhir_date(value):
                    errors.append(f"{at}: must be a FHIR date or dateTime (YYYY-MM-DD, a real day)")
            elif isinstance(value, dict | list) and key != "contained":
                _walk_dates(value, at, errors, depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk_dates(value, f"{path}[{i}]", errors, depth + 1)


def check_subjects(index: Index) -> None:
    """Record every clinical resource whose subject is not a Patient."""
    for entry in index.entries:
        if entry.type not in _PATIENT_RESOURCES:
            continue
        for key in _SUBJECT_KEYS:
            ref: Any = entry.resource.get(key)
            if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
                index.resolve(ref, f"{entry.path}.{key}", "Patient")


# References iopauth never follows: one pointing outside the Bundle is a note. A US Core
# screening Observation's derivedFrom QuestionnaireResponse, a PractitionerRole's location,
# healthcare service and endpoint are often left out of an EHR's search result.
_NOT_FOLLOWED = re.compile(
    r"\.(derivedFrom|location|healthcareService|endpoint|encounter|basedOn|partOf)"
    r"(\[\d+\])?\.reference$"
)


def tolerate_missing_sources(index: Index) -> list[str]:
    """Turn 'refers to no entry' at a reference iopauth never follows into a note."""
    notes: list[str] = []
    kept: list[str] = []
    for line in index.errors:
        path, _, rule = line.partition(": ")
        if rule == "refers to no entry in the bundle" and _NOT_FOLLOWED.search(path):
            notes.append(f"{path}: refers to no entry in the bundle; iopauth does not need it")
        else:
            kept.append(line)
    index.errors[:] = kept
    return notes

"""Medications and treatment history of a case as US Core resources (for :mod:`._export`).

A medication is a MedicationStatement (its dose a UCUM-style ``doseQuantity`` when it reads as
"<number> <unit>", else the dosage text); an episode of earlier care is an Encounter whose
``type`` carries the level of care and whose ``hospitalization.dischargeDisposition`` carries the
outcome, both in iopauth's own code systems (no standard code for either could be verified).
"""

from __future__ import annotations

from typing import Any

from ..model import Case, EpisodeOutcome, LevelOfCare
from . import _systems as cs
from . import _write as w

__all__ = ["encounters", "medications"]


def medications(case: Case) -> list[dict[str, Any]]:
    """A MedicationStatement per medication, in case order."""
    out: list[dict[str, Any]] = []
    for n, med in enumerate(case.medications, start=1):
        dosage: dict[str, Any] = {}
        number, _, unit = (med.dose or "").partition(" ")
        if _is_number(number) and unit.strip() and f"{float(number):g} {unit}" == med.dose:
            dosage["doseAndRate"] = [
                {"doseQuantity": {"value": float(number), "unit": unit, "system": cs.UCUM}}
            ]
        elif med.dose:
            dosage["text"] = med.dose
        if med.frequency:
            dosage["timing"] = {"code": {"text": med.frequency}}
        period = {
            k: v.isoformat()
            for k, v in (("start", med.start_date), ("end", med.end_date))
            if v is not None
        }
        statement: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "id": f"medication-{n}",
            "meta": {
                "profile": [
                    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-medicationstatement"
                ]
            },
            "status": "active",
            "medicationCodeableConcept": {"text": med.name},
            "subject": w.ref("Patient", "patient"),
            "effectivePeriod": period or None,
            "informationSource": {"display": med.prescriber} if med.prescriber else None,
            "dosage": [dosage] if dosage else None,
        }
        out.append({k: v for k, v in statement.items() if v is not None})
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity")


def encounters(case: Case) -> list[dict[str, Any]]:
    """An Encounter per episode of earlier treatment, in case order."""
    out: list[dict[str, Any]] = []
    for n, episode in enumerate(case.history, start=1):
        ongoing = episode.outcome is EpisodeOutcome.ONGOING
        klass = "IMP" if episode.level is LevelOfCare.INPATIENT else "AMB"
        encounter: dict[str, Any] = {
            "resourceType": "Encounter",
            "id": f"episode-{n}",
            "meta": {
                "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter"]
            },
            "status": "in-progress" if ongoing else "finished",
            "class": {"system": cs.ACT_CODE, "code": klass},
            "type": [w.coding(cs.LEVEL_OF_CARE, episode.level.value)],
            "subject": w.ref("Patient", "patient"),
            "period": {
                k: v.isoformat()
                for k, v in (("start", episode.period.start), ("end", episode.period.end))
                if v is not None
            },
        }
        if not ongoing:
            disposition = w.coding(cs.EPISODE_OUTCOME, episode.outcome.value)
            encounter["hospitalization"] = {"dischargeDisposition": disposition}
        if episode.provider:
            encounter["serviceProvider"] = {"display": episode.provider}
        out.append(encounter)
    return out

"""Write the US Core Bundles in tests/data/fhir/ from the example cases (run as a script).

The Bundles are fixtures: they are committed, and the import tests read the files, not this
code. This script only saves typing them by hand and documents how they were made. Beyond what
a case holds, each Bundle carries what a real EHR export has around it: ordinary office-visit
Encounters, a vital-sign Observation, a Condition coded only in SNOMED CT, and item-level
Observations under each score.

    .venv/bin/python tests/fhir_bundles.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iopauth import load_case
from iopauth.fhir import _systems as cs
from iopauth.fhir import _write as w
from iopauth.measures import LOINC, score
from iopauth.model import Case, MeasureAdministration

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "data" / "fhir"
BASE = "https://ehr.example.org/fhir/"

# 38341003 "Hypertensive disorder, systemic arterial" (SNOMED CT): a non-psychiatric problem
# an EHR exports without an ICD-10-CM coding; the importer must report, not guess, it.
_SNOMED_ONLY = {"system": cs.SNOMED, "code": "38341003", "display": "Hypertensive disorder"}
_OUTCOME_DISPOSITION = "urn:iopauth:episode-outcome"


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"{BASE}{resource['resourceType']}/{resource['id']}", "resource": resource}


def _observations(case: Case) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    survey = w.coding(cs.OBSERVATION_CATEGORY, "survey")
    for n, adm in enumerate(case.measures, start=1):
        codes = LOINC[adm.instrument]
        head = codes.total or codes.panel
        if head is None or (codes.total is None and (adm.items is None or not codes.items)):
            continue  # no LOINC code known (PCL-5), or nothing the panel can carry
        when = f"{adm.administered_on.isoformat()}T10:00:00-05:00"
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"score-{n}",
            "meta": {
                "profile": [
                    "http://hl7.org/fhir/us/core/StructureDefinition/"
                    "us-core-observation-screening-assessment"
                ]
            },
            "status": "final",
            "category": [survey],
            "code": w.coding(cs.LOINC, head.code),
            "subject": w.ref("Patient", "patient"),
            "effectiveDateTime": when,
        }
        total = _total(adm)
        if codes.total is not None and total is not None:
            obs["valueInteger"] = total
        members: list[dict[str, Any]] = []
        if adm.items is not None and codes.items:
            answers = dict(codes.answers)
            for k, (value, item) in enumerate(zip(adm.items, codes.items, strict=True), 1):
                member: dict[str, Any] = {
                    "resourceType": "Observation",
                    "id": f"score-{n}-item-{k}",
                    "status": "final",
                    "category": [survey],
                    "code": w.coding(cs.LOINC, item.code),
                    "subject": w.ref("Patient", "patient"),
                    "effectiveDateTime": when,
                }
                if value in answers:
                    la = answers[value].code
                    member["valueCodeableConcept"] = w.coding(cs.LOINC, la)
                else:
                    member["valueInteger"] = value
                members.append(member)
            obs["hasMember"] = [w.ref("Observation", m["id"]) for m in members]
        out.append(obs)
        out.extend(members)
    return out


def _total(adm: MeasureAdministration) -> int | None:
    if adm.total is not None:
        return adm.total
    return score(adm).total


def _encounters(case: Case) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n, episode in enumerate(case.history, start=1):
        inpatient = episode.level.value == "inpatient"
        klass = "IMP" if inpatient else "AMB"
        enc: dict[str, Any] = {
            "resourceType": "Encounter",
            "id": f"episode-{n}",
            "status": "in-progress" if episode.outcome.value == "ongoing" else "finished",
            "class": {"system": cs.ACT_CODE, "code": klass},
            "type": [w.coding(cs.LEVEL_OF_CARE, episode.level.value)],
            "subject": w.ref("Patient", "patient"),
            "period": {
                k: v.isoformat()
                for k, v in (("start", episode.period.start), ("end", episode.period.end))
                if v is not None
            },
        }
        if episode.outcome.value != "ongoing":
            enc["hospitalization"] = {
                "dischargeDisposition": w.coding(_OUTCOME_DISPOSITION, episode.outcome.value)
            }
        if episode.provider:
            enc["serviceProvider"] = {"display": episode.provider}
        out.append(enc)
    # two ordinary office visits: not episodes of care, the importer must pass over them
    for n, day in enumerate((case.request.request_date, case.plan.start_date), start=1):
        out.append(
            {
                "resourceType": "Encounter",
                "id": f"visit-{n}",
                "status": "finished",
                "class": {"system": cs.ACT_CODE, "code": "AMB"},
                "type": [w.coding(cs.CPT, "90791" if n == 1 else "90834")],
                "subject": w.ref("Patient", "patient"),
                "period": {"start": f"{day.isoformat()}T09:00:00-05:00"},
            }
        )
    return out


def _medications(case: Case) -> list[dict[str, Any]]:
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
        statement: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "id": f"medication-{n}",
            "status": "active",
            "medicationCodeableConcept": {"text": med.name},
            "subject": w.ref("Patient", "patient"),
            "dosage": [dosage] if dosage else [],
        }
        period = {
            k: v.isoformat()
            for k, v in (("start", med.start_date), ("end", med.end_date))
            if v is not None
        }
        if period:
            statement["effectivePeriod"] = period
        if med.prescriber:
            statement["informationSource"] = {"display": med.prescriber}
        out.append({k: v for k, v in statement.items() if v != []})
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity")


def _care_plan(case: Case) -> dict[str, Any]:
    from datetime import timedelta

    plan = case.plan
    end = plan.start_date + timedelta(days=plan.weeks * 7 - 1)
    return {
        "resourceType": "CarePlan",
        "id": "care-plan",
        "status": "active",
        "intent": "plan",
        "category": [
            w.coding("http://hl7.org/fhir/us/core/CodeSystem/careplan-category", "assess-plan")
        ],
        "subject": w.ref("Patient", "patient"),
        "period": {"start": plan.start_date.isoformat(), "end": end.isoformat()},
        "activity": [{"reference": w.ref("ServiceRequest", "service-request")}],
    }


def us_core_bundle(case: Case) -> dict[str, Any]:
    """A searchset-style US Core Bundle an EHR could export for this case."""
    resources: list[dict[str, Any]] = [
        w.patient(case),
        w.payer(case),
        w.program(case),
        w.coverage(case),
        *w.practitioners(case),
        *(w.condition(case, i) for i in range(len(case.diagnoses))),
        {
            "resourceType": "Condition",
            "id": "condition-snomed",
            "clinicalStatus": w.coding(cs.CONDITION_CLINICAL, "active"),
            "code": {"coding": [_SNOMED_ONLY], "text": "High blood pressure"},
            "subject": w.ref("Patient", "patient"),
        },
        *_medications(case),
        *_encounters(case),
        *_observations(case),
        {
            "resourceType": "Observation",
            "id": "vital-weight",
            "status": "final",
            "category": [w.coding(cs.OBSERVATION_CATEGORY, "vital-signs")],
            "code": w.coding(cs.LOINC, "29463-7", "Body weight"),
            "subject": w.ref("Patient", "patient"),
            "effectiveDateTime": case.request.request_date.isoformat(),
            "valueQuantity": {"value": 72.5, "unit": "kg", "system": cs.UCUM, "code": "kg"},
        },
        w.service_request(case),
        _care_plan(case),
        *(w.document_reference(case, i) for i in range(len(case.request.documents))),
    ]
    return {
        "resourceType": "Bundle",
        "id": f"export-{case.case_id}",
        "type": "collection",
        "timestamp": f"{case.request.request_date.isoformat()}T12:00:00Z",
        "entry": [_entry(r) for r in resources],
    }


def main() -> None:
    """Write one Bundle per example case."""
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "examples" / "cases").glob("*.json")):
        bundle = us_core_bundle(load_case(path))
        target = OUT / f"{path.stem}.bundle.json"
        target.write_text(json.dumps(bundle, indent=1, ensure_ascii=False) + "\n")
        print(target.relative_to(ROOT))


if __name__ == "__main__":
    main()

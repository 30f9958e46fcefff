"""Reading the clinical record of a US Core Bundle: diagnoses, medications and history.

:class:`PartsReader` adds these to :class:`~._import_clinicians.ClinicianReader` (the
patient, coverage, program and clinicians), recording each value's Bundle path in the same
``origin``.
"""

from __future__ import annotations

from typing import Any

from . import _systems as cs
from ._bundle import Entry, code_in, codings, day, drop_none, first_code, items, obj, text
from ._import_clinicians import ClinicianReader

__all__ = ["PartsReader"]

_INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC"})
_INACTIVE = frozenset({"inactive", "resolved", "remission"})


class PartsReader(ClinicianReader):
    """Reads the patient, coverage, program and clinicians, then the clinical record."""

    def diagnoses(self, order: Entry) -> list[dict[str, Any]]:
        primary_ref = next(
            (
                self.index.resolve(ref, f"{order.path}.reasonReference[{i}]", "Condition")
                for i, ref in enumerate(items(order.resource, "reasonReference"))
            ),
            None,
        )
        out: list[dict[str, Any]] = []
        for entry in self.index.of_type("Condition"):
            c, at = entry.resource, entry.path
            status = code_in(c.get("clinicalStatus"), cs.CONDITION_CLINICAL)
            if status in _INACTIVE:
                self.notes.append(f"{at}.clinicalStatus: the condition is not active; not imported")
                continue
            code = code_in(c.get("code"), cs.ICD10CM)
            if code is None:
                other = "SNOMED CT only" if code_in(c.get("code"), cs.SNOMED) else "no ICD-10-CM"
                self.unusable_conditions.append(at)
                self.notes.append(
                    f"{at}.code: lacks an ICD-10-CM code ({other}); not imported as a diagnosis"
                )
                continue
            case_at = f"$.diagnoses[{len(out)}]"
            self._at(case_at, at)
            self._at(f"{case_at}.code", f"{at}.code")
            concept = obj(c, "code")
            display = next(
                (text(x, "display") for x in codings(concept) if x.get("system") == cs.ICD10CM),
                None,
            )
            out.append(
                drop_none(
                    code=code,
                    primary=True if primary_ref is entry else None,
                    description=text(concept, "text") or display,
                    onset=day(c.get("onsetDateTime")),
                )
            )
        if primary_ref is None and len(out) == 1:
            out[0]["primary"] = True
        self._at("$.diagnoses", f"{order.path}.reasonReference")
        return out

    def medications(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for entry in self.index.entries:
            if entry.type not in ("MedicationStatement", "MedicationRequest"):
                continue
            m, at = entry.resource, entry.path
            if m.get("status") in ("entered-in-error", "cancelled", "not-taken"):
                continue
            concept = obj(m, "medicationCodeableConcept")
            ref = m.get("medicationReference")
            if ref is not None:
                med = self.index.resolve(ref, f"{at}.medicationReference", "Medication")
                concept = obj(med.resource, "code") if med else {}
            name = text(concept, "text") or next(
                (text(c, "display") for c in codings(concept)), None
            )
            dosages = items(m, "dosage") or items(m, "dosageInstruction")
            dosage = dosages[0] if dosages and isinstance(dosages[0], dict) else {}
            rates = items(dosage, "doseAndRate")
            dose_q = obj(rates[0], "doseQuantity") if rates else {}
            dose = _quantity_text(dose_q) or text(dosage, "text")
            frequency = text(obj(obj(dosage, "timing"), "code"), "text")
            statement = entry.type == "MedicationStatement"
            who = obj(m, "informationSource") if statement else obj(m, "requester")
            period = obj(m, "effectivePeriod")
            self._at(f"$.medications[{len(out)}]", at)
            out.append(
                drop_none(
                    name=name,
                    dose=dose,
                    frequency=frequency,
                    prescriber=text(who, "display"),
                    start_date=day(period.get("start")) or day(m.get("authoredOn")),
                    end_date=day(period.get("end")),
                )
            )
        return out

    def history(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for entry in self.index.of_type("Encounter"):
            e, at = entry.resource, entry.path
            level = first_code(items(e, "type"), cs.LEVEL_OF_CARE)
            klass = text(obj(e, "class"), "code")
            if level is None and klass in _INPATIENT_CLASSES:
                level = "inpatient"
            if level is None:
                continue  # an ordinary visit, not an episode of care
            case_at = f"$.history[{len(out)}]"
            self._at(case_at, at)
            self._at(f"{case_at}.period", f"{at}.period")
            period = obj(e, "period")
            disposition = obj(obj(e, "hospitalization"), "dischargeDisposition")
            outcome = code_in(disposition, cs.EPISODE_OUTCOME)
            if outcome is None and e.get("status") == "in-progress":
                outcome = "ongoing"
            elif outcome is None:
                outcome = "completed"
                self.assumed.append(
                    f"{case_at}.outcome: the Encounter records no outcome iopauth reads; "
                    "'completed' assumed"
                )
            provider = obj(e, "serviceProvider")
            out.append(
                drop_none(
                    level=level,
                    period=drop_none(start=day(period.get("start")), end=day(period.get("end"))),
                    outcome=outcome,
                    provider=text(provider, "display"),
                )
            )
        return out


def _quantity_text(quantity: dict[str, Any]) -> str | None:
    value = quantity.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    number = f"{value:g}"
    unit = text(quantity, "unit") or text(quantity, "code")
    return f"{number} {unit}" if unit else number

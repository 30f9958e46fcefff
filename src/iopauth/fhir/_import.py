"""US Core R4 Bundle → :class:`~iopauth.model.Case` (``case_from_bundle``).

The Bundle is read as plain JSON: no FHIR model library is needed at run time. Each case value
remembers the Bundle path it came from, so a rule the case validation breaks is reported at
that path (``$.entry[3].resource.birthDate: must be before the request_date``). What FHIR does
not carry (a risk assessment kept in notes, recorded LOCUS/ASAM ratings, …) stays unset and is
listed in :attr:`ImportResult.unfilled`, so the integration can ask a person.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from ..errors import FhirError, InvalidCaseError
from ..model import Case
from ._bundle import Entry, Index, items, obj, read_json
from ._import_checks import check_dates, check_subjects, tolerate_missing_sources
from ._import_merge import given, merge
from ._import_people import active_coverage
from ._import_plan import PlanReader, program_order
from ._measures import read_measures

__all__ = ["ImportResult", "case_from_bundle"]

# Case parts FHIR (US Core) does not carry, and what to tell the person who must supply them.
_NOT_CARRIED = (
    ("presentation", "the presenting symptoms live in clinical notes; ask the clinician"),
    ("risk", "a risk assessment lives in clinical notes; ask the clinician"),
    ("functioning", "functional impairment is not coded in US Core; ask the clinician"),
    ("medical", "medical stability and withdrawal risk are not coded; ask the clinician"),
    ("psychosocial", "housing and supports are not coded here; ask the clinician"),
    ("engagement", "willingness and consent are not coded; ask the clinician"),
    ("level_of_care_ratings", "LOCUS/CALOCUS/ASAM ratings are recorded outside FHIR"),
)
_PLAN_NOT_CARRIED = (
    ("services", "the plan's individual services are not in the program's ServiceRequest"),
    ("goals", "treatment goals are not read from FHIR"),
    ("discharge_plan", "the discharge plan lives in clinical notes"),
    ("step_down_level", "the planned step-down level is not coded"),
)
# Read from a Provenance attesting the CarePlan (see _import_plan); listed when absent, since a
# Medicare plan needs its physician's certification (42 CFR 424.24, medicare-iop.md section 5).
_PLAN_CERTIFICATION = (
    ("certified_by_npi", "no Provenance with an 'attester' agent names the certifying physician"),
    ("certified_on", "no Provenance with an 'attester' agent dates the plan's certification"),
    ("signed_on", "no Provenance with an 'author' agent dates the plan's signature"),
    ("last_reviewed", "no Provenance with a 'verifier' agent dates a review of the plan"),
)


@frozen
class ImportResult:
    """What :func:`case_from_bundle` read.

    ``case`` is the validated case. ``unfilled`` lists the case fields the Bundle did not fill
    (``"$.risk: …"``, case paths) or filled by a stated assumption; ``notes`` lists Bundle data
    that was read but not used or was corrected (``"$.entry[7].resource.code: …"``).
    """

    case: Case
    unfilled: tuple[str, ...]
    notes: tuple[str, ...]


def case_from_bundle(
    bundle: Mapping[str, Any] | str | bytes | os.PathLike[str],
    *,
    case_id: str,
    request: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Build a case from a FHIR R4 (US Core) Bundle given as a dict, JSON text, bytes or a path.

    ``request`` gives request fields a clinical Bundle does not carry (``kind``,
    ``authorization_number``, ``denial``, …) and ``extra`` any other part of the case document
    (``{"program": {"setting": "cmhc"}, "risk": {...}}``); both win over the Bundle, field by
    field: objects merge key by key, a list of records merges by index into the Bundle's
    (``{"clinicians": [{"credentials": "MD"}]}`` changes the first clinician's credentials
    only), any other value replaces (:mod:`._import_merge`). A line of ``unfilled`` that states
    an assumption goes once the caller gives that value.

    Raises :class:`~iopauth.errors.FhirError` with one line per problem, each naming the Bundle
    path and the rule, never the value: structure, references (a clinical resource's subject
    that is not the Patient included), dates that name no real day, and every case rule an
    imported value breaks.
    """
    data = read_json(bundle)
    index = Index(data)
    if index.errors:
        raise FhirError(index.errors)
    index.check_references()
    notes = tolerate_missing_sources(index)
    before = len(index.errors)
    check_dates(index)
    if len(index.errors) > before:
        raise FhirError(_unique(index.errors))  # reading on would compute with unreal dates
    check_subjects(index)
    reader = _Reader(index)
    reader.notes += notes
    document = reader.read(case_id)
    if index.errors:
        raise FhirError(_unique(index.errors))
    caller: dict[str, Any] = dict(extra or {})
    if request:
        caller["request"] = {**dict(obj(caller, "request")), **dict(request)}
    merge(document, caller)
    assumed_kind = "kind" not in document["request"]
    if assumed_kind:
        document["request"]["kind"] = "initial"
    from ..caseformat.serialize import load_case

    try:
        case = load_case(document)
    except InvalidCaseError as exc:
        lines = [out for line in exc.errors for out in reader.locate(line, caller)]
        raise FhirError(_unique(lines)) from None
    assumed = [line for line in reader.assumed if not given(caller, line.partition(": ")[0])]
    unfilled = _unfilled(case, assumed_kind) + assumed
    return ImportResult(case=case, unfilled=tuple(unfilled), notes=tuple(reader.notes))


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def _unfilled(case: Case, assumed_kind: bool) -> list[str]:
    out = [f"$.{name}: {why}" for name, why in _NOT_CARRIED if not getattr(case, name)]
    plan = case.plan
    out += [f"$.plan.{name}: {why}" for name, why in _PLAN_NOT_CARRIED if not getattr(plan, name)]
    out += [
        f"$.plan.{name}: {why}; give it with extra= if the plan has one"
        for name, why in _PLAN_CERTIFICATION
        if getattr(plan, name) is None
    ]
    if case.coverage.plan_state is None:
        out.append("$.coverage.plan_state: the state that regulates the plan is not coded")
    if case.coverage.member_services_phone is None:
        out.append("$.coverage.member_services_phone: the member's card line is not in FHIR")
    if not any(c.contact for c in case.clinicians):
        out.append("$.clinicians: no clinician is marked as the payer's contact")
    if assumed_kind:
        out.append("$.request.kind: not carried by a clinical bundle; 'initial' assumed")
    if case.request.kind != "initial" and case.request.authorization_number is None:
        out.append("$.request.authorization_number: the current authorization is not in FHIR")
    if case.request.kind == "appeal" and case.request.denial is None:
        out.append("$.request.denial: the decision being appealed is not in the bundle")
    return out


class _Reader(PlanReader):
    """Turns the indexed Bundle into a case document, remembering where each value came from."""

    def locate(self, line: str, caller: Mapping[str, Any]) -> list[str]:
        """Rewrite a case validation line to name the Bundle path(s) it came from."""
        path, _, rule = line.partition(": ")
        if path == "$.case_id":
            return [f"$.case_id: {rule} (the case_id argument)"]
        if given(caller, path):
            return [f"{path}: {rule} (given by the caller)"]
        hint = "; if the bundle cannot carry it, give it with extra=" if "missing" in rule else ""
        if path == "$.diagnoses" and self.unusable_conditions and not self.diagnoses_read:
            # no Condition had an ICD-10-CM code: name those Conditions, not the order
            return [
                f"{at}: {rule}; this Condition has no ICD-10-CM code (case {path})"
                for at in self.unusable_conditions
            ]
        probe = path
        while probe:
            if probe in self.origin:
                return [f"{self.origin[probe]}: {rule} (case {path}{hint})"]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return [f"{path}: {rule} (the bundle does not carry it; give it with extra=)"]

    def read(self, case_id: str) -> dict[str, Any]:
        index = self.index
        patients = index.of_type("Patient")
        if len(patients) != 1:
            count = "no Patient" if not patients else "more than one Patient"
            index.errors.append(f"$.entry: {count}; the bundle must hold exactly one")
        coverages = index.of_type("Coverage")
        if not coverages:
            index.errors.append("$.entry: no Coverage; the bundle must hold the patient's plan")
        order = program_order(index)
        if order is None:
            index.errors.append("$.entry: no ServiceRequest for the program (HCPCS or CPT code)")
        if index.errors:
            return {}
        assert order is not None  # noqa: S101 -- narrowed by the check above
        doc: dict[str, Any] = {"case_id": case_id}
        doc["patient"] = self.patient(patients[0])
        doc["coverage"] = self.coverage(self._coverage_of(order, coverages))
        program = self.program_entry(order)
        doc["program"] = self.program(program) if program else {}
        doc["clinicians"] = self.clinicians()
        doc["diagnoses"] = self.diagnoses(order)
        self.diagnoses_read = bool(doc["diagnoses"])
        meds = self.medications()
        if meds:
            doc["medications"] = meds
        measures, origins, notes = read_measures(index)
        for i, where in enumerate(origins):
            for inner, bundle_path in where.items():
                self._at(f"$.measures[{i}]{inner}", bundle_path)
        self.notes += notes
        if measures:
            doc["measures"] = measures
        history = self.history()
        if history:
            doc["history"] = history
        doc["plan"], doc["request"] = self.plan_and_request(order)
        return doc

    def _coverage_of(self, order: Entry, coverages: list[Entry]) -> Entry:
        """The Coverage the program's order names, else the first active one."""
        for i, ref in enumerate(items(order.resource, "insurance")):
            found = self.index.resolve(ref, f"{order.path}.insurance[{i}]", "Coverage")
            if found is not None:
                return found
        return active_coverage(coverages)

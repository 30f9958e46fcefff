"""US Core R4 Bundle → :class:`~iopauth.model.Case` (``case_from_bundle``).

The Bundle is read as plain JSON: no FHIR model library is needed at run time. Each case value
remembers the Bundle path it came from, so a rule the case validation breaks is reported at
that path (``$.entry[3].resource.birthDate: must be before the request_date``). What FHIR does
not carry (a risk assessment kept in notes, recorded LOCUS/ASAM ratings, …) stays unset and is
listed in :attr:`ImportResult.unfilled`, so the integration can ask a person.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import date
from typing import Any

from attrs import frozen

from ..errors import FhirError, InvalidCaseError
from ..model import Case
from . import _systems as cs
from ._bundle import Entry, Index, code_in, codings, day, items, obj, read_json, text
from ._measures import read_measures

__all__ = ["ImportResult", "case_from_bundle"]

_URGENT = frozenset({"urgent", "asap", "stat"})
_INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC"})
_UNITS = {"d": "per_diem", "h": "hour", "{session}": "session"}
_INACTIVE = frozenset({"inactive", "resolved", "remission"})

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
    ("signed_on", "the plan's signature date is not coded"),
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
    (``{"program": {"setting": "cmhc"}, "risk": {...}}``); both win over the Bundle.

    Raises :class:`~iopauth.errors.FhirError` with one line per problem, each naming the Bundle
    path and the rule, never the value.
    """
    data = read_json(bundle)
    index = Index(data)
    if index.errors:
        raise FhirError(index.errors)
    index.check_references()
    reader = _Reader(index)
    document = reader.read(case_id)
    if index.errors:
        raise FhirError(index.errors)
    caller: dict[str, Any] = dict(extra or {})
    if request:
        caller["request"] = {**dict(obj(caller, "request")), **dict(request)}
    _merge(document, caller)
    assumed_kind = "kind" not in document["request"]
    if assumed_kind:
        document["request"]["kind"] = "initial"
    from ..serialize import load_case

    try:
        case = load_case(document)
    except InvalidCaseError as exc:
        raise FhirError([reader.locate(line, caller) for line in exc.errors]) from None
    unfilled = _unfilled(case, document, assumed_kind) + reader.assumed
    return ImportResult(case=case, unfilled=tuple(unfilled), notes=tuple(reader.notes))


def _merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _unfilled(case: Case, document: dict[str, Any], assumed_kind: bool) -> list[str]:
    out = [f"$.{name}: {why}" for name, why in _NOT_CARRIED if not getattr(case, name)]
    plan = case.plan
    out += [f"$.plan.{name}: {why}" for name, why in _PLAN_NOT_CARRIED if not getattr(plan, name)]
    if case.coverage.plan_state is None:
        out.append("$.coverage.plan_state: the state that regulates the plan is not coded")
    if not any(c.contact for c in case.clinicians):
        out.append("$.clinicians: no clinician is marked as the payer's contact")
    if assumed_kind:
        out.append("$.request.kind: not carried by a clinical bundle; 'initial' assumed")
    if case.request.kind != "initial" and case.request.authorization_number is None:
        out.append("$.request.authorization_number: the current authorization is not in FHIR")
    if case.request.kind == "appeal" and case.request.denial is None:
        out.append("$.request.denial: the decision being appealed is not in the bundle")
    return out


class _Reader:
    """Turns the indexed Bundle into a case document, remembering where each value came from."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.origin: dict[str, str] = {}
        self.notes: list[str] = []
        self.assumed: list[str] = []

    # ----------------------------------------------------------------- error paths

    def locate(self, line: str, caller: Mapping[str, Any]) -> str:
        """Rewrite a case validation line to name the Bundle path it came from."""
        path, _, rule = line.partition(": ")
        probe = path
        while probe:
            if probe in self.origin:
                return f"{self.origin[probe]}: {rule} (case {path})"
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        top = path[2:].split(".")[0].split("[")[0]
        if top in caller:
            return f"{path}: {rule} (given by the caller)"
        return f"{path}: {rule} (the bundle does not carry it; pass it with extra=)"

    def _at(self, case_path: str, bundle_path: str) -> None:
        self.origin[case_path] = bundle_path

    # ----------------------------------------------------------------- the case

    def read(self, case_id: str) -> dict[str, Any]:
        index = self.index
        patients = index.of_type("Patient")
        if len(patients) != 1:
            count = "no Patient" if not patients else "more than one Patient"
            index.errors.append(f"$.entry: {count}; the bundle must hold exactly one")
        coverages = index.of_type("Coverage")
        if not coverages:
            index.errors.append("$.entry: no Coverage; the bundle must hold the patient's plan")
        order = _program_order(index)
        if order is None:
            index.errors.append("$.entry: no ServiceRequest for the program (HCPCS or CPT code)")
        if index.errors:
            return {}
        assert order is not None  # noqa: S101 -- narrowed by the check above
        doc: dict[str, Any] = {"case_id": case_id}
        doc["patient"] = self.patient(patients[0])
        doc["coverage"] = self.coverage(_active(coverages))
        program = self.program_entry(order)
        doc["program"] = self.program(program) if program else {}
        doc["clinicians"] = self.clinicians()
        doc["diagnoses"] = self.diagnoses(order)
        meds = self.medications()
        if meds:
            doc["medications"] = meds
        measures, origins, notes = read_measures(index)
        for i, where in enumerate(origins):
            self._at(f"$.measures[{i}]", where)
        self.notes += notes
        if measures:
            doc["measures"] = measures
        history = self.history()
        if history:
            doc["history"] = history
        doc["plan"], doc["request"] = self.plan_and_request(order)
        return doc

    def patient(self, entry: Entry) -> dict[str, Any]:
        p, at = entry.resource, entry.path
        self._at("$.patient", at)
        names = [n for n in items(p, "name") if isinstance(n, dict)]
        name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
        given = [g for g in items(name, "given") if isinstance(g, str)]
        person = _drop_none(
            given=given[0] if given else None,
            middle=" ".join(given[1:]) or None,
            family=text(name, "family"),
            suffix=" ".join(s for s in items(name, "suffix") if isinstance(s, str)) or None,
        )
        self._at("$.patient.name", f"{at}.name")
        self._at("$.patient.birth_date", f"{at}.birthDate")
        self._at("$.patient.sex", f"{at}.gender")
        out = {"name": person, "birth_date": p.get("birthDate"), "sex": p.get("gender")}
        comms = [c for c in items(p, "communication") if isinstance(c, dict)]
        comm = next((c for c in comms if c.get("preferred") is True), comms[0] if comms else None)
        if comm is not None:
            lang = obj(comm, "language")
            language = code_in(lang, cs.BCP47) or text(lang, "text")
            out["preferred_language"] = language
            self._at("$.patient.preferred_language", f"{at}.communication")
        out.update(self._telecom(p, at, "$.patient", ("phone", "email")))
        address = _address(p)
        if address is not None:
            out["address"] = address
            self._at("$.patient.address", f"{at}.address[0]")
        return _drop_none(**out)

    def _telecom(
        self, resource: dict[str, Any], at: str, case_at: str, wanted: tuple[str, ...]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, point in enumerate(items(resource, "telecom")):
            system, value = obj({"t": point}, "t").get("system"), text(point, "value")
            if system in wanted and value and system not in out:
                out[system] = value
                self._at(f"{case_at}.{system}", f"{at}.telecom[{i}]")
        return out

    def coverage(self, entry: Entry) -> dict[str, Any]:
        c, at = entry.resource, entry.path
        self._at("$.coverage", at)
        self.index.resolve(c.get("beneficiary"), f"{at}.beneficiary", "Patient")
        payors = items(c, "payor")
        payer = self.index.resolve(payors[0] if payors else None, f"{at}.payor[0]", "Organization")
        out: dict[str, Any] = {}
        if payer is None:
            self.index.errors.append(f"{at}.payor: required: a reference to the payer Organization")
        else:
            org, org_at = payer.resource, payer.path
            out["payer_name"] = text(org, "name")
            self._at("$.coverage.payer_name", f"{org_at}.name")
            for ident in items(org, "identifier"):
                if code_in(obj(ident, "type"), cs.C4BB_IDENTIFIER) == "payerid":
                    out["payer_id"] = text(ident, "value")
            phones = self._telecom(org, org_at, "$.coverage", ("phone", "fax"))
            out["um_phone"], out["um_fax"] = phones.get("phone"), phones.get("fax")
        out["plan_type"] = _plan_type(c.get("type"))
        self._at("$.coverage.plan_type", f"{at}.type")
        member = next(
            (
                text(i, "value")
                for i in items(c, "identifier")
                if code_in(obj(i, "type"), cs.V2_0203) == "MB"
            ),
            None,
        )
        out["member_id"] = member or text(c, "subscriberId")
        self._at("$.coverage.member_id", f"{at}.identifier")
        for i, cls in enumerate(items(c, "class")):
            kind = code_in(obj(cls, "type"), cs.COVERAGE_CLASS)
            if kind == "group":
                out["group_number"] = text(cls, "value")
                self._at("$.coverage.group_number", f"{at}.class[{i}].value")
            elif kind == "plan":
                out["plan_name"] = text(cls, "name") or text(cls, "value")
                self._at("$.coverage.plan_name", f"{at}.class[{i}].name")
        relation = code_in(c.get("relationship"), cs.SUBSCRIBER_RELATIONSHIP)
        if relation is not None:
            known = relation in ("self", "spouse", "child")
            out["subscriber_relation"] = relation if known else "other"
        return _drop_none(**out)

    def program_entry(self, order: Entry) -> Entry | None:
        sr, at = order.resource, order.path
        for i, ref in enumerate(items(sr, "performer")):
            found = self.index.resolve(ref, f"{at}.performer[{i}]")
            if found is not None and found.type == "Organization":
                return found
        payers = {
            id(e.resource)
            for c in self.index.of_type("Coverage")
            for ref in items(c.resource, "payor")
            if (e := self.index.resolve(ref, f"{c.path}.payor")) is not None
        }
        others = [e for e in self.index.of_type("Organization") if id(e.resource) not in payers]
        if len(others) != 1:
            self.index.errors.append(
                f"{at}.performer: name the program's Organization (the bundle holds "
                f"{len(others)} Organizations besides the payer)"
            )
            return None
        return others[0]

    def program(self, entry: Entry) -> dict[str, Any]:
        org, at = entry.resource, entry.path
        self._at("$.program", at)
        out: dict[str, Any] = {"name": text(org, "name")}
        for i, ident in enumerate(items(org, "identifier")):
            system = obj({"i": ident}, "i").get("system")
            is_tax = code_in(obj(ident, "type"), cs.V2_0203) == "TAX"
            if system == cs.NPI:
                out["npi"] = text(ident, "value")
                self._at("$.program.npi", f"{at}.identifier[{i}]")
            elif system in (cs.TIN, cs.TIN_OID) or is_tax:
                out["tin"] = text(ident, "value")
                self._at("$.program.tin", f"{at}.identifier[{i}]")
        out["setting"] = _first_code(items(org, "type"), cs.SETTING)
        self._at("$.program.setting", f"{at}.type")
        address = _address(org)
        if address is not None:
            out["address"] = address
            self._at("$.program.address", f"{at}.address[0]")
        out.update(self._telecom(org, at, "$.program", ("phone", "fax", "email")))
        return _drop_none(**out)

    def clinicians(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for role in self.index.of_type("PractitionerRole"):
            r, at = role.resource, role.path
            person = self.index.resolve(r.get("practitioner"), f"{at}.practitioner", "Practitioner")
            if person is None:
                continue
            p = person.resource
            names = [n for n in items(p, "name") if isinstance(n, dict)]
            name = names[0] if names else {}
            given = [g for g in items(name, "given") if isinstance(g, str)]
            quals = [q for q in items(p, "qualification") if isinstance(q, dict)]
            qual = obj(quals[0], "code") if quals else {}
            credentials = text(qual, "text") or next((text(c, "code") for c in codings(qual)), None)
            case_at = f"$.clinicians[{len(out)}]"
            self._at(case_at, person.path)
            self._at(f"{case_at}.role", f"{at}.code")
            role_code = _first_code(items(r, "code"), cs.CLINICIAN_ROLE)
            if role_code is None:
                role_code = "other"
                self.assumed.append(
                    f"{case_at}.role: the PractitionerRole has no role iopauth reads; "
                    "'other' assumed"
                )
            npi = next(
                (
                    text(i, "value")
                    for i in items(p, "identifier")
                    if obj({"i": i}, "i").get("system") == cs.NPI
                ),
                None,
            )
            phones = self._telecom(r, at, case_at, ("phone",)) or self._telecom(
                p, person.path, case_at, ("phone",)
            )
            out.append(
                _drop_none(
                    name=_drop_none(
                        given=given[0] if given else None,
                        middle=" ".join(given[1:]) or None,
                        family=text(name, "family"),
                    ),
                    credentials=credentials,
                    role=role_code,
                    npi=npi,
                    phone=phones.get("phone"),
                )
            )
        return out

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
                _drop_none(
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
                _drop_none(
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
            level = _first_code(items(e, "type"), cs.LEVEL_OF_CARE)
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
                _drop_none(
                    level=level,
                    period=_drop_none(start=day(period.get("start")), end=day(period.get("end"))),
                    outcome=outcome,
                    provider=text(provider, "display"),
                )
            )
        return out

    def plan_and_request(self, order: Entry) -> tuple[dict[str, Any], dict[str, Any]]:
        sr, at = order.resource, order.path
        self._at("$.plan", at)
        self._at("$.request", at)
        code = obj(sr, "code")
        service = code_in(code, cs.HCPCS, cs.CPT)
        repeat = obj(obj(sr, "occurrenceTiming"), "repeat")
        bounds = obj(repeat, "boundsPeriod")
        self._at("$.request.period", f"{at}.occurrenceTiming.repeat.boundsPeriod")
        self._at("$.plan.schedule", f"{at}.occurrenceTiming.repeat")
        request: dict[str, Any] = _drop_none(
            request_date=day(sr.get("authoredOn")),
            period=_drop_none(start=day(bounds.get("start")), end=day(bounds.get("end"))),
            service_code=service,
            revenue_code=code_in(code, cs.REVENUE, cs.REVENUE_OLD),
            urgency="expedited" if sr.get("priority") in _URGENT else "standard",
            unit_type=_UNITS.get(str(obj(sr, "quantityQuantity").get("code"))),
        )
        self._at("$.request.request_date", f"{at}.authoredOn")
        self._at("$.request.service_code", f"{at}.code")
        documents = self.documents()
        if documents:
            request["documents"] = documents
        level = _first_code(items(sr, "category"), cs.LEVEL_OF_CARE)
        if level is None and service is not None:
            from ..codes import service_code

            info = service_code(service)
            level = info.level if info is not None else None
        self._at("$.plan.level", f"{at}.category")
        plan: dict[str, Any] = _drop_none(level=level, schedule=_schedule(repeat))
        care_plan = self._care_plan(order)
        if care_plan is not None:
            cp_period = obj(care_plan.resource, "period")
            start, end = day(cp_period.get("start")), day(cp_period.get("end"))
            self._at("$.plan.start_date", f"{care_plan.path}.period.start")
            self._at("$.plan.weeks", f"{care_plan.path}.period")
            plan["start_date"] = start
            if start and end:
                days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
                plan["weeks"] = math.ceil(days / 7)
        else:
            asked = request.get("period", {})
            start, end = asked.get("start"), asked.get("end")
            plan["start_date"] = start
            if start and end:
                days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
                plan["weeks"] = math.ceil(days / 7)
            self.assumed.append("$.plan.start_date: no CarePlan; taken from the requested period")
            self.assumed.append("$.plan.weeks: no CarePlan; taken from the requested period")
        return _drop_none(**plan), request

    def _care_plan(self, order: Entry) -> Entry | None:
        plans = self.index.of_type("CarePlan")
        for entry in plans:
            for i, act in enumerate(items(entry.resource, "activity")):
                ref = obj(act, "reference")
                target = self.index.resolve(ref, f"{entry.path}.activity[{i}].reference")
                if target is order:
                    return entry
        return plans[0] if len(plans) == 1 else None

    def documents(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for entry in self.index.of_type("DocumentReference"):
            d, at = entry.resource, entry.path
            if d.get("status") not in (None, "current"):
                continue
            kind = code_in(d.get("type"), cs.DOCUMENT_KIND)
            self._at(f"$.request.documents[{len(out)}]", at)
            out.append(
                _drop_none(
                    kind=kind or "other",
                    dated=day(d.get("date")),
                    title=text(d, "description"),
                )
            )
        return out


def _program_order(index: Index) -> Entry | None:
    """The ServiceRequest for the program: one with a level-of-care category, else the first."""
    orders = [
        e
        for e in index.of_type("ServiceRequest")
        if code_in(e.resource.get("code"), cs.HCPCS, cs.CPT)
        and e.resource.get("status") not in ("revoked", "entered-in-error")
    ]
    for entry in orders:
        if any(code_in(c, cs.LEVEL_OF_CARE) for c in items(entry.resource, "category")):
            return entry
    return orders[0] if orders else None


def _active(entries: list[Entry]) -> Entry:
    return next((e for e in entries if e.resource.get("status") == "active"), entries[0])


def _plan_type(concept: object) -> str | None:
    ours = code_in(concept, cs.PLAN_TYPE)
    if ours is not None:
        return ours
    sopt = code_in(concept, cs.SOPT, cs.SOPT_OID)
    if sopt is None:
        return None
    for prefix in (sopt, sopt[:2], sopt[:1]):
        if prefix in cs.SOPT_PLAN_TYPES:
            return cs.SOPT_PLAN_TYPES[prefix]
    return None


def _address(resource: dict[str, Any]) -> dict[str, Any] | None:
    addresses = [a for a in items(resource, "address") if isinstance(a, dict)]
    if not addresses:
        return None
    a = next((x for x in addresses if x.get("use") == "home"), addresses[0])
    return _drop_none(
        lines=[line for line in items(a, "line") if isinstance(line, str)],
        city=text(a, "city"),
        state=text(a, "state"),
        postal_code=text(a, "postalCode"),
        country=text(a, "country"),
    )


def _schedule(repeat: dict[str, Any]) -> dict[str, Any] | None:
    duration = repeat.get("duration")
    unit = repeat.get("durationUnit")
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        return None
    minutes = duration * 60 if unit == "h" else duration
    days = [d for d in items(repeat, "dayOfWeek") if isinstance(d, str)]
    if days:
        return {"sessions": [{"day": d, "minutes": round(minutes)} for d in days]}
    frequency = repeat.get("frequency")
    return _drop_none(
        days_per_week=frequency if repeat.get("periodUnit") == "wk" else None,
        hours_per_day=minutes / 60,
    )


def _quantity_text(quantity: dict[str, Any]) -> str | None:
    value = quantity.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    number = f"{value:g}"
    unit = text(quantity, "unit") or text(quantity, "code")
    return f"{number} {unit}" if unit else number


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None and v not in ([], {})}


def _first_code(concepts: list[Any], system: str) -> str | None:
    """The first code in ``system`` among several CodeableConcepts."""
    return next((c for c in (code_in(x, system) for x in concepts) if c is not None), None)

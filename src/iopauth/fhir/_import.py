"""US Core R4 Bundle → :class:`~iopauth.model.Case` (``case_from_bundle``).

The Bundle is read as plain JSON: no FHIR model library is needed at run time. Each case value
remembers the Bundle path it came from, so a rule the case validation breaks is reported at
that path (``$.entry[3].resource.birthDate: must be before the request_date``). What FHIR does
not carry (a risk assessment kept in notes, recorded LOCUS/ASAM ratings, …) stays unset and is
listed in :attr:`ImportResult.unfilled`, so the integration can ask a person.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping
from datetime import date
from typing import Any

from attrs import frozen

from ..errors import FhirError, InvalidCaseError
from ..model import Case
from . import _systems as cs
from ._bundle import Entry, Index, code_in, day, drop_none, first_code, items, obj, read_json, text
from ._import_parts import PartsReader
from ._import_people import active_coverage
from ._measures import read_measures

__all__ = ["ImportResult", "case_from_bundle"]

_URGENT = frozenset({"urgent", "asap", "stat"})
_UNITS = {"d": "per_diem", "h": "hour", "{session}": "session"}

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
    from ..caseformat.serialize import load_case

    try:
        case = load_case(document)
    except InvalidCaseError as exc:
        raise FhirError([reader.locate(line, caller) for line in exc.errors]) from None
    unfilled = _unfilled(case, assumed_kind) + reader.assumed
    return ImportResult(case=case, unfilled=tuple(unfilled), notes=tuple(reader.notes))


def _given(caller: Mapping[str, Any], path: str) -> bool:
    """Whether the caller's ``request``/``extra`` supplied the value at a case path."""
    node: Any = caller
    for part in path.removeprefix("$.").replace("[", ".[").split("."):
        if part.startswith("["):
            index = int(part[1:-1]) if part[1:-1].isdigit() else -1
            if not isinstance(node, list) or not 0 <= index < len(node):
                return False
            node = node[index]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False
    return True


def _merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)  # never share (and later change) the caller's


def _unfilled(case: Case, assumed_kind: bool) -> list[str]:
    out = [f"$.{name}: {why}" for name, why in _NOT_CARRIED if not getattr(case, name)]
    plan = case.plan
    out += [f"$.plan.{name}: {why}" for name, why in _PLAN_NOT_CARRIED if not getattr(plan, name)]
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


class _Reader(PartsReader):
    """Turns the indexed Bundle into a case document, remembering where each value came from."""

    def locate(self, line: str, caller: Mapping[str, Any]) -> str:
        """Rewrite a case validation line to name the Bundle path it came from."""
        path, _, rule = line.partition(": ")
        if path == "$.case_id":
            return f"$.case_id: {rule} (the case_id argument)"
        if _given(caller, path):
            return f"{path}: {rule} (given by the caller)"
        hint = "; if the bundle cannot carry it, give it with extra=" if "missing" in rule else ""
        probe = path
        while probe:
            if probe in self.origin:
                return f"{self.origin[probe]}: {rule} (case {path}{hint})"
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return f"{path}: {rule} (the bundle does not carry it; give it with extra=)"

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
        doc["coverage"] = self.coverage(self._coverage_of(order, coverages))
        program = self.program_entry(order)
        doc["program"] = self.program(program) if program else {}
        doc["clinicians"] = self.clinicians()
        doc["diagnoses"] = self.diagnoses(order)
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
        request: dict[str, Any] = drop_none(
            request_date=day(sr.get("authoredOn")),
            period=drop_none(start=day(bounds.get("start")), end=day(bounds.get("end"))),
            service_code=service,
            revenue_code=code_in(code, cs.REVENUE, cs.REVENUE_OLD),
            urgency="expedited" if text(sr, "priority") in _URGENT else "standard",
            unit_type=_UNITS.get(str(obj(sr, "quantityQuantity").get("code"))),
        )
        self._at("$.request.request_date", f"{at}.authoredOn")
        self._at("$.request.service_code", f"{at}.code")
        documents = self.documents()
        if documents:
            request["documents"] = documents
        level = first_code(items(sr, "category"), cs.LEVEL_OF_CARE)
        if level is None and service is not None:
            from ..codes import service_code

            info = service_code(service)
            level = info.level if info is not None else None
        self._at("$.plan.level", f"{at}.category")
        plan: dict[str, Any] = drop_none(level=level, schedule=_schedule(repeat))
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
        return drop_none(**plan), request

    def _coverage_of(self, order: Entry, coverages: list[Entry]) -> Entry:
        """The Coverage the program's order names, else the first active one."""
        for i, ref in enumerate(items(order.resource, "insurance")):
            found = self.index.resolve(ref, f"{order.path}.insurance[{i}]", "Coverage")
            if found is not None:
                return found
        return active_coverage(coverages)

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
                drop_none(
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


def _schedule(repeat: dict[str, Any]) -> dict[str, Any] | None:
    duration = repeat.get("duration")
    unit = repeat.get("durationUnit")
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        return None
    if unit not in ("h", "min"):
        return None  # a session length in days or seconds is no program schedule
    # keep the number as given in its own unit: converting there and back loses precision
    hours = duration if unit == "h" else duration / 60
    minutes = duration * 60 if unit == "h" else duration
    days = [d for d in items(repeat, "dayOfWeek") if isinstance(d, str)]
    if days:
        return {"sessions": [{"day": d, "minutes": round(minutes)} for d in days]}
    frequency = repeat.get("frequency")
    return drop_none(
        days_per_week=frequency if text(repeat, "periodUnit") == "wk" else None,
        hours_per_day=hours,
    )

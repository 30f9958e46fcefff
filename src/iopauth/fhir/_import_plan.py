"""Reading the program's order, its CarePlan and the plan's certification from a US Core Bundle.

:class:`PlanReader` adds to :class:`~._import_parts.PartsReader` the request (the program's
ServiceRequest), the plan (its schedule, the CarePlan's period) and the plan's physician
certification, signature and review, which FHIR carries as a **Provenance** whose ``target``
is the CarePlan: an agent of type ``attester`` (provenance-participant-type) is the certifying
physician (``certified_by_npi``: the NPI of ``agent.who``, a Practitioner(Role) or a logical
reference by NPI identifier; ``certified_on``: the day of ``recorded``), one of type ``author``
the plan's signature (``signed_on``), one of type ``verifier`` a review (``last_reviewed``: the
latest such day). A week whose sessions differ in length is read from the CarePlan's
activities, one ``detail.scheduledTiming`` per session.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from . import _systems as cs
from ._bundle import Entry, Index, code_in, day, drop_none, first_code, items, obj, text
from ._import_parts import PartsReader

__all__ = ["PROVENANCE_TYPE", "PlanReader", "program_order"]

PROVENANCE_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
_URGENT = frozenset({"urgent", "asap", "stat"})
_UNITS = {"d": "per_diem", "h": "hour", "{session}": "session"}


class PlanReader(PartsReader):
    """Reads the request and plan as well as the people and the clinical record."""

    def plan_and_request(self, order: Entry) -> tuple[dict[str, Any], dict[str, Any]]:
        sr, at = order.resource, order.path
        self._at("$.plan", at)
        self._at("$.request", at)
        code = obj(sr, "code")
        service = code_in(code, *cs.HCPCS_SYSTEMS, cs.CPT)
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
            plan.update(self._certification(care_plan))
            if "schedule" not in plan:
                sessions = _activity_sessions(care_plan.resource)
                if sessions:
                    plan["schedule"] = {"sessions": sessions}
                    self._at("$.plan.schedule", f"{care_plan.path}.activity")
        else:
            asked = request.get("period", {})
            start, end = asked.get("start"), asked.get("end")
            self.assumed.append("$.plan.start_date: no CarePlan; taken from the requested period")
            self.assumed.append("$.plan.weeks: no CarePlan; taken from the requested period")
        plan["start_date"] = start
        if start and end:
            days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
            plan["weeks"] = math.ceil(days / 7)
        return drop_none(**plan), request

    def _certification(self, care_plan: Entry) -> dict[str, Any]:
        """The certification (attester), signature (author) and last review (verifier)."""
        out: dict[str, Any] = {}
        reviews: list[tuple[str, str]] = []
        for entry in self.index.of_type("Provenance"):
            p, at = entry.resource, entry.path
            targets = [
                self.index.resolve(ref, f"{at}.target[{i}]")
                for i, ref in enumerate(items(p, "target"))
            ]
            if not any(t is care_plan for t in targets):
                continue
            when = day(p.get("recorded")) or day(p.get("occurredDateTime"))
            for i, agent in enumerate(items(p, "agent")):
                kind = code_in(obj(agent, "type"), PROVENANCE_TYPE)
                if kind == "attester" and "certified_on" not in out:
                    self._at("$.plan.certified_on", f"{at}.recorded")
                    self._at("$.plan.certified_by_npi", f"{at}.agent[{i}].who")
                    out["certified_on"] = when
                    out["certified_by_npi"] = self._npi_of(obj(agent, "who"), f"{at}.agent[{i}]")
                elif kind == "author" and "signed_on" not in out:
                    self._at("$.plan.signed_on", f"{at}.recorded")
                    out["signed_on"] = when
                elif kind == "verifier" and when is not None:
                    reviews.append((when, f"{at}.recorded"))
        if reviews:
            latest, where = max(reviews)
            out["last_reviewed"] = latest
            self._at("$.plan.last_reviewed", where)
        return drop_none(**out)

    def _npi_of(self, ref: object, at: str) -> str | None:
        """The NPI of an agent: a logical reference's identifier, or its Practitioner's."""
        ident = obj(ref, "identifier")
        if ident.get("system") == cs.NPI and isinstance(ref, dict) and "reference" not in ref:
            return text(ident, "value")
        kinds = ("Practitioner", "PractitionerRole", "Organization")
        who = self.index.resolve(ref, f"{at}.who", *kinds)
        if who is not None and who.type == "Organization":
            return None  # certified, but the physician is not named
        if who is not None and who.type == "PractitionerRole":
            who = self.index.resolve(
                who.resource.get("practitioner"), f"{who.path}.practitioner", "Practitioner"
            )
        if who is None:
            return None
        return next(
            (
                text(i, "value")
                for i in items(who.resource, "identifier")
                if isinstance(i, dict) and i.get("system") == cs.NPI
            ),
            None,
        )

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


def program_order(index: Index) -> Entry | None:
    """The ServiceRequest for the program: one with a level-of-care category, else the first."""
    orders = [
        e
        for e in index.of_type("ServiceRequest")
        if code_in(e.resource.get("code"), *cs.HCPCS_SYSTEMS, cs.CPT)
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


def _activity_sessions(care_plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Sessions of differing lengths, one per CarePlan activity ``detail.scheduledTiming``.

    One Timing carries one duration, so a week whose sessions differ in length is written (by
    ``bundle_from_case``) as one planned activity per session, each on one ``dayOfWeek``.
    """
    out: list[dict[str, Any]] = []
    for act in items(care_plan, "activity"):
        repeat = obj(obj(obj(act, "detail"), "scheduledTiming"), "repeat")
        session = _schedule(repeat)
        if session is not None and len(session.get("sessions", ())) == 1:
            out += session["sessions"]
    return out

"""Reading the people of a US Core Bundle: the patient, the coverage and payer, the program.

:class:`PeopleReader` turns these resources into case-document fragments and remembers, for
each case path, the Bundle path it came from (``origin``), so validation errors can name the
Bundle; it also keeps the notes and assumptions the import reports. The clinicians are read by
its subclass in :mod:`._import_clinicians`, the clinical record (diagnoses, medications,
history) by :mod:`._import_parts`.
"""

from __future__ import annotations

import re
from typing import Any

from . import _systems as cs
from ._bundle import Entry, Index, code_in, codings, drop_none, first_code, items, obj, text

__all__ = ["PeopleReader", "active_coverage"]

_COUNTRY_IN_PARENS = re.compile(r"^\(\+(\d{1,3})\)\s*", re.ASCII)


class PeopleReader:
    """Reads the patient, coverage and program, remembering where each came from."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.origin: dict[str, str] = {}
        self.notes: list[str] = []
        self.assumed: list[str] = []
        self.unusable_conditions: list[str] = []  # Condition paths with no ICD-10-CM code
        self.diagnoses_read = False

    def _at(self, case_path: str, bundle_path: str) -> None:
        self.origin[case_path] = bundle_path

    def patient(self, entry: Entry) -> dict[str, Any]:
        p, at = entry.resource, entry.path
        self._at("$.patient", at)
        names = [n for n in items(p, "name") if isinstance(n, dict)]
        name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
        given = [g for g in items(name, "given") if isinstance(g, str)]
        person = drop_none(
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
        out["guardian"] = self._guardian(p, at)
        return drop_none(**out)

    def _guardian(self, p: dict[str, Any], at: str) -> dict[str, Any] | None:
        """The first Patient.contact with a name and a relationship: a minor's guardian."""
        for i, contact in enumerate(items(p, "contact")):
            name = obj(contact, "name")
            relations = [r for r in items(contact, "relationship") if isinstance(r, dict)]
            relationship = next(
                (
                    text(r, "text") or next((text(c, "display") for c in codings(r)), None)
                    for r in relations
                ),
                None,
            )
            if not name or relationship is None:
                continue
            given = [g for g in items(name, "given") if isinstance(g, str)]
            self._at("$.patient.guardian", f"{at}.contact[{i}]")
            phones = {
                t.get("system"): text(t, "value")
                for t in reversed(items(contact, "telecom"))
                if isinstance(t, dict) and t.get("system") in ("phone", "email")
            }
            return drop_none(
                name=drop_none(
                    given=given[0] if given else None,
                    middle=" ".join(given[1:]) or None,
                    family=text(name, "family"),
                    suffix=" ".join(x for x in items(name, "suffix") if isinstance(x, str)) or None,
                ),
                relationship=relationship,
                phone=phones.get("phone"),
                email=phones.get("email"),
            )
        return None

    def _telecom(
        self, resource: dict[str, Any], at: str, case_at: str, wanted: tuple[str, ...]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, point in enumerate(items(resource, "telecom")):
            system, value = obj({"t": point}, "t").get("system"), text(point, "value")
            if value is not None and system in ("phone", "fax"):
                # a country code written in parentheses, as US Core's payer example writes
                # "(+1) 555-555-5555": the same number in the form the case rules read
                value = _COUNTRY_IN_PARENS.sub(r"+\1 ", value.strip())
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
        return drop_none(**out)

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
        out["setting"] = first_code(items(org, "type"), cs.SETTING)
        self._at("$.program.setting", f"{at}.type")
        address = _address(org)
        if address is not None:
            out["address"] = address
            self._at("$.program.address", f"{at}.address[0]")
        out.update(self._telecom(org, at, "$.program", ("phone", "fax", "email")))
        return drop_none(**out)


def active_coverage(entries: list[Entry]) -> Entry:
    """The first active Coverage, else the first."""
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
    return drop_none(
        lines=[line for line in items(a, "line") if isinstance(line, str)],
        city=text(a, "city"),
        state=text(a, "state"),
        postal_code=text(a, "postalCode"),
        country=text(a, "country"),
    )

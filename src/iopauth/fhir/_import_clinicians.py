"""Reading the clinicians of a US Core Bundle: PractitionerRoles and Practitioners.

:class:`ClinicianReader` adds the clinicians to :class:`~._import_people.PeopleReader`:
credentials from the qualification or the name's suffix, roles from iopauth's code, a NUCC
taxonomy code or the role's words (docs/fhir.md).
"""

from __future__ import annotations

from typing import Any

from . import _systems as cs
from ._bundle import Entry, code_in, codings, drop_none, first_code, items, obj, text
from ._import_people import PeopleReader

__all__ = ["NUCC", "NUCC_ROLES", "ClinicianReader"]


class ClinicianReader(PeopleReader):
    """Reads the people of the Bundle, clinicians included."""

    def clinicians(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        pairs: list[tuple[dict[str, Any], str, Entry]] = []
        for role in self.index.of_type("PractitionerRole"):
            r, at = role.resource, role.path
            person = self.index.resolve(r.get("practitioner"), f"{at}.practitioner", "Practitioner")
            if person is not None:
                pairs.append((r, at, person))
        # a Practitioner no PractitionerRole names is a clinician too (its qualification may
        # carry a NUCC taxonomy code)
        named = {id(person.resource) for _, _, person in pairs}
        pairs += [
            ({}, e.path, e)
            for e in self.index.of_type("Practitioner")
            if id(e.resource) not in named
        ]
        for r, at, person in pairs:
            p = person.resource
            names = [n for n in items(p, "name") if isinstance(n, dict)]
            name = names[0] if names else {}
            given = [g for g in items(name, "given") if isinstance(g, str)]
            credentials = _credentials(p, name)
            # a suffix read as the credentials ("MD") is not also part of the name
            from_suffix = credentials != _credentials(p, {})
            suffix = (
                None
                if from_suffix
                else " ".join(x for x in items(name, "suffix") if isinstance(x, str)) or None
            )
            case_at = f"$.clinicians[{len(out)}]"
            self._at(case_at, person.path)
            self._at(f"{case_at}.role", f"{at}.code")
            quals = [obj(q, "code") for q in items(p, "qualification")]
            role_code = (
                first_code(items(r, "code"), cs.CLINICIAN_ROLE)
                or _role_by_taxonomy([*items(r, "code"), *items(r, "specialty"), *quals])
                or _role_in_words(items(r, "code"))
            )
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
                drop_none(
                    name=drop_none(
                        given=given[0] if given else None,
                        middle=" ".join(given[1:]) or None,
                        family=text(name, "family"),
                        suffix=suffix,
                    ),
                    credentials=credentials,
                    role=role_code,
                    npi=npi,
                    phone=phones.get("phone"),
                )
            )
        return out


# NUCC Health Care Provider Taxonomy (system http://nucc.org/provider-taxonomy) -> our role.
# The domain files hold no taxonomy codes (codes.md has none): 2084P0800X (Psychiatry) is the
# code the team's brief names; the others are as HL7 publishes the NUCC code set in FHIR R4's
# provider-taxonomy value set (hl7.org/fhir/valueset-provider-taxonomy.html) and in US Core's
# provider-role value set (Counselor 101Y00000X, Psychologist 103T00000X, Social Worker
# 104100000X, Marriage & Family Therapist 106H00000X). Not mapped, because we could not check
# them against a published NUCC list here: psychiatric nurse practitioner, clinical social
# worker and psychiatric registered nurse specializations (a role iopauth then reads from words,
# or assumes 'other' and says so). Which role a licence plays on a case is our reading: the
# counsellor, social worker and family-therapist licences are the program's therapists.
NUCC = "http://nucc.org/provider-taxonomy"
NUCC_ROLES = {
    "2084P0800X": "psychiatrist",  # Psychiatry & Neurology, Psychiatry
    "103T00000X": "psychologist",  # Psychologist
    "103TC0700X": "psychologist",  # Psychologist, Clinical
    "101Y00000X": "therapist",  # Counselor
    "101YM0800X": "therapist",  # Counselor, Mental Health
    "101YA0400X": "therapist",  # Counselor, Addiction (Substance Use Disorder)
    "104100000X": "therapist",  # Social Worker
    "106H00000X": "therapist",  # Marriage & Family Therapist
}
# HL7 v2 table 0360 (degree/licence), as Da Vinci Plan-Net writes Practitioner.qualification
V2_0360 = "http://terminology.hl7.org/CodeSystem/v2-0360"


def _credentials(practitioner: dict[str, Any], name: dict[str, Any]) -> str | None:
    """The clinician's credentials as written: a qualification's text, its v2-0360 degree code
    (Plan-Net), the name's suffix (``["MD"]``), else a qualification coding's display. A NUCC
    taxonomy qualification is a specialty, not a credential, and is passed over here."""
    quals = [obj(q, "code") for q in items(practitioner, "qualification")]
    degrees = [q for q in quals if not code_in(q, NUCC)]
    for concept in degrees:
        written = text(concept, "text")
        if written:
            return written
    for concept in degrees:
        for coding in codings(concept):
            system, code = str(coding.get("system", "")), text(coding, "code")
            if code and system.split("|", maxsplit=1)[0] == V2_0360:
                return code
    suffix = [s for s in items(name, "suffix") if isinstance(s, str) and s.strip()]
    if suffix:
        return ", ".join(suffix)
    # last, a licence named only in a coding's display ("Medical Doctor")
    return next((d for q in degrees for c in codings(q) if (d := text(c, "display"))), None)


def _role_by_taxonomy(concepts: list[Any]) -> str | None:
    """Our role for the first NUCC taxonomy code we map, among several CodeableConcepts."""
    for concept in concepts:
        for coding in codings(concept):
            if coding.get("system") == NUCC and (code := text(coding, "code")) in NUCC_ROLES:
                return NUCC_ROLES[code]
    return None


def _role_in_words(concepts: list[Any]) -> str | None:
    """A role written in words that name one of ours ("Psychiatrist", "Case manager")."""
    from ..model import ClinicianRole

    known = {r.value for r in ClinicianRole} - {"other"}
    for concept in concepts:
        words = [text(concept, "text"), *(text(c, "display") for c in codings(concept))]
        for word in words:
            key = (word or "").strip().lower().replace(" ", "_").replace("-", "_")
            if key in known:
                return key
    return None

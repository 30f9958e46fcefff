"""Field and cross-field rules of a case, checked after the JSON has been structured.

These rules refuse only what is **invalid**: a value that cannot be represented or a fact that
is impossible (a wrong type, an unknown code, an end before its start, a date before birth).
Two recorded facts that merely disagree are **inconsistent**, not invalid: the case loads and
the determination reports the disagreement with both figures (criteria/_consistency.py). The
rules moved out of here for that reason: listed services against the schedule's hours, sessions
attended against sessions scheduled, a rating's composite against its ratings
(:func:`iopauth.levels.inconsistencies`) and a measure's recorded total against its item
answers (:func:`iopauth.measures.total_disagreement`). Rules kept here that compare two
fields are impossibilities, not disagreements: a step-down "level" above the plan's is not a
step down, a goal due before its plan starts or a medication stopped before it started is an
end before a start, an attempt dated after the assessment that records it, a denial dated
after the appeal of it.

Rules on single strings (non-empty, length, control characters) are part of structuring
(:mod:`iopauth.caseformat.serialize`), which looks at every string anyway.

``case_problems`` returns every problem as ``"<json path>: <rule>"``. Rules name the field and
the rule, never the offending value, so a message can go into a log or a terminal safely.
"""

from __future__ import annotations

import re

from ..codes import (
    check_icd10,
    normalize_icd10,
    revenue_code_format_error,
    service_code_format_error,
)
from ..levels import problems as rating_problems
from ..measures import problems as measure_problems
from ..model import (
    Address,
    AuthorizationRequest,
    Case,
    Clinician,
    LevelOfCare,
    Program,
    RequestKind,
    Schedule,
    TreatmentPlan,
)
from ._date_rules import date_problems

__all__ = ["case_problems", "npi_is_valid"]

_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TIN = re.compile(r"[0-9]{2}-?[0-9]{7}")
_ZIP = re.compile(r"[0-9]{5}(-[0-9]{4})?")
# A phone number: digits, spaces and ( ) . - after an optional +, with at least ten digits
# (the look-ahead counts them).
_PHONE = re.compile(r"(?=(?:[^0-9]*[0-9]){10})\+?[0-9 ().-]{7,25}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_LANGUAGE_RULE = "must be a language tag such as en or es-MX"
# Bidirectional embedding, override and isolate controls: in a name or an id they make a
# document show text that is not the stored text (and reorder what follows it on the line).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# USPS codes of the states, DC and the territories with their own Medicaid programs.
_USPS = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME "
    "MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI "
    "SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI"
)
US_STATES = frozenset(_USPS.split())
#: Sanity bounds on the plan (not clinical thresholds: those live in criteria sets).
MAX_PLAN_WEEKS = 104
_PLAN_LEVELS = (LevelOfCare.OUTPATIENT, LevelOfCare.IOP, LevelOfCare.PHP)
# How far the listed services' weekly hours may differ from the schedule's, either way, before
# the two are reported as disagreeing. A schedule is written in quarter hours (hours_per_day
# 3.25, sessions in minutes rounded to the quarter) and a service's minutes are rounded when
# listed, so a quarter of an hour a week absorbs that rounding; it is smaller than any timed
# service (the shortest timed psychotherapy code, 90832, starts at 16 minutes), so a missing or
# extra session is always reported. Beyond it the two figures disagree: the case still loads
# (inconsistent, not invalid) and the hours criteria decide on both (criteria/_plan_facts.py).
SERVICES_TOLERANCE = 0.25


# Luhn over "80840" + the NPI: the prefix's digits add up to 24; counted from the right, the
# check digit and every second digit after it are added as they are, the others doubled (with
# 9 taken off a doubled digit above 9: the table below).
_NPI_PREFIX_SUM = 24
_DOUBLED = str.maketrans("0123456789", "0246813579")


def npi_is_valid(npi: str) -> bool:
    """Check a National Provider Identifier: ten digits, Luhn check digit over ``80840`` + NPI."""
    if len(npi) != 10 or not (npi.isascii() and npi.isdigit()):
        return False
    total = _NPI_PREFIX_SUM + sum(map(int, npi[1::2] + npi[0::2].translate(_DOUBLED)))
    return total % 10 == 0


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, path: str, rule: str) -> None:
        self.lines.append(f"{path}: {rule}")


def case_problems(case: Case) -> list[str]:
    """Every field and cross-field rule the case breaks, in document order."""
    out = _Problems()
    out.lines.extend(date_problems(case))
    if not _CASE_ID.fullmatch(case.case_id):
        out.add("$.case_id", "must be 1-64 letters, digits, '.', '_' or '-', starting alphanumeric")
    _check_people(case, out)
    _check_identifying(case, out)
    _check_clinical(case, out)
    _check_plan(case.plan, "$.plan", out)
    _check_request(case, out)
    _check_dates(case, out)
    return out.lines


def _check_address(address: Address | None, path: str, out: _Problems) -> None:
    if address is None:
        return
    if not address.lines:
        out.add(f"{path}.lines", "must have at least one line")
    if address.country == "US":
        if address.state not in US_STATES:
            out.add(f"{path}.state", "must be a two-letter USPS state code")
        if not _ZIP.fullmatch(address.postal_code):
            out.add(f"{path}.postal_code", "must be a ZIP code (12345 or 12345-6789)")


def _check_phone(value: str | None, path: str, out: _Problems) -> None:
    if value is not None and not _PHONE.fullmatch(value):
        out.add(path, "must be a phone number with at least 10 digits")


def _check_npi(value: str | None, path: str, out: _Problems) -> None:
    if value is not None and not npi_is_valid(value):
        out.add(path, "must be a 10-digit NPI with a valid check digit")


def _check_people(case: Case, out: _Problems) -> None:
    patient = case.patient
    if patient.preferred_language is not None and not _LANGUAGE.fullmatch(
        patient.preferred_language
    ):
        out.add("$.patient.preferred_language", _LANGUAGE_RULE)
    _check_phone(patient.phone, "$.patient.phone", out)
    if patient.email is not None and not _EMAIL.fullmatch(patient.email):
        out.add("$.patient.email", "must be an email address")
    _check_address(patient.address, "$.patient.address", out)
    if patient.guardian is not None:
        _check_phone(patient.guardian.phone, "$.patient.guardian.phone", out)
        if patient.guardian.email is not None and not _EMAIL.fullmatch(patient.guardian.email):
            out.add("$.patient.guardian.email", "must be an email address")
        language = patient.guardian.preferred_language
        if language is not None and not _LANGUAGE.fullmatch(language):
            out.add("$.patient.guardian.preferred_language", _LANGUAGE_RULE)
    if case.coverage.plan_state is not None and case.coverage.plan_state not in US_STATES:
        out.add("$.coverage.plan_state", "must be a two-letter USPS state code")
    _check_phone(case.coverage.um_phone, "$.coverage.um_phone", out)
    _check_phone(case.coverage.um_fax, "$.coverage.um_fax", out)
    _check_phone(case.coverage.member_services_phone, "$.coverage.member_services_phone", out)
    _check_program(case.program, out)
    if not case.clinicians:
        out.add("$.clinicians", "must list at least one clinician")
    for i, clinician in enumerate(case.clinicians):
        _check_clinician(clinician, f"$.clinicians[{i}]", out)


_BIDI_RULE = "must not contain bidirectional control characters"


def _check_identifying(case: Case, out: _Problems) -> None:
    """The fields that identify the patient, the coverage and the people on the request."""
    # The controls are not ASCII, and isascii() costs nothing: paths are built only on a hit.
    name = case.patient.name
    coverage = case.coverage
    for path, value in (
        ("$.patient.name.given", name.given),
        ("$.patient.name.family", name.family),
        ("$.patient.name.middle", name.middle),
        ("$.patient.name.suffix", name.suffix),
        ("$.coverage.member_id", coverage.member_id),
        ("$.coverage.group_number", coverage.group_number),
        ("$.coverage.payer_name", coverage.payer_name),
        ("$.program.name", case.program.name),
    ):
        if value is not None and not value.isascii() and _BIDI.search(value):
            out.add(path, _BIDI_RULE)
    address = case.patient.address
    if address is not None:
        for i, line in enumerate(address.lines):
            if not line.isascii() and _BIDI.search(line):
                out.add(f"$.patient.address.lines[{i}]", _BIDI_RULE)
    for i, clinician in enumerate(case.clinicians):
        name = clinician.name
        for part, value in (
            ("given", name.given),
            ("family", name.family),
            ("middle", name.middle),
            ("suffix", name.suffix),
        ):
            if value is not None and not value.isascii() and _BIDI.search(value):
                out.add(f"$.clinicians[{i}].name.{part}", _BIDI_RULE)


def _check_program(program: Program, out: _Problems) -> None:
    _check_npi(program.npi, "$.program.npi", out)
    if not _TIN.fullmatch(program.tin):
        out.add("$.program.tin", "must be a 9-digit tax id (12-3456789)")
    _check_address(program.address, "$.program.address", out)
    _check_phone(program.phone, "$.program.phone", out)
    _check_phone(program.fax, "$.program.fax", out)
    if program.email is not None and not _EMAIL.fullmatch(program.email):
        out.add("$.program.email", "must be an email address")


def _check_clinician(clinician: Clinician, path: str, out: _Problems) -> None:
    _check_npi(clinician.npi, f"{path}.npi", out)
    _check_phone(clinician.phone, f"{path}.phone", out)


def _check_clinical(case: Case, out: _Problems) -> None:
    _check_diagnoses(case, out)
    for i, administration in enumerate(case.measures):
        for where, rule in measure_problems(administration):
            out.add(_join(f"$.measures[{i}]", where), rule)
    for i, rating in enumerate(case.level_of_care_ratings):
        # An impossible birth date is reported once, not again as an age that fits no tool.
        birth = case.patient.birth_date
        age = case.patient.age_on(rating.rated_on) if birth <= rating.rated_on else None
        for where, rule in rating_problems(rating, age):
            out.add(_join(f"$.level_of_care_ratings[{i}]", where), rule)
    engagement = case.engagement
    if engagement is not None:
        for name in ("sessions_scheduled", "sessions_attended"):
            count = getattr(engagement, name)
            if count is not None and count < 0:
                out.add(f"$.engagement.{name}", "must not be negative")
        # more sessions attended than scheduled is a disagreement (make-up sessions, a count
        # from another period), reported by criteria/_consistency.py, not a refusal


def _check_diagnoses(case: Case, out: _Problems) -> None:
    if not case.diagnoses:
        out.add("$.diagnoses", "must list at least one diagnosis")
    elif sum(d.primary for d in case.diagnoses) != 1:
        out.add("$.diagnoses", "exactly one diagnosis must be marked primary")
    seen: set[str] = set()
    for i, diagnosis in enumerate(case.diagnoses):
        path = f"$.diagnoses[{i}].code"
        normalized = normalize_icd10(diagnosis.code)
        if normalized is not None and normalized != diagnosis.code:
            out.add(path, f"write the code normalized, as {normalized}")
        elif (rule := check_icd10(diagnosis.code)) is not None:
            out.add(path, rule)
        if diagnosis.code in seen:
            out.add(path, "is listed twice")
        seen.add(diagnosis.code)


def _join(base: str, relative: str) -> str:
    if not relative:
        return base
    return base + (relative if relative.startswith("[") else "." + relative)


def _check_schedule(schedule: Schedule, path: str, out: _Problems) -> None:
    """Check the schedule's shape and bounds."""
    by_day = schedule.days_per_week is not None or schedule.hours_per_day is not None
    if schedule.sessions and by_day:
        out.add(path, "give days_per_week and hours_per_day, or sessions, not both")
    elif not schedule.sessions and (
        schedule.days_per_week is None or schedule.hours_per_day is None
    ):
        out.add(path, "give days_per_week and hours_per_day, or sessions")
    if schedule.days_per_week is not None and not 0 <= schedule.days_per_week <= 7:
        out.add(f"{path}.days_per_week", "must be between 0 and 7")
    if schedule.hours_per_day is not None and not 0 <= schedule.hours_per_day <= 24:
        out.add(f"{path}.hours_per_day", "must be between 0 and 24")
    minutes_by_day: dict[str, int] = {}
    for i, session in enumerate(schedule.sessions):
        if not 1 <= session.minutes <= 24 * 60:
            out.add(f"{path}.sessions[{i}].minutes", "must be between 1 and 1440")
        minutes_by_day[session.day] = minutes_by_day.get(session.day, 0) + session.minutes
    if any(total > 24 * 60 for total in minutes_by_day.values()):
        out.add(f"{path}.sessions", "sessions on one day must not add up to more than 24 hours")


def _check_plan(plan: TreatmentPlan, path: str, out: _Problems) -> None:
    if plan.level not in _PLAN_LEVELS:
        out.add(f"{path}.level", "must be outpatient, iop or php")
    if not 1 <= plan.weeks <= MAX_PLAN_WEEKS:
        out.add(f"{path}.weeks", f"must be between 1 and {MAX_PLAN_WEEKS}")
    _check_schedule(plan.schedule, f"{path}.schedule", out)
    for i, service in enumerate(plan.services):
        where = f"{path}.services[{i}]"
        if (rule := service_code_format_error(service.code)) is not None:
            out.add(f"{where}.code", rule)
        if not 0 < service.sessions_per_week <= 7 * 24:
            out.add(f"{where}.sessions_per_week", "must be more than 0 and at most 168")
        if not 1 <= service.minutes_per_session <= 24 * 60:
            out.add(f"{where}.minutes_per_session", "must be between 1 and 1440")
    # services against the schedule: inconsistent when they disagree, never invalid
    # (criteria/_consistency.py reports both figures)
    if plan.step_down_level is not None and plan.step_down_level.rank >= plan.level.rank:
        out.add(f"{path}.step_down_level", "must be a less intensive level than the plan's")
    for i, goal in enumerate(plan.goals):
        if goal.target_date < plan.start_date:
            out.add(f"{path}.goals[{i}].target_date", "must not be before the plan's start_date")
    if plan.certified_by_npi is not None:
        _check_npi(plan.certified_by_npi, f"{path}.certified_by_npi", out)


_MAX_PAGES = 1000  # an enclosure's page count (DocumentOnHand.pages)


def _check_request(case: Case, out: _Problems) -> None:
    request: AuthorizationRequest = case.request
    if request.period.end is None:
        out.add("$.request.period.end", "required: the last day requested")
    if (rule := service_code_format_error(request.service_code)) is not None:
        out.add("$.request.service_code", rule)
    if request.revenue_code is not None and (
        rule := revenue_code_format_error(request.revenue_code)
    ):
        out.add("$.request.revenue_code", rule)
    for i, document in enumerate(request.documents):
        if document.pages is not None and not 1 <= document.pages <= _MAX_PAGES:
            out.add(f"$.request.documents[{i}].pages", f"must be 1 to {_MAX_PAGES}")
    if request.kind is RequestKind.APPEAL and request.denial is None:
        out.add("$.request.denial", "required for an appeal: the decision being appealed")
    if request.denial is not None and request.denial.decided_on > request.request_date:
        out.add("$.request.denial.decided_on", "must not be after the request_date")


def _check_dates(case: Case, out: _Problems) -> None:
    birth = case.patient.birth_date
    request_date = case.request.request_date
    if birth > request_date:
        out.add("$.patient.birth_date", "must be before the request_date")
        return
    risk = case.risk
    attempt = None if risk is None else risk.last_attempt_date
    if risk is not None and attempt is not None and attempt > risk.assessed_on:
        out.add("$.risk.last_attempt_date", "must not be after assessed_on")
    for i, medication in enumerate(case.medications):
        start, end = medication.start_date, medication.end_date
        if start is not None and end is not None and end < start:
            out.add(f"$.medications[{i}].end_date", "must not be before start_date")

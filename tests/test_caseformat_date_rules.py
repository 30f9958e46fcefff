"""The date rules: the generated check and the walk with paths agree on every case."""

from __future__ import annotations

from datetime import date

import attrs
from hypothesis import HealthCheck, given, settings

from iopauth.caseformat._date_rules import _build, _Scan, date_problems
from iopauth.model import Case, DateRange

from .strategies import cases, with_dates_moved


def _walked(case: Case) -> list[str]:
    """The lines of the walk with paths alone, without the generated check in front."""
    fields, _check = _build()
    scan = _Scan(case, fields)
    scan.visit(case)
    return scan.lines


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases().flatmap(with_dates_moved))
def test_generated_check_and_walk_agree(case: Case) -> None:
    """Whatever the dates, the lines are those of the walk, and none when the walk finds none."""
    assert date_problems(case) == _walked(case)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_a_generated_case_breaks_no_date_rule(case: Case) -> None:
    """Cases built by the strategies keep every date rule (the generated check says so)."""
    _fields, check = _build()
    assert check(case, case.patient.birth_date, case.request.request_date)
    assert date_problems(case) == []


@given(cases())
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_each_rule_is_reported_at_its_path(case: Case) -> None:
    """An observed date after the request, a date before birth, a range ending early: each named."""
    request_date = case.request.request_date
    birth = case.patient.birth_date
    day_before_request = date.fromordinal(request_date.toordinal() - 1)
    case = attrs.evolve(
        case,
        request=attrs.evolve(
            case.request,
            period=DateRange(start=request_date, end=day_before_request),
        ),
        plan=attrs.evolve(case.plan, start_date=date.fromordinal(birth.toordinal() - 1)),
        presentation=None
        if case.presentation is None
        else attrs.evolve(
            case.presentation, assessed_on=date.fromordinal(request_date.toordinal() + 1)
        ),
    )
    lines = date_problems(case)
    assert "$.plan.start_date: must not be before the patient's birth_date" in lines
    assert "$.request.period.end: must not be before start" in lines
    if case.presentation is not None:
        assert "$.presentation.assessed_on: must not be after the request_date" in lines

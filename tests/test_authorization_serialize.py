"""The authorization's JSON form and the package's lazy re-exports."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings

import iopauth.authorization as package
from iopauth.authorization import (
    Authorization,
    dump_authorization,
    from_case,
    load_authorization,
)
from iopauth.errors import InvalidAuthorizationError

from .casebuilder import build_case
from .strategies import authorizations


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(authorizations())
def test_authorization_round_trips(auth: Authorization) -> None:
    """load_authorization(dump_authorization(a)) == a, through JSON text too."""
    data = dump_authorization(auth)
    assert load_authorization(data) == auth
    assert load_authorization(json.dumps(data)) == auth


def test_dump_of_a_new_authorization() -> None:
    """A fresh authorization from a case: ISO dates, enum values, defaults left out."""
    data = dump_authorization(from_case(build_case()))
    assert "status" not in data  # pending is the default
    assert data["requested_start"] == "2026-03-02"
    assert data["reviews"] == [{"kind": "initial", "requested_on": "2026-03-20"}]
    assert data["schedule"] == {"days_per_week": 3, "hours_per_day": 4.0}
    assert "authorized_units" not in data
    assert "usage" not in data


def test_rule_problems_are_listed_by_path() -> None:
    """Negative units, reversed windows, per-diem multiples and early decisions are named."""
    data = dump_authorization(from_case(build_case()))
    data.update(
        authorized_units=-2,
        authorized_start="2026-03-10",
        authorized_end="2026-03-01",
        usage=[{"day": "2026-03-02", "units": 2}],
    )
    data["reviews"][0].update(outcome="approved", decided_on="2026-03-01")
    with pytest.raises(InvalidAuthorizationError) as info:
        load_authorization(data)
    assert info.value.errors == (
        "$.authorized_units: must not be negative",
        "$.authorized_end: must not be before authorized_start",
        "$.reviews[0].decided_on: must not be before requested_on",
        "$.usage[0].units: per diem counts one unit per day of service",
    )
    assert str(info.value).startswith("invalid authorization: 4 problems")


def test_structural_problems_are_listed_by_path() -> None:
    """A wrong status, a string date in the wrong form and an unknown key."""
    with pytest.raises(InvalidAuthorizationError) as info:
        load_authorization(
            {
                "case_id": "c",
                "payer_name": "P",
                "plan_type": "commercial",
                "level_of_care": "iop",
                "status": "granted",
                "authorized_start": "03/02/2026",
                "units": 3,
            }
        )
    errors = info.value.errors
    assert any(e.startswith("$.status: must be one of: pending, approved") for e in errors)
    assert "$.authorized_start: must be a date written YYYY-MM-DD" in errors
    assert "$[unknown key of 5 characters]: unknown field" in errors


def test_package_all_matches_its_lazy_table() -> None:
    """Every public name resolves, and __all__ lists exactly the lazily exported names."""
    assert sorted(package.__all__) == sorted(package._LAZY)
    assert len(set(package.__all__)) == len(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018 -- the attribute access is what is tested


def test_importing_the_package_loads_neither_the_store_nor_the_converter() -> None:
    """``import iopauth.authorization`` is cheap; sqlite3 loads with the store only."""
    code = (
        "import sys, iopauth.authorization as a\n"
        "print('sqlite3' in sys.modules, 'cattrs' in sys.modules)\n"
        "a.AuthorizationStore\n"
        "print('sqlite3' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False", "True"]


def test_dates_survive_as_calendar_days() -> None:
    """A leap day round-trips as the same calendar day."""
    auth = from_case(build_case())
    auth = load_authorization(
        {
            **dump_authorization(auth),
            "authorized_start": "2028-02-29",
            "authorized_end": "2028-03-01",
        }
    )
    assert auth.authorized_start == date(2028, 2, 29)

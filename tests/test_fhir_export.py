"""Case → US Core Bundle (``bundle_from_case``) → Case: equal on every field FHIR carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from iopauth import load_case
from iopauth.fhir import bundle_from_case, case_from_bundle
from iopauth.model import Case, Schedule, Session

from .strategies import certified_cases
from .test_fhir_import import carried

CASES = Path(__file__).resolve().parent.parent / "examples" / "cases"
NAMES = sorted(p.stem for p in CASES.glob("*.json"))


def _expected(case: Case) -> Case:
    """What the trip keeps: :func:`carried`, plus the plan's certification, signature, review."""
    plan = case.plan
    out = carried(case)
    certified = plan.certified_on is not None  # a Provenance needs its date ('recorded')
    out = attrs.evolve(
        out,
        plan=attrs.evolve(
            out.plan,
            certified_on=plan.certified_on,
            certified_by_npi=plan.certified_by_npi if certified else None,
            last_reviewed=plan.last_reviewed,
            signed_on=plan.signed_on,
        ),
    )
    if case.request.denial is not None:
        denial = attrs.evolve(
            case.request.denial, reference=None, stated_reason=None, unmet_criteria=()
        )
        out = attrs.evolve(out, request=attrs.evolve(out.request, denial=denial))
    return out


def _round_trip(case: Case) -> Case:
    request: dict[str, Any] = {"kind": case.request.kind.value}
    if case.request.authorization_number:
        request["authorization_number"] = case.request.authorization_number
    extra: dict[str, Any] = {}
    if case.request.denial is not None:
        extra = {"request": {"denial": {"decided_on": case.request.denial.decided_on.isoformat()}}}
    bundle = bundle_from_case(case)
    return case_from_bundle(bundle, case_id=case.case_id, request=request, extra=extra).case


@pytest.mark.parametrize("name", NAMES)
def test_every_example_case_survives_the_round_trip(name: str) -> None:
    """Each example case, exported and imported, keeps every field FHIR carries."""
    case = load_case(CASES / f"{name}.json")
    assert _round_trip(case) == _expected(case)


def test_the_medicare_certification_survives_the_round_trip() -> None:
    """The physician's certification a Medicare case needs is carried, not dropped."""
    case = load_case(CASES / "medicare-stepdown-depression.json")
    assert case.plan.certified_on is not None
    back = _round_trip(case)
    assert (back.plan.certified_on, back.plan.certified_by_npi) == (
        case.plan.certified_on,
        case.plan.certified_by_npi,
    )


def test_export_is_us_core_shaped_and_holds_no_dangling_reference() -> None:
    """Every entry has a US Core profile; every relative reference names an entry."""
    case = load_case(CASES / "medicare-stepdown-depression.json")
    bundle = bundle_from_case(case)
    keys = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    for entry in bundle["entry"]:
        profile = entry["resource"]["meta"]["profile"][0]
        assert profile.startswith("http://hl7.org/fhir/us/core/StructureDefinition/us-core-")
    refs = _references(bundle["entry"])
    assert refs
    assert refs <= keys
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Provenance", "CarePlan", "ServiceRequest", "PractitionerRole"} <= kinds


def _references(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["reference"]} if isinstance(node.get("reference"), str) else set()
        return found.union(*(_references(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_references(v) for v in node))
    return set()


def test_psychiatrist_carries_the_nucc_psychiatry_code() -> None:
    """A psychiatrist's PractitionerRole also names NUCC 2084P0800X, which import reads."""
    case = load_case(CASES / "commercial-adolescent-appeal.json")
    bundle = bundle_from_case(case)
    roles = [e["resource"] for e in bundle["entry"] if e["resource"]["id"].startswith("role-")]
    specialties = [c["code"] for r in roles for s in r.get("specialty", []) for c in s["coding"]]
    assert specialties == ["2084P0800X"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=certified_cases())
def test_generated_cases_survive_the_round_trip(case: Case) -> None:
    """Any valid case, exported and imported, keeps every field FHIR carries."""
    assert _round_trip(case) == _expected(case)


def test_sessions_of_differing_lengths_travel_as_care_plan_activities() -> None:
    """A 3-hour Monday and a 2-hour Wednesday: one activity each, read back in order."""
    case = load_case(CASES / "commercial-mild-adjustment.json")
    schedule = Schedule(sessions=(Session(day="mon", minutes=180), Session(day="wed", minutes=120)))
    case = attrs.evolve(case, plan=attrs.evolve(case.plan, schedule=schedule))
    activities = _care_plan_of(bundle_from_case(case))["activity"]
    assert [a["detail"]["scheduledTiming"]["repeat"]["duration"] for a in activities[1:]] == [
        180,
        120,
    ]
    assert _round_trip(case).plan.schedule == schedule


def _care_plan_of(bundle: dict[str, Any]) -> dict[str, Any]:
    plan: dict[str, Any] = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
    )
    return plan

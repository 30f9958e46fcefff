"""US Core Bundle → Case: the example Bundles, what is not carried, and hostile Bundles."""

from __future__ import annotations

import copy
import json
import tracemalloc
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from iopauth import FhirError, load_case
from iopauth.fhir import case_from_bundle
from iopauth.measures import LOINC, score
from iopauth.model import Case, MeasureAdministration

from .strategies import cases, mutated

HERE = Path(__file__).resolve().parent
BUNDLES = HERE / "data" / "fhir"
CASES = HERE.parent / "examples" / "cases"
NAMES = sorted(p.name.removesuffix(".bundle.json") for p in BUNDLES.glob("*.bundle.json"))


def carried(case: Case) -> Case:
    """The case as FHIR carries it: the parts US Core has no place for are left unset."""
    measures = tuple(filter(None, (_carried_measure(m) for m in case.measures)))
    guardian = case.patient.guardian
    if guardian is not None:  # R4 Patient.contact has no language element
        guardian = attrs.evolve(guardian, preferred_language=None)
    # an R4 Attachment has no page count, and no FHIR element holds the clinician's reason for
    # an expedited review
    request = attrs.evolve(
        case.request,
        expedited_reason=None,
        documents=tuple(attrs.evolve(d, pages=None) for d in case.request.documents),
    )
    return attrs.evolve(
        case,
        patient=attrs.evolve(case.patient, guardian=guardian),
        request=request,
        coverage=attrs.evolve(case.coverage, plan_state=None, member_services_phone=None),
        clinicians=tuple(attrs.evolve(c, contact=False) for c in case.clinicians),
        measures=measures,
        history=tuple(attrs.evolve(h, notes=None) for h in case.history),
        plan=attrs.evolve(
            case.plan,
            services=(),
            goals=(),
            discharge_plan=None,
            step_down_level=None,
            signed_on=None,
            certified_by_npi=None,
            certified_on=None,
            last_reviewed=None,
        ),
        presentation=None,
        risk=None,
        functioning=(),
        medical=None,
        psychosocial=None,
        engagement=None,
        level_of_care_ratings=(),
    )


def _carried_measure(m: MeasureAdministration) -> MeasureAdministration | None:
    """A measure as LOINC-coded Observations carry it: items where item codes are known."""
    codes = LOINC[m.instrument]
    if m.items is not None and codes.items:
        return attrs.evolve(m, total=None)  # the total is recomputed from the items
    if codes.total is None:
        return None  # PCL-5 (no LOINC total known), or a C-SSRS screener without its items
    if m.items is not None:
        return attrs.evolve(m, items=None, total=score(m).total)
    return m


def _bundle(name: str = "medicare-stepdown-depression") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BUNDLES / f"{name}.bundle.json").read_text())
    return data


def _entry(bundle: dict[str, Any], rtype: str, rid: str | None = None) -> dict[str, Any]:
    for entry in bundle["entry"]:
        resource: dict[str, Any] = entry["resource"]
        if resource["resourceType"] == rtype and rid in (None, resource["id"]):
            return resource
    raise LookupError(rtype)


def _errors(bundle: object) -> tuple[str, ...]:
    with pytest.raises(FhirError) as caught:
        case_from_bundle(bundle, case_id="t")  # type: ignore[arg-type]
    return caught.value.errors


@pytest.mark.parametrize("name", NAMES)
def test_example_bundle_imports_back_to_the_case(name: str) -> None:
    """Each example's US Core Bundle gives back the case in every field FHIR carries."""
    original = load_case(CASES / f"{name}.json")
    request = {"kind": original.request.kind.value}
    if original.request.authorization_number:
        request["authorization_number"] = original.request.authorization_number
    extra = {}
    if original.request.denial is not None:
        extra = {
            "request": {"denial": {"decided_on": original.request.denial.decided_on.isoformat()}}
        }
        original = attrs.evolve(
            original,
            request=attrs.evolve(
                original.request,
                denial=attrs.evolve(
                    original.request.denial, reference=None, stated_reason=None, unmet_criteria=()
                ),
            ),
        )
    result = case_from_bundle(
        BUNDLES / f"{name}.bundle.json", case_id=original.case_id, request=request, extra=extra
    )
    assert result.case == carried(original)


def test_snomed_only_condition_is_reported_at_its_entry_not_guessed() -> None:
    """A Condition coded only in SNOMED CT is listed as lacking ICD-10-CM at its entry path."""
    bundle = _bundle()
    index = next(
        i for i, e in enumerate(bundle["entry"]) if e["resource"]["id"] == "condition-snomed"
    )
    result = case_from_bundle(bundle, case_id="t")
    assert (
        f"$.entry[{index}].resource.code: lacks an ICD-10-CM code (SNOMED CT only); "
        "not imported as a diagnosis" in result.notes
    )
    assert [d.code for d in result.case.diagnoses] == ["F33.2", "R45.851"]


def test_unfilled_lists_what_fhir_does_not_carry_and_what_was_assumed() -> None:
    """The import says which case parts a person must supply, and drops those supplied."""
    result = case_from_bundle(_bundle(), case_id="t")
    assert "$.risk: a risk assessment lives in clinical notes; ask the clinician" in result.unfilled
    assert "$.request.kind: not carried by a clinical bundle; 'initial' assumed" in result.unfilled
    assert result.case.risk is None
    supplied = case_from_bundle(
        _bundle(),
        case_id="t",
        request={"kind": "initial"},
        extra={"risk": {"assessed_on": "2026-06-05", "imminent_danger": False}},
    )
    assert not any(line.startswith(("$.risk", "$.request.kind")) for line in supplied.unfilled)
    assert supplied.case.risk is not None


def test_item_observations_give_items_and_a_wrong_total_is_reported() -> None:
    """PHQ-9 items come from item Observations; a recorded total that disagrees is noted."""
    bundle = _bundle()
    _entry(bundle, "Observation", "score-2")["valueInteger"] = 3
    result = case_from_bundle(bundle, case_id="t")
    phq9 = result.case.measures[1]
    assert phq9.items == (2, 3, 2, 3, 2, 2, 2, 2, 1)
    assert phq9.total is None
    where = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["id"] == "score-2")
    assert (
        f"$.entry[{where}].resource.value[x]: the recorded total differs from the sum of its "
        "items; the items were kept and the total recomputed"
    ) in result.notes


def test_missing_patient_and_coverage_are_errors() -> None:
    """A Bundle without a Patient or a Coverage is refused, one line each."""
    bundle = _bundle()
    bundle["entry"] = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] not in ("Patient", "Coverage")
    ]
    errors = _errors(bundle)
    assert "$.entry: no Patient; the bundle must hold exactly one" in errors
    assert "$.entry: no Coverage; the bundle must hold the patient's plan" in errors


def test_dangling_reference_is_named_by_path() -> None:
    """A reference to no entry is an error at the referring element."""
    bundle = _bundle()
    _entry(bundle, "ServiceRequest")["reasonReference"][0] = {"reference": "Condition/gone"}
    where = next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "ServiceRequest"
    )
    errors = _errors(bundle)
    assert (
        f"$.entry[{where}].resource.reasonReference[0].reference: refers to no entry in the bundle"
        in errors
    )


def test_duplicate_ids_are_errors() -> None:
    """Two resources of one type with one id make references ambiguous: refused."""
    bundle = _bundle()
    copy_of = copy.deepcopy(bundle["entry"][0])
    copy_of["fullUrl"] = "urn:uuid:0b1d7c52-0000-4000-8000-000000000001"
    bundle["entry"].append(copy_of)
    last = len(bundle["entry"]) - 1
    assert f"$.entry[{last}].resource.id: duplicates the id of $.entry[0]" in _errors(bundle)


def test_wrong_resource_type_behind_a_reference_is_an_error() -> None:
    """Coverage.payor pointing at the Patient is refused with the expected type."""
    bundle = _bundle()
    coverage = _entry(bundle, "Coverage")
    coverage["payor"] = [{"reference": "Patient/patient"}]
    where = next(
        i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Coverage"
    )
    errors = _errors(bundle)
    assert (
        f"$.entry[{where}].resource.payor[0].reference: must refer to a Organization, not a Patient"
    ) in errors


def test_case_rule_broken_is_reported_at_the_bundle_path_without_the_value() -> None:
    """A birth date after the request date is named at Patient.birthDate, value not echoed."""
    bundle = _bundle()
    _entry(bundle, "Patient")["birthDate"] = "2030-01-02"
    errors = _errors(bundle)
    assert errors == (
        "$.entry[0].resource.birthDate: must be before the request_date"
        " (case $.patient.birth_date)",
    )
    assert "2030" not in str(errors)


def test_patient_values_never_appear_in_errors() -> None:
    """A broken name and member id are reported by path only."""
    bundle = _bundle()
    patient = _entry(bundle, "Patient")
    patient["name"] = [{"family": "Zyxwvut", "given": ["\x07bell"]}]
    text = "\n".join(_errors(bundle))
    assert "$.entry[0].resource.name" in text
    assert "Zyxwvut" not in text
    assert "bell" not in text


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("{not json", "$: not valid JSON (Expecting property name enclosed in double quotes"),
        ("[1, 2]", "$: the bundle must be a JSON object (a FHIR resource)"),
        ('{"resourceType": "Bundle", "n": ' + "1" * 5000 + "}", "$.entry: no Patient"),
        ('{"resourceType": "Bundle", "resourceType": "Bundle"}', "$.resourceType: given more"),
        (b" " * (16 * 1024 * 1024 + 1), "$: the document is larger than 16777216 bytes"),
        ("[" * 100_000, "$: JSON nested too deeply"),
        (b"\xff\xfe", "$: the bundle is not UTF-8 text"),
        ({"resourceType": "Patient"}, "$.resourceType: must be Bundle"),
        ({"resourceType": "Bundle", "entry": {}}, "$.entry: must be an array"),
        ({"resourceType": "Bundle", "entry": [{"resource": 3}]}, "$.entry[0].resource: required"),
    ],
)
def test_not_a_bundle_is_a_clear_error(source: object, line: str) -> None:
    """Non-JSON, non-objects and non-Bundles are refused with a path."""
    errors = _errors(source)
    assert errors[0].startswith(line)


def test_ten_thousand_entry_bundle_is_read_in_bounded_memory() -> None:
    """A Bundle padded to 10,000 entries imports, holding well under 200 MB at its peak."""
    bundle = _bundle()
    filler = _entry(bundle, "Observation", "vital-weight")
    for n in range(10_000 - len(bundle["entry"])):
        bundle["entry"].append({"resource": {**filler, "id": f"vital-{n}"}})
    text = json.dumps(bundle)
    tracemalloc.start()
    try:
        result = case_from_bundle(text, case_id="t")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.case.patient.birth_date.year == 1958
    assert peak < 200 * 1024 * 1024


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundle=mutated(_bundle()))
def test_any_value_anywhere_gives_a_case_or_a_fhir_error(bundle: dict[str, Any]) -> None:
    """Replacing any value at any depth of the Bundle with junk never crashes the importer."""
    errors: tuple[str, ...] = ()
    try:
        result = case_from_bundle(bundle, case_id="t")
    except FhirError as exc:
        errors = exc.errors
    else:
        assert result.case.case_id == "t"
        return
    assert errors
    assert all(line.startswith("$") for line in errors)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_generated_cases_survive_the_trip_through_a_us_core_bundle(case: Case) -> None:
    """Any valid case, exported as the fixtures were and imported, keeps what FHIR carries."""
    from .fhir_bundles import us_core_bundle

    schedule = case.plan.schedule
    if schedule.sessions and len({s.minutes for s in schedule.sessions}) > 1:
        return  # one Timing carries one session length: such schedules are not carried
    request = {"kind": case.request.kind.value}
    if case.request.authorization_number:
        request["authorization_number"] = case.request.authorization_number
    extra: dict[str, Any] = {}
    if case.request.denial is not None:
        extra = {"request": {"denial": {"decided_on": case.request.denial.decided_on.isoformat()}}}
    result = case_from_bundle(
        us_core_bundle(case), case_id=case.case_id, request=request, extra=extra
    )
    expected = carried(case)
    if case.request.denial is not None:
        denial = attrs.evolve(
            case.request.denial, reference=None, stated_reason=None, unmet_criteria=()
        )
        expected = attrs.evolve(expected, request=attrs.evolve(expected.request, denial=denial))
    assert result.case == expected


def _without_iopauth_codes(node: Any) -> Any:
    """The Bundle as a plain EHR would send it: no ``urn:iopauth:`` codings anywhere."""
    if isinstance(node, dict):
        return {
            k: [c for c in v if not str(c.get("system", "")).startswith("urn:iopauth")]
            if k == "coding"
            else _without_iopauth_codes(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_without_iopauth_codes(v) for v in node]
    return node


def test_plain_ehr_bundle_asks_for_what_only_iopauth_codes_carry() -> None:
    """Without iopauth's codes, setting, plan type and level are named at their entries."""
    bundle = _without_iopauth_codes(_bundle())
    hint = "; if the bundle cannot carry it, give it with extra=)"
    assert _errors(bundle) == (
        f"$.entry[3].resource.type: required field missing (case $.coverage.plan_type{hint}",
        f"$.entry[2].resource.type: required field missing (case $.program.setting{hint}",
        "$.entry[56].resource.category: required field missing (case $.plan.level" + hint,
    )


def test_plain_ehr_bundle_imports_with_the_missing_parts_given() -> None:
    """Given those three, the import states what it assumed instead of inventing silently."""
    extra = {
        "program": {"setting": "hospital_outpatient"},
        "coverage": {"plan_type": "medicare-advantage"},
        "plan": {"level": "iop"},
    }
    result = case_from_bundle(_without_iopauth_codes(_bundle()), case_id="t", extra=extra)
    case = result.case
    # the inpatient stay is still found by its encounter class; the outpatient episode is not
    assert [(h.level.value, h.outcome.value) for h in case.history] == [("inpatient", "completed")]
    assert (
        "$.history[0].outcome: the Encounter records no outcome iopauth reads; "
        "'completed' assumed" in result.unfilled
    )
    assert {c.role.value for c in case.clinicians} == {"other"}
    assert (
        "$.clinicians[0].role: the PractitionerRole has no role iopauth reads; "
        "'other' assumed" in result.unfilled
    )
    assert {d.kind.value for d in case.request.documents} == {"other"}


def test_a_bad_value_given_by_the_caller_is_reported_as_theirs() -> None:
    """A caller's value that breaks a rule is named at its case path, not a Bundle entry."""
    errors = _errors_with(extra={"program": {"setting": "garage"}})
    assert errors[0].startswith("$.program.setting: must be one of: hospital_outpatient")
    assert errors[0].endswith("(given by the caller)")


def _errors_with(**options: Any) -> tuple[str, ...]:
    with pytest.raises(FhirError) as caught:
        case_from_bundle(_bundle(), case_id="t", **options)
    return caught.value.errors


def test_source_of_payment_typology_gives_the_plan_type() -> None:
    """Coverage.type coded in SOPT (111, Medicare HMO) reads as Medicare Advantage."""
    bundle = _bundle()
    _entry(bundle, "Coverage")["type"] = {
        "coding": [{"system": "https://nahdo.org/sopt", "code": "111", "display": "Medicare HMO"}]
    }
    assert case_from_bundle(bundle, case_id="t").case.coverage.plan_type.value == (
        "medicare-advantage"
    )


def test_medication_request_with_a_medication_resource() -> None:
    """A MedicationRequest naming a Medication resource becomes a medication with its dose."""
    bundle = _bundle()
    bundle["entry"].append(
        {
            "fullUrl": "https://ehr.example.org/fhir/Medication/lithium",
            "resource": {
                "resourceType": "Medication",
                "id": "lithium",
                "code": {"text": "Lithium carbonate"},
            },
        }
    )
    bundle["entry"].append(
        {
            "fullUrl": "https://ehr.example.org/fhir/MedicationRequest/rx-9",
            "resource": {
                "resourceType": "MedicationRequest",
                "id": "rx-9",
                "status": "active",
                "intent": "order",
                "medicationReference": {"reference": "Medication/lithium"},
                "subject": {"reference": "Patient/patient"},
                "authoredOn": "2026-06-02",
                "requester": {"display": "A. Okafor, MD"},
                "dosageInstruction": [
                    {
                        "timing": {"code": {"text": "twice daily"}},
                        "doseAndRate": [{"doseQuantity": {"value": 300, "unit": "mg"}}],
                    }
                ],
            },
        }
    )
    medication = case_from_bundle(bundle, case_id="t").case.medications[-1]
    assert (medication.name, medication.dose, medication.frequency) == (
        "Lithium carbonate",
        "300 mg",
        "twice daily",
    )
    assert (medication.prescriber, str(medication.start_date)) == ("A. Okafor, MD", "2026-06-02")


def test_no_primary_diagnosis_is_an_error_at_the_service_request() -> None:
    """Two diagnoses and no reasonReference: which is primary is not guessed."""
    bundle = _bundle()
    order = _entry(bundle, "ServiceRequest")
    del order["reasonReference"]
    where = next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "ServiceRequest"
    )
    assert _errors(bundle) == (
        f"$.entry[{where}].resource.reasonReference: exactly one diagnosis must be marked primary"
        " (case $.diagnoses)",
    )


def test_a_bad_item_answer_is_named_at_its_item_observation() -> None:
    """A PHQ-9 item scored 5 is reported at that item's Observation, not the total's."""
    bundle = _bundle()
    item = _entry(bundle, "Observation", "score-1-item-4")
    del item["valueCodeableConcept"]
    item["valueInteger"] = 5
    where = next(i for i, e in enumerate(bundle["entry"]) if e["resource"] is item)
    assert _errors(bundle) == (
        f"$.entry[{where}].resource.value[x]: must be 0, 1, 2 or 3 (case $.measures[0].items[3])",
    )


def test_a_role_written_in_words_is_read() -> None:
    """A PractitionerRole coded only as the text "Utilization review" reads as that role."""
    bundle = _without_iopauth_codes(_bundle())
    _entry(bundle, "PractitionerRole", "role-3")["code"] = [{"text": "Utilization review"}]
    extra = {
        "program": {"setting": "hospital_outpatient"},
        "coverage": {"plan_type": "medicare-advantage"},
        "plan": {"level": "iop"},
    }
    case = case_from_bundle(bundle, case_id="t", extra=extra).case
    assert [c.role.value for c in case.clinicians] == ["other", "other", "utilization_review"]


def test_reference_implementation_request_bundle_gives_clear_errors(pas_ri: Path) -> None:
    """The RI's own request (a device order, imperfect FHIR) is refused line by line."""
    errors = _errors(pas_ri / "bundle-prior-auth.json")
    assert errors == (
        "$.entry[1].resource.performer.reference: refers to no entry in the bundle",
        "$.entry: no ServiceRequest for the program (HCPCS or CPT code)",
    )


def test_bad_case_id_is_named_as_the_argument() -> None:
    """An empty case id is the caller's argument, not something the Bundle lacks."""
    with pytest.raises(FhirError) as caught:
        case_from_bundle(_bundle(), case_id=" ")
    assert caught.value.errors == ("$.case_id: must not be empty (the case_id argument)",)


def test_the_callers_mappings_are_left_unchanged() -> None:
    """``request`` and ``extra`` are read, never modified."""
    extra: dict[str, Any] = {"risk": {"assessed_on": "2026-06-05"}}
    request: dict[str, Any] = {"urgency": "expedited"}
    before = copy.deepcopy((extra, request))
    case = case_from_bundle(_bundle(), case_id="t", request=request, extra=extra).case
    assert (extra, request) == before
    assert case.request.urgency.value == "expedited"

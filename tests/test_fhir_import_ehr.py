"""US Core Bundle → Case, built from US Core STU7's own examples (tests/data/fhir/us-core/).

Item Observations, practitioners' credentials and roles, the plan's certification, caller
``extra`` merging, references of the wrong type and unreal dates. The US Core example files are
used as published; where a test puts one into a Bundle it re-points only the references that
name resources outside it (``Patient/example``) at the Bundle's own (see PROVENANCE.md).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from iopauth import FhirError
from iopauth.fhir import case_from_bundle

HERE = Path(__file__).resolve().parent
BUNDLES = HERE / "data" / "fhir"
US_CORE = BUNDLES / "us-core"
PHQ9_ITEMS = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)
# The answers of US Core's PHQ-9 item examples, in item order, read off their LA answer codes:
# LA6570-1 = 2, LA6569-3 = 1, LA6568-5 = 0 (measures.md section 2). They sum to the example's
# recorded total, 12.
US_CORE_ANSWERS = (2, 2, 2, 2, 1, 1, 2, 0, 0)


def _bundle(name: str = "medicare-stepdown-depression") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BUNDLES / f"{name}.bundle.json").read_text())
    return data


def _us_core(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((US_CORE / f"{name}.json").read_text())
    return data


def _local(resource: dict[str, Any]) -> dict[str, Any]:
    """The example with its subject and performer pointing at this Bundle's Patient/clinician."""
    out = copy.deepcopy(resource)
    if "subject" in out:
        out["subject"] = {"reference": "Patient/patient"}
    if "performer" in out:
        out["performer"] = [{"reference": "Practitioner/practitioner-1"}]
    return out


def _add(bundle: dict[str, Any], *resources: dict[str, Any]) -> list[int]:
    start = len(bundle["entry"])
    bundle["entry"] += [{"resource": r} for r in resources]
    return list(range(start, len(bundle["entry"])))


def _without_measures(bundle: dict[str, Any]) -> dict[str, Any]:
    bundle["entry"] = [
        e
        for e in bundle["entry"]
        if not (
            e["resource"]["resourceType"] == "Observation"
            and e["resource"]["id"].startswith("score-")
        )
    ]
    return bundle


def _errors(bundle: object, **options: Any) -> tuple[str, ...]:
    with pytest.raises(FhirError) as caught:
        case_from_bundle(bundle, case_id="t", **options)  # type: ignore[arg-type]
    return caught.value.errors


def _blob_id(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def test_us_core_fixtures_are_the_published_files() -> None:
    """Each US Core example is the upstream file, byte for byte (its git blob id)."""
    table = (BUNDLES / "PROVENANCE.md").read_text(encoding="utf-8")
    files = sorted(US_CORE.glob("*.json"))
    assert len(files) == 15
    for path in files:
        assert f"| `{path.name}` | `{_blob_id(path.read_bytes())}` |" in table


# ------------------------------------------------------------------ 1. item Observations


def test_us_core_total_and_standalone_items_make_one_phq9_with_its_items() -> None:
    """US Core's PHQ-9 total (valueString "12") and nine item examples, tied by derivedFrom."""
    bundle = _without_measures(_bundle())
    items = [_local(_us_core(f"Observation-PHQ9-item-example-{c}")) for c in PHQ9_ITEMS]
    _add(bundle, _local(_us_core("Observation-PHQ9-item-example-44261-6")), *items)
    result = case_from_bundle(bundle, case_id="t")
    (phq9,) = result.case.measures
    assert phq9.items == US_CORE_ANSWERS
    assert str(phq9.administered_on) == "2022-11-29"
    # the QuestionnaireResponse they derive from is not in the Bundle: a note, not an error
    assert any(
        "derivedFrom[0].reference: refers to no entry in the bundle; iopauth does not need it" in n
        for n in result.notes
    )
    assert not any("recorded total differs" in n for n in result.notes)


def test_us_core_panel_reads_items_and_passes_over_the_difficulty_question() -> None:
    """The 44249-1 panel's hasMember: nine items, the total, and 69722-7 (not an item)."""
    bundle = _without_measures(_bundle())
    members = [
        _local(_us_core(f"Observation-PHQ9-item-example-{c}"))
        for c in (*PHQ9_ITEMS, "44261-6", "69722-7")
    ]
    at = _add(bundle, _local(_us_core("Observation-PHQ9-panel-example-44249-1")), *members)
    result = case_from_bundle(bundle, case_id="t")
    (phq9,) = result.case.measures
    assert phq9.items == US_CORE_ANSWERS
    assert f"$.entry[{at[-1]}].resource.code: not an item iopauth scores; passed over" in (
        result.notes
    )


def test_standalone_item_9_with_a_total_is_never_dropped_silently() -> None:
    """Only the total and item 9 (44260-8): the total is kept, item 9 is named in a note."""
    bundle = _without_measures(_bundle())
    at = _add(
        bundle,
        _local(_us_core("Observation-PHQ9-item-example-44261-6")),
        _local(_us_core("Observation-PHQ9-item-example-44260-8")),
    )
    result = case_from_bundle(bundle, case_id="t")
    (phq9,) = result.case.measures
    assert (phq9.items, phq9.total) == (None, 12)
    item9 = next(
        n for n in result.notes if n.startswith(f"$.entry[{at[1]}].resource: PHQ-9 item 9")
    )
    assert "safety check cannot use it" in item9


def test_a_total_that_disagrees_with_the_us_core_items_is_flagged() -> None:
    """interop.md section 7: recompute from the items and flag a recorded total that differs."""
    bundle = _without_measures(_bundle())
    total = _local(_us_core("Observation-PHQ9-item-example-44261-6"))
    total["valueString"] = "20"  # a copy changed in the test, never the fixture file
    items = [_local(_us_core(f"Observation-PHQ9-item-example-{c}")) for c in PHQ9_ITEMS]
    at = _add(bundle, total, *items)
    result = case_from_bundle(bundle, case_id="t")
    assert result.case.measures[0].items == US_CORE_ANSWERS
    assert (
        f"$.entry[{at[0]}].resource.value[x]: the recorded total differs from the sum of its "
        "items; the items were kept and the total recomputed"
    ) in result.notes
    assert "20" not in " ".join(result.notes)


def test_whole_item_set_without_a_total_is_an_administration() -> None:
    """Nine PHQ-9 item Observations of one day and no total: one PHQ-9 with its items."""
    bundle = _bundle()
    before = case_from_bundle(_bundle(), case_id="t").case.measures
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["id"] != "score-2"]
    measures = case_from_bundle(bundle, case_id="t").case.measures
    assert sorted(m.items or () for m in measures) == sorted(m.items or () for m in before)
    assert len(measures) == len(before)


# ------------------------------------------------------------------ 2. practitioners


def _plain(node: Any) -> Any:
    """The Bundle as a plain EHR would send it: no ``urn:iopauth:`` codings anywhere."""
    if isinstance(node, dict):
        return {
            k: [c for c in v if not str(c.get("system", "")).startswith("urn:iopauth")]
            if k == "coding"
            else _plain(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def test_typical_us_core_bundle_imports_with_only_the_setting_supplied() -> None:
    """US Core's Coverage, payer, Practitioner/PractitionerRole examples and no iopauth codes.

    Credentials come from the Practitioner's name suffix ("MD"), the plan type from the
    Coverage's Source of Payment Typology code, the level from the S9480 order.
    """
    bundle = _plain(_bundle("commercial-mild-adjustment"))
    keep = ("Patient", "ServiceRequest", "Condition", "CarePlan", "Encounter", "Observation")
    entries = [e for e in bundle["entry"] if e["resource"]["resourceType"] in keep]
    program = next(e for e in bundle["entry"] if e["resource"]["id"] == "program")
    coverage = _us_core("coverage-example")
    coverage["beneficiary"] = {"reference": "Patient/patient"}
    staff = _us_core("PractitionerRole_Practitioner_Endpoint_Bundle_Example")["entry"]
    role, person = (copy.deepcopy(e["resource"]) for e in staff[:2])
    role["organization"] = {"reference": "Organization/program"}
    role["practitioner"] = {"reference": f"Practitioner/{person['id']}"}
    entries += [
        program,
        {"resource": coverage},
        {"resource": _us_core("organization-acme-payer")},
        {"resource": role},
        {"resource": person},
    ]
    for entry in entries:
        if entry["resource"]["resourceType"] == "ServiceRequest":
            entry["resource"]["insurance"] = [{"reference": "Coverage/coverage-example"}]
            entry["resource"].pop("requester", None)
    bundle["entry"] = entries
    result = case_from_bundle(bundle, case_id="t", extra={"program": {"setting": "cmhc"}})
    case = result.case
    (clinician,) = case.clinicians
    assert (clinician.credentials, clinician.npi) == ("MD", "9999991018")
    assert case.coverage.payer_name == "Acme Health Plan"
    assert case.plan.level.value == "iop"


@pytest.mark.parametrize(
    ("code", "role"),
    [("2084P0800X", "psychiatrist"), ("103T00000X", "psychologist"), ("101YM0800X", "therapist")],
)
def test_nucc_taxonomy_code_gives_the_role(code: str, role: str) -> None:
    """US Core PractitionerRole.code is bound to the NUCC provider taxonomy: read it."""
    bundle = _plain(_bundle())
    target = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "role-1")
    target["code"] = [{"coding": [{"system": "http://nucc.org/provider-taxonomy", "code": code}]}]
    extra = {"program": {"setting": "hospital_outpatient"}, "plan": {"level": "iop"}}
    extra["coverage"] = {"plan_type": "medicare-advantage"}
    result = case_from_bundle(bundle, case_id="t", extra=extra)
    assert result.case.clinicians[0].role.value == role
    assert not any(line.startswith("$.clinicians[0].role") for line in result.unfilled)


def test_plan_net_qualification_gives_credentials_and_taxonomy_role() -> None:
    """Plan-Net writes a v2-0360 degree and a NUCC qualification: credentials MD, role read."""
    bundle = _bundle()
    person = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "practitioner-2")
    person["qualification"] = [
        {
            "code": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v2-0360", "code": "MD"}
                ]
            }
        },
        {
            "code": {
                "coding": [{"system": "http://nucc.org/provider-taxonomy", "code": "2084P0800X"}]
            }
        },
    ]
    role = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "role-2")
    role["code"] = []
    case = case_from_bundle(bundle, case_id="t").case
    assert (case.clinicians[1].credentials, case.clinicians[1].role.value) == ("MD", "psychiatrist")


# ------------------------------------------------------------------ 3. certification

_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"


def _provenance(kind: str, recorded: str, who: str = "Practitioner/practitioner-1") -> Any:
    """A FHIR R4 Provenance (target, recorded, agent.type, agent.who: its required elements)."""
    return {
        "resourceType": "Provenance",
        "id": f"{kind}-{recorded}",
        "target": [{"reference": "CarePlan/care-plan"}],
        "recorded": f"{recorded}T15:00:00-05:00",
        "agent": [
            {
                "type": {"coding": [{"system": _PARTICIPANT, "code": kind}]},
                "who": {"reference": who},
            }
        ],
    }


def test_certification_and_review_are_read_from_provenance_on_the_care_plan() -> None:
    """An 'attester' Provenance certifies the plan; the latest 'verifier' one is the review."""
    bundle = _bundle()
    _add(
        bundle,
        _provenance("attester", "2026-06-05"),
        _provenance("verifier", "2026-06-12", "PractitionerRole/role-1"),
        _provenance("verifier", "2026-06-19"),
    )
    result = case_from_bundle(bundle, case_id="t")
    plan = result.case.plan
    npi = result.case.clinicians[0].npi
    assert (str(plan.certified_on), plan.certified_by_npi) == ("2026-06-05", npi)
    assert str(plan.last_reviewed) == "2026-06-19"
    assert not any(line.startswith("$.plan.certified") for line in result.unfilled)


def test_an_uncertified_plan_is_listed_not_dropped_silently() -> None:
    """Without a Provenance the certification and review are named in ``unfilled``."""
    unfilled = case_from_bundle(_bundle(), case_id="t").unfilled
    for name in ("certified_by_npi", "certified_on", "last_reviewed"):
        assert any(line.startswith(f"$.plan.{name}: no Provenance") for line in unfilled)


# ------------------------------------------------------------------ 4. errors and extra


def test_snomed_only_conditions_are_named_when_no_diagnosis_is_left() -> None:
    """Every Condition coded in SNOMED CT only: the error names them, not the ServiceRequest."""
    bundle = _bundle()
    snomed = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "condition-snomed"
    )
    where = []
    for i, entry in enumerate(bundle["entry"]):
        if entry["resource"]["resourceType"] == "Condition":
            entry["resource"]["code"] = copy.deepcopy(snomed["code"])
            where.append(i)
    errors = _errors(bundle)
    assert errors == tuple(
        f"$.entry[{i}].resource: must list at least one diagnosis; this Condition has no "
        "ICD-10-CM code (case $.diagnoses)"
        for i in where
    )


def test_extra_merges_into_a_clinician_by_index() -> None:
    """``{"clinicians": [{"credentials": "DO"}]}`` changes that field only."""
    before = case_from_bundle(_bundle(), case_id="t").case.clinicians
    after = case_from_bundle(
        _bundle(), case_id="t", extra={"clinicians": [{"credentials": "DO"}]}
    ).case.clinicians
    assert after[0].credentials == "DO"
    assert (after[0].name, after[0].npi, after[0].role) == (
        before[0].name,
        before[0].npi,
        before[0].role,
    )
    assert after[1:] == before[1:]


def test_extra_past_the_bundles_list_adds_records() -> None:
    """An element beyond the Bundle's list is a record of its own."""
    count = len(case_from_bundle(_bundle(), case_id="t").case.clinicians)
    new = {"name": {"given": "Ana", "family": "Ruiz"}, "credentials": "RN", "role": "nurse"}
    extra: dict[str, Any] = {"clinicians": [{}] * count + [new]}
    clinicians = case_from_bundle(_bundle(), case_id="t", extra=extra).case.clinicians
    assert clinicians[-1].role.value == "nurse"
    assert len(clinicians) == count + 1


def test_a_subject_of_the_wrong_type_is_an_error_at_its_path() -> None:
    """A MedicationStatement whose subject is the Coverage is refused there."""
    bundle = _bundle()
    where = next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "MedicationStatement"
    )
    bundle["entry"][where]["resource"]["subject"] = {"reference": "Coverage/coverage"}
    assert (
        f"$.entry[{where}].resource.subject.reference: must refer to a Patient, not a Coverage"
        in _errors(bundle)
    )


def test_an_assumed_line_goes_once_extra_gives_the_value() -> None:
    """'other' assumed for a role, until the caller says which role it is."""
    bundle = _plain(_bundle())
    extra: dict[str, Any] = {
        "program": {"setting": "hospital_outpatient"},
        "coverage": {"plan_type": "medicare-advantage"},
        "plan": {"level": "iop"},
    }
    line = "$.clinicians[0].role: the PractitionerRole has no role iopauth reads; 'other' assumed"
    assert line in case_from_bundle(bundle, case_id="t", extra=extra).unfilled
    extra["clinicians"] = [{"role": "attending_physician"}]
    result = case_from_bundle(bundle, case_id="t", extra=extra)
    assert line not in result.unfilled
    assert result.case.clinicians[0].role.value == "attending_physician"


# ------------------------------------------------------------------ 5. dates


@pytest.mark.parametrize(
    ("rtype", "path", "value"),
    [
        ("CarePlan", ("period", "end"), "2026-13-45"),
        ("ServiceRequest", ("occurrenceTiming", "repeat", "boundsPeriod", "start"), "2026-02-30"),
        ("Patient", ("birthDate",), "1958-02-29"),
        ("Encounter", ("period", "start"), "2026-05-01T25:00:00Z"),
    ],
)
def test_an_unreal_date_is_a_fhir_error_at_its_path(
    rtype: str, path: tuple[str, ...], value: str
) -> None:
    """FHIR dates that name no real day are refused at their path (value not echoed)."""
    bundle = _bundle()
    where = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == rtype)
    node = bundle["entry"][where]["resource"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    errors = _errors(bundle)
    dotted = ".".join(path)
    assert errors == (
        f"$.entry[{where}].resource.{dotted}: must be a FHIR date or dateTime "
        "(YYYY-MM-DD, a real day)",
    )
    assert value not in str(errors)


def test_cli_reports_an_unreal_date_and_a_repeated_extra_key_with_rc_2(tmp_path: Path) -> None:
    """``iopauth fhir import``: both are one line naming the place, exit code 2."""
    import io

    from iopauth.cli import main

    bundle = _bundle()
    plan = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
    )
    plan["period"]["end"] = "2026-13-45"
    source = tmp_path / "b.json"
    source.write_text(json.dumps(bundle))
    err = io.StringIO()
    code = main(
        ["fhir", "import", str(source), "-o", str(tmp_path / "c.json")],
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code == 2
    assert "resource.period.end: must be a FHIR date" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    extra = tmp_path / "extra.json"
    extra.write_text('{"program": {"setting": "cmhc", "setting": "fqhc"}}')
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_bundle()))
    err = io.StringIO()
    argv = ["fhir", "import", str(good), "-o", str(tmp_path / "d.json"), "--extra", str(extra)]
    code = main(argv, stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert f"{extra}: $.program.setting: given more than once" in err.getvalue()
    assert not (tmp_path / "d.json").exists()

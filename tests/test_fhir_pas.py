"""Case → PAS request Bundle: R4B structure, the PAS rules, determinism and what it says."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings

from iopauth import evaluate, load_case
from iopauth.fhir import pas_attachment, pas_problems, pas_request
from iopauth.model import Case

from .pas_options import TIMESTAMP, options
from .pas_rules import bundle_problems
from .strategies import cases, mutated

CASES = Path(__file__).resolve().parent.parent / "examples" / "cases"
NAMES = sorted(p.stem for p in CASES.glob("*.json"))
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"


def _bundle(name: str = "medicare-stepdown-depression", **extra: Any) -> dict[str, Any]:
    return pas_request(load_case(CASES / f"{name}.json"), **options(**extra))


def _claim(bundle: dict[str, Any]) -> dict[str, Any]:
    claim: dict[str, Any] = bundle["entry"][0]["resource"]
    assert claim["resourceType"] == "Claim"
    return claim


def _extension(item: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in item["extension"] if e["url"] == PAS + name)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_example_parses_with_r4b_and_keeps_the_pas_rules(name: str) -> None:
    """Each example's PAS Bundle is valid R4B and breaks no PAS profile rule.

    The rules are those of src/iopauth/fhir/data/pas-profiles.json (tests/pas_rules.py), for
    every profile our resources name, with every document attached.
    """
    case = load_case(CASES / f"{name}.json")
    files = dict.fromkeys(range(len(case.request.documents)), b"%PDF-1.7 doc")
    bundle = pas_request(case, evaluate(case), **options(letter_pdf=b"%PDF-1.7\n", documents=files))
    Bundle.model_validate(bundle)
    assert bundle_problems(bundle) == []  # pas_problems: test_fhir_pas_checks.py (xfail)


def test_same_case_same_json() -> None:
    """Two builds of one case serialize to identical JSON."""
    assert json.dumps(_bundle()) == json.dumps(_bundle())


def test_claim_says_what_is_requested() -> None:
    """The Claim asks for G0410 under revenue code 0905, 12 per-diem units over the period."""
    bundle = _bundle()
    claim = _claim(bundle)
    assert (claim["use"], claim["status"]) == ("preauthorization", "active")
    (item,) = claim["item"]
    assert item["productOrService"]["coding"][0]["code"] == "G0410"
    assert item["revenue"]["coding"][0]["code"] == "0905"
    # 3 program days a week over the four weeks 9 June - 6 July
    assert item["quantity"] == {"value": 12, "unit": "day"}
    assert item["servicedPeriod"] == {"start": "2026-06-09", "end": "2026-07-06"}
    cert = _extension(item, "extension-certificationType")["valueCodeableConcept"]
    assert cert["coding"][0] == {"system": "https://codesystem.x12.org/005010/1322", "code": "I"}
    codes = [d["diagnosisCodeableConcept"]["coding"][0]["code"] for d in claim["diagnosis"]]
    assert codes == ["F33.2", "R45.851"]
    assert claim["insurance"] == [
        {"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/coverage"}}
    ]
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types[:4] == ["Claim", "ServiceRequest", "Patient", "Organization"]
    assert bundle["timestamp"] == "2026-06-05T14:30:00Z"


def test_concurrent_request_carries_the_authorization_number_and_the_given_code() -> None:
    """A concurrent review names the current authorization and the payer's UM02 code.

    The IG gives no UM02 code for a concurrent review (only I, Examples.fsh:65), so the code is
    the one passed in ``PasCodes.certification_types``.
    """
    item = _claim(_bundle("medicaid-alcohol-depression-concurrent"))["item"][0]
    assert _extension(item, "extension-authorizationNumber")["valueString"] == "BCC-2026-118840"
    cert = _extension(item, "extension-certificationType")["valueCodeableConcept"]
    assert cert["coding"][0]["code"] == "X-concurrent"


def test_expedited_appeal_is_stat_priority() -> None:
    """The expedited appeal asks for stat processing."""
    claim = _claim(_bundle("commercial-adolescent-appeal"))
    assert claim["priority"]["coding"][0]["code"] == "stat"


def test_letter_pdf_is_attached_as_a_document_reference() -> None:
    """The rendered letter travels as a PDF attachment the Claim points to."""
    bundle = _bundle(letter_pdf=b"%PDF-1.7 letter")
    docs = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    ]
    letter = docs[-1]
    attachment = letter["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]) == b"%PDF-1.7 letter"
    assert attachment["contentType"] == "application/pdf"
    assert letter["date"] == TIMESTAMP.isoformat().replace("+00:00", "Z")
    refs = [s.get("valueReference") for s in _claim(bundle)["supportingInfo"]]
    assert {"reference": f"DocumentReference/{letter['id']}"} in refs


def test_determination_becomes_a_message_to_the_reviewer() -> None:
    """With a determination the Claim tells the reviewer which criteria were met."""
    case = load_case(CASES / "medicare-stepdown-depression.json")
    determination = evaluate(case)
    claim = _claim(pas_request(case, determination, **options()))
    messages = [s["valueString"] for s in claim["supportingInfo"] if "valueString" in s]
    assert messages[0] == (
        f"Medical-necessity criteria {determination.criteria_set} "
        f"{determination.criteria_version} (initial review): meets."
    )


def test_a_shortfall_is_never_sent_to_the_payer() -> None:
    """A case that does not meet (or lacks information) sends no criteria line at all."""
    for name in ("commercial-mild-adjustment", "medicaid-alcohol-depression-concurrent"):
        case = load_case(CASES / f"{name}.json")
        determination = evaluate(case)
        if determination.outcome.value == "meets":
            continue
        text = json.dumps(pas_request(case, determination, **options()))
        assert "Medical-necessity criteria" not in text
        assert determination.outcome.value.replace("_", " ") not in text


# The checker's own tests (each profile rule broken alone in an IG example) are in
# tests/test_fhir_pas_checks.py, with the IG's request examples (issue 23).


def test_reference_implementation_request_is_checked_not_crashed(pas_ri: Path) -> None:
    """The RI's own (imperfect) request Bundle is read; its problems come back as lines."""
    bundle = json.loads((pas_ri / "bundle-prior-auth.json").read_text())
    problems = pas_problems(bundle)
    assert all(": " in line and line.startswith("$") for line in problems)


def test_import_iopauth_does_not_load_fhir() -> None:
    """``import iopauth`` stays light: neither iopauth.fhir nor fhir.resources is loaded."""
    code = (
        "import sys, iopauth; "
        "print(any(m.startswith(('iopauth.fhir', 'fhir')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_any_valid_case_gives_a_valid_pas_bundle(case: Case) -> None:
    """Every case the library accepts becomes an R4B-valid Bundle keeping the PAS rules."""
    bundle = pas_request(case, **options())
    Bundle.model_validate(bundle)
    assert bundle_problems(bundle) == []  # pas_problems: test_fhir_pas_checks.py (xfail)
    assert bundle == pas_request(case, **options())


def test_archival_pdf_embeds_the_pas_bundle_beside_the_case() -> None:
    """A PDF/A-3 request letter rendered with the PAS attachment carries case.json and it."""
    import io

    import pypdf

    from iopauth import RenderOptions, render

    case = load_case(CASES / "medicare-stepdown-depression.json")
    bundle = pas_request(case, **options())
    keep = RenderOptions(archival=True, attachments=[pas_attachment(bundle)])
    pdf = render(case, "request-letter", options=keep)
    files = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    assert json.loads(files["pas-request.json"][0]) == bundle
    assert json.loads(files["case.json"][0])["case_id"] == case.case_id


def test_transaction_id_names_the_submission() -> None:
    """A resubmission gets its own Bundle identifier; the Claim keeps the case's."""
    bundle = _bundle(transaction_id="sub-0002")
    assert bundle["identifier"] == {"system": "urn:iopauth:submission", "value": "sub-0002"}
    assert _claim(bundle)["identifier"][0]["value"] == "ex-medicare-stepdown"


def test_import_iopauth_fhir_loads_no_http_jwt_or_authorization() -> None:
    """``import iopauth.fhir`` leaves httpx, PyJWT and the authorization package unloaded."""
    code = (
        "import sys, iopauth.fhir; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('httpx', 'jwt', 'fhir') or m.startswith('iopauth.authorization')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


_EXAMPLE_BUNDLE = pas_request(load_case(CASES / "medicare-stepdown-depression.json"), **options())


@settings(max_examples=150, deadline=None)
@given(bundle=mutated(_EXAMPLE_BUNDLE))
def test_pas_checks_read_any_bundle_without_crashing(bundle: dict[str, Any]) -> None:
    """The PAS checks take a partner's broken Bundle and answer with path lines."""
    problems = pas_problems(bundle)
    assert all(line.startswith("$") and ": " in line for line in problems)


def test_iopauth_fhir_is_reachable_from_iopauth() -> None:
    """``iopauth.fhir`` works after a plain ``import iopauth``, loaded on that first use."""
    code = (
        "import sys, iopauth; before = 'iopauth.fhir' in sys.modules; "
        "f = iopauth.fhir.pas_request; print(before, 'iopauth.fhir' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False True"


def test_each_submission_has_its_own_transaction_id() -> None:
    """Two submissions of one case at two moments carry two Bundle identifiers (X12 BHT03)."""
    from datetime import timedelta

    from .pas_options import TIMESTAMP

    case = load_case(CASES / "medicare-stepdown-depression.json")
    first = pas_request(case, **options())
    again = pas_request(case, **options(timestamp=TIMESTAMP + timedelta(hours=2)))
    assert first["identifier"]["value"] == f"{case.case_id}-20260605143000"
    assert first["identifier"]["value"] != again["identifier"]["value"]
    assert pas_request(case, **options(transaction_id="T-1"))["identifier"]["value"] == "T-1"

"""``iopauth fhir import|pas|decision``: files written whole, problems one per line, exit 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from iopauth import load_case
from iopauth.cli import main

from .pas_rules import bundle_problems

HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "data" / "fhir" / "medicare-stepdown-depression.bundle.json"
CASES = HERE.parent / "examples" / "cases"
# a fixed creation time and the IG's own example X12 codes (see tests/pas_options.py)
PAS_ARGS = (
    "--timestamp",
    "2026-06-05T09:30:00-05:00",
    "--service-type",
    "1",
    "--place-of-service",
    "11",
    "--report-type",
    "PY",
)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_import_writes_the_case_and_prints_what_it_could_not_fill(tmp_path: Path) -> None:
    """The imported case loads; the risk assessment is listed as not filled."""
    target = tmp_path / "case.json"
    code, out, err = _run("fhir", "import", str(BUNDLE), "-o", str(target), "--kind", "initial")
    assert (code, err) == (0, "")
    case = load_case(target)
    assert case.case_id == "medicare-stepdown-depression"
    assert "not filled: $.risk: a risk assessment lives in clinical notes; ask the clinician" in out
    assert "not filled: $.request.kind" not in out
    assert "note: $.entry[" in out  # the SNOMED-only condition


def test_pas_writes_a_bundle_that_keeps_the_pas_rules(tmp_path: Path) -> None:
    """``fhir pas`` writes the request Bundle with the letter attached."""
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.7\n")
    target = tmp_path / "pas.json"
    case = HERE.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
    code, out, _ = _run(
        "fhir", "pas", str(case), "-o", str(target), "--letter", str(letter), *PAS_ARGS
    )
    assert code == 0
    assert out.strip() == str(target)
    bundle = json.loads(target.read_text())
    assert bundle_problems(bundle) == []  # pas_problems: test_fhir_pas_checks.py (xfail)
    assert bundle["entry"][-1]["resource"]["description"] == "Prior authorization request letter"
    assert bundle["timestamp"] == "2026-06-05T09:30:00-05:00"


def test_decision_prints_what_the_payer_decided(pas_ri: Path) -> None:
    """The RI's denial reads as a denial in words; its 36-character reference is not quoted."""
    code, out, _ = _run("fhir", "decision", str(pas_ri / "DeniedResponse.json"))
    assert code == 0
    assert out.splitlines() == [
        "The payer denied the request.",
        "Decided on: 2019-09-09",
        "Payer's reference: sent in an unexpected form, not shown (see --json)",
        "Reason codes: X",
        "The payer's own words: 1 (see --json)",
    ]


def test_decision_json(pas_ri: Path) -> None:
    """``--json`` prints the Decision's fields."""
    code, out, _ = _run("fhir", "decision", str(pas_ri / "GrantedResponse.json"), "--json")
    data = json.loads(out)
    assert (code, data["status"], data["decided_on"]) == (0, "approved", "2019-09-09")


def test_bad_bundle_exits_2_without_traceback_or_output_file(tmp_path: Path) -> None:
    """Non-JSON input: one line naming the rule, exit 2, nothing written."""
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    target = tmp_path / "case.json"
    code, _, err = _run("fhir", "import", str(bad), "-o", str(target))
    assert code == 2
    assert err.startswith("iopauth: $: not valid JSON")
    assert "Traceback" not in err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_hostile_bundle_errors_name_entry_paths(tmp_path: Path) -> None:
    """A Bundle without Coverage fails with the rule, exit 2."""
    bundle = json.loads(BUNDLE.read_text())
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Coverage"]
    source = tmp_path / "b.json"
    source.write_text(json.dumps(bundle))
    code, _, err = _run("fhir", "import", str(source), "-o", str(tmp_path / "c.json"))
    assert code == 2
    lines = err.splitlines()
    assert "iopauth: $.entry: no Coverage; the bundle must hold the patient's plan" in lines
    # the ServiceRequest still points at the removed Coverage: named at its path
    assert any(
        line.endswith(".insurance[0].reference: refers to no entry in the bundle") for line in lines
    )


def test_missing_file_and_missing_subcommand_exit_2(tmp_path: Path) -> None:
    """A missing response file and a bare ``iopauth fhir`` are usage errors."""
    code, _, err = _run("fhir", "decision", str(tmp_path / "none.json"))
    assert code == 2
    assert "No such file" in err
    code, _, err = _run("fhir")
    assert code == 2
    assert "required" in err


def test_import_from_stdin_with_extra_parts(tmp_path: Path) -> None:
    """A Bundle on standard input, with the risk assessment given in an extra file."""
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"risk": {"assessed_on": "2026-06-05", "imminent_danger": False}}))
    target = tmp_path / "case.json"
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["fhir", "import", "-", "-o", str(target), "--extra", str(extra), "--case-id", "c-9"],
        stdout=out,
        stderr=err,
        stdin=io.StringIO(BUNDLE.read_text()),
    )
    assert (code, err.getvalue()) == (0, "")
    case = load_case(target)
    assert case.case_id == "c-9"
    assert case.risk is not None
    assert case.risk.imminent_danger is False
    assert "not filled: $.risk" not in out.getvalue()


def test_extra_that_is_not_an_object_exits_2(tmp_path: Path) -> None:
    """An --extra file holding a list is refused with its name and the rule."""
    extra = tmp_path / "extra.json"
    extra.write_text("[1]")
    code, _, err = _run(
        "fhir", "import", str(BUNDLE), "-o", str(tmp_path / "c.json"), "--extra", str(extra)
    )
    assert code == 2
    assert err.strip() == f"iopauth: {extra}: must be a JSON object (parts of a case)"


def test_pas_transaction_id(tmp_path: Path) -> None:
    """``--transaction-id`` names the submission in the Bundle identifier."""
    case = HERE.parent / "examples" / "cases" / "commercial-mild-adjustment.json"
    target = tmp_path / "pas.json"
    code, _, _ = _run(
        "fhir", "pas", str(case), "-o", str(target), "--transaction-id", "t-2", *PAS_ARGS
    )
    assert code == 0
    assert json.loads(target.read_text())["identifier"]["value"] == "t-2"


def test_import_to_standard_output_reports_on_standard_error() -> None:
    """``-o -`` writes the case JSON alone to stdout; what was not filled goes to stderr."""
    raw = io.BytesIO()
    out, err = io.TextIOWrapper(raw, encoding="utf-8"), io.StringIO()
    code = main(["fhir", "import", str(BUNDLE), "-o", "-"], stdout=out, stderr=err)
    out.flush()
    assert code == 0
    assert json.loads(raw.getvalue())["case_id"] == "medicare-stepdown-depression"
    assert "not filled: $.risk" in err.getvalue()


def test_replacing_a_file_says_so_unless_forced(tmp_path: Path) -> None:
    """A second import over the same file notes the replacement; --force keeps quiet."""
    target = tmp_path / "case.json"
    _run("fhir", "import", str(BUNDLE), "-o", str(target))
    code, _, err = _run("fhir", "import", str(BUNDLE), "-o", str(target))
    assert (code, err) == (0, f"iopauth: replacing the existing file {target}\n")
    code, _, err = _run("fhir", "import", str(BUNDLE), "-o", str(target), "--force")
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        ("/dev/zero", "$: the path is not a regular file or pipe"),
        ("[" * 100_000 + "]" * 100_000, "$: JSON nested too deeply"),
        ('{"risk": {}, "risk": {}}', "$.risk: given more than once"),
    ],
)
def test_extra_is_read_with_the_document_limits(tmp_path: Path, content: str, rule: str) -> None:
    """--extra of /dev/zero, a 100,000-deep file or a key given twice: exit 2, no traceback."""
    extra = Path(content) if content.startswith("/dev/") else tmp_path / "extra.json"
    if not content.startswith("/dev/"):
        extra.write_text(content)
    code, out, err = _run(
        "fhir", "import", str(BUNDLE), "-o", str(tmp_path / "c.json"), "--extra", str(extra)
    )
    assert (code, out) == (2, "")
    assert f"{extra}: {rule}" in err
    assert "Traceback" not in err
    assert not (tmp_path / "c.json").exists()


def test_letter_must_be_a_bounded_file(tmp_path: Path) -> None:
    """--letter /dev/zero is refused unread (exit 2), not read until memory runs out."""
    case = Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
    target = tmp_path / "bundle.json"
    code, _, err = _run(
        "fhir", "pas", str(case), "-o", str(target), *PAS_ARGS, "--letter", "/dev/zero"
    )
    assert code == 2
    assert "/dev/zero: the --letter file is not a regular file or pipe" in err
    assert not target.exists()


def test_output_through_a_planted_symlink_is_refused(tmp_path: Path) -> None:
    """-o naming a link to another file: exit 2, the link's target keeps its bytes."""
    case = Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    link = tmp_path / "bundle.json"
    link.symlink_to(victim)
    code, out, err = _run("fhir", "pas", str(case), "-o", str(link), *PAS_ARGS)
    assert (code, out) == (2, "")
    assert err == (
        f"iopauth: cannot use {link}: is a symbolic link; iopauth never writes through one\n"
    )
    assert victim.read_bytes() == b"precious"
    assert link.is_symlink()


def test_pas_needs_a_timestamp_and_reads_the_clock_only_when_told(tmp_path: Path) -> None:
    """No ``--timestamp``: a usage error (exit 2); ``--timestamp now`` stamps the current UTC
    time; a time without an offset is refused, naming the option."""
    from datetime import UTC, datetime

    case = str(CASES / "commercial-mild-adjustment.json")
    target = tmp_path / "pas.json"
    code, _, err = _run("fhir", "pas", case, "-o", str(target), *PAS_ARGS[2:])
    assert code == 2
    assert "--timestamp" in err
    before = datetime.now(UTC)
    code, _, _ = _run("fhir", "pas", case, "-o", str(target), *PAS_ARGS[2:], "--timestamp", "now")
    assert code == 0
    stamped = datetime.fromisoformat(json.loads(target.read_text())["timestamp"])
    assert before <= stamped <= datetime.now(UTC)
    code, _, err = _run(
        "fhir",
        "pas",
        case,
        "-o",
        str(tmp_path / "x.json"),
        *PAS_ARGS[2:],
        "--timestamp",
        "2026-06-05T09:30",
    )
    assert (code, err.strip()) == (
        2,
        "iopauth: --timestamp: needs a UTC offset (e.g. 2026-06-05T14:30:00Z)",
    )
    assert not (tmp_path / "x.json").exists()


def test_pas_without_a_service_type_names_the_option(tmp_path: Path) -> None:
    """The X12 service type PAS requires is asked for by its command-line name."""
    case = str(CASES / "commercial-mild-adjustment.json")
    code, _, err = _run(
        "fhir",
        "pas",
        case,
        "-o",
        str(tmp_path / "x.json"),
        "--timestamp",
        "now",
        "--place-of-service",
        "11",
    )
    assert code == 2
    assert err.startswith("iopauth: --service-type: required: the X12 UM03 service type")


def test_pas_inquiry_update_and_cancel(tmp_path: Path) -> None:
    """``--inquiry``, ``--update SENT`` and ``--cancel SENT`` write the follow-up Bundles."""
    case = str(CASES / "medicare-stepdown-depression.json")
    sent = tmp_path / "sent.json"
    assert _run("fhir", "pas", case, "-o", str(sent), *PAS_ARGS)[0] == 0
    written = {}
    for kind, extra in (
        ("inquiry", ("--inquiry",)),
        ("update", ("--update", str(sent))),
        ("cancel", ("--cancel", str(sent))),
    ):
        target = tmp_path / f"{kind}.json"
        args = (case,) if kind != "cancel" else ()
        code, out, err = _run("fhir", "pas", *args, "-o", str(target), *PAS_ARGS, *extra)
        assert (code, err, out.strip()) == (0, "", str(target)), kind
        written[kind] = json.loads(target.read_text())
        assert bundle_problems(written[kind]) == [], kind
    profiles = {k: b["entry"][0]["resource"]["meta"]["profile"][0] for k, b in written.items()}
    assert profiles == {
        "inquiry": "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-claim-inquiry",
        "update": "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-claim-update",
        "cancel": "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-claim-update",
    }
    code, _, err = _run(
        "fhir", "pas", case, "-o", str(tmp_path / "y.json"), *PAS_ARGS, "--cancel", str(sent)
    )
    assert (code, err.strip()) == (2, "iopauth: --cancel: takes the sent Bundle only, not a case")


def test_pas_sends_the_questionnaire_answers_and_the_coverage_assertion(tmp_path: Path) -> None:
    """``--questionnaire-response`` and ``--crd-answer`` put the DTR answers and the CRD
    coverage information in the request; a missing PWK01 code is named by its option."""
    data = Path(__file__).parent / "data"
    qr = data / "dtr" / "questionnaireresponse-home-o2.json"
    crd = data / "crd" / "iop-response-ours.json"
    case = str(CASES / "medicare-stepdown-depression.json")
    target = tmp_path / "pas.json"
    before = ("--questionnaire-response", str(qr), "--crd-answer", str(crd))
    code, _, err = _run("fhir", "pas", case, "-o", str(target), *PAS_ARGS, *before)
    assert (code, err.strip()) == (
        2,
        "iopauth: --questionnaire-report-type: required for a questionnaire response: the X12 "
        "PWK01 report type (PAS documentInformation.reportTypeCode 1..1, Claim.fsh:254)",
    )
    assert not target.exists()
    code, _, err = _run(
        "fhir", "pas", case, "-o", str(target), *PAS_ARGS, *before,
        "--questionnaire-report-type", "X-questionnaire",
    )  # fmt: skip
    assert (code, err) == (0, "")
    bundle = json.loads(target.read_text())
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 1
    order = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
    )
    assert "IOP-CRD-0001" in json.dumps(order["extension"])
    assert bundle_problems(bundle) == []
    code, _, err = _run(
        "fhir", "pas", case, "-o", str(tmp_path / "i.json"), *PAS_ARGS, "--inquiry",
        "--crd-answer", str(crd),
    )  # fmt: skip
    assert (code, err.strip()) == (
        2,
        "iopauth: --questionnaire-response, --crd-answer: only with a request or an update",
    )


def test_pas_update_takes_the_questionnaire_answers_and_the_coverage_assertion(
    tmp_path: Path,
) -> None:
    """``--update`` takes ``--questionnaire-response`` and ``--crd-answer`` as a request does:
    the answers are added as additionalInformation, the assertion id rides on the order."""
    data = Path(__file__).parent / "data"
    qr = data / "dtr" / "questionnaireresponse-home-o2.json"
    crd = data / "crd" / "iop-response-ours.json"
    case = str(CASES / "medicare-stepdown-depression.json")
    sent, target = tmp_path / "sent.json", tmp_path / "update.json"
    assert _run("fhir", "pas", case, "-o", str(sent), *PAS_ARGS)[0] == 0
    code, _, err = _run(
        "fhir", "pas", case, "-o", str(target), *PAS_ARGS, "--update", str(sent),
        "--questionnaire-response", str(qr), "--questionnaire-report-type", "X-questionnaire",
        "--crd-answer", str(crd),
    )  # fmt: skip
    assert (code, err) == (0, "")
    bundle = json.loads(target.read_text())
    claim = bundle["entry"][0]["resource"]
    assert claim["meta"]["profile"][0].endswith("profile-claim-update")
    (info,) = [s for s in claim["supportingInfo"] if "valueReference" in s]
    assert info["valueReference"]["reference"].startswith("QuestionnaireResponse/")
    assert info["extension"][0]["valueCode"] == "added"
    order = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
    )
    assert "IOP-CRD-0001" in json.dumps(order["extension"])
    assert bundle_problems(bundle) == []

"""``iopauth render`` with the payer's documents: --questionnaire-response, --questionnaire and
--coverage-requirements; a bad file is exit 2 with nothing written."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest

from iopauth.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASE = str(ROOT / "examples" / "cases" / "medicare-stepdown-depression.json")
IOP_Q = str(ROOT / "examples" / "dtr" / "iop-questionnaire.json")
MAPPING = str(ROOT / "examples" / "dtr" / "iop-admission.toml")
CRD_ANSWER = str(ROOT / "examples" / "crd" / "iop-coverage-answer.json")
DTR = Path(__file__).resolve().parent / "data" / "dtr"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


def _words(path: Path) -> str:
    markup = path.read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    qr = tmp_path / "qr.json"
    code, _, err = _run(
        "fhir", "questionnaire", IOP_Q, CASE, "--mapping", MAPPING,
        "--authored", "2026-06-05", "-o", str(qr),
    )  # fmt: skip
    assert code == 0, err
    return qr


def test_the_packet_gets_the_payer_questionnaire_page(tmp_path: Path, answers: Path) -> None:
    out = tmp_path / "packet.html"
    code, _, err = _run(
        "render", CASE, "-d", "packet", "--html", "-o", str(out),
        "--questionnaire-response", str(answers), "--questionnaire", IOP_Q,
    )  # fmt: skip
    assert code == 0, err
    words = _words(out)
    assert "Payer questionnaire: Intensive Outpatient Program (IOP) admission" in words  # cover
    assert "Scheduled treatment days per week 3 Patient's record" in words
    assert "To be answered by the clinician" in words


def test_the_checklist_lists_the_payers_requirements(tmp_path: Path) -> None:
    out = tmp_path / "checklist.html"
    code, _, err = _run(
        "render", CASE, "-d", "checklist", "--html", "-o", str(out),
        "--coverage-requirements", CRD_ANSWER,
    )  # fmt: skip
    assert code == 0, err
    words = _words(out)
    assert "What the payer asks for" in words
    assert "Prior authorization Prior authorization is needed." in words


def _bad_response(tmp_path: Path) -> Path:
    bad = tmp_path / "bad.json"
    item = {"linkId": "q", "text": "Member\u202eDI", "answer": [{"valueString": "x"}]}
    bad.write_text(json.dumps({"resourceType": "QuestionnaireResponse", "item": [item]}))
    return bad


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--questionnaire-response", "{bad}"), "bidirectional or invisible"),
        (("--questionnaire-response", "{missing}"), "cannot use"),
        (("--questionnaire-response", str(DTR / "questionnaireresponse-home-o2.json"),
          "--questionnaire", str(DTR / "questionnaire-home-o2-std.json")),
         "not the one the response answers"),
        (("--questionnaire", IOP_Q), "--questionnaire needs --questionnaire-response"),
        (("--coverage-requirements", "{bad}"), "not a CDS Hooks answer"),
        (("--coverage-requirements", "{notjson}"), "--coverage-requirements: "),
    ],
    ids=["hostile", "missing", "mismatch", "alone", "not-crd", "not-json"],
)  # fmt: skip
def test_a_bad_payer_file_is_exit_2_with_nothing_written(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    notjson = tmp_path / "notjson.json"
    notjson.write_text("{not json", encoding="utf-8")
    names = {"bad": str(_bad_response(tmp_path)), "missing": str(tmp_path / "nope.json")}
    names["notjson"] = str(notjson)
    out = tmp_path / "packet.pdf"
    argv = [a.format(**names) if a.startswith("{") else a for a in args]
    code, stdout, err = _run("render", CASE, "-d", "packet", "-o", str(out), *argv)
    assert code == 2
    assert message in err
    assert not out.exists()
    assert stdout == ""
    assert "Member" not in err  # the payer's text is never quoted


def test_a_payer_document_the_document_does_not_print_is_named(
    tmp_path: Path, answers: Path
) -> None:
    out = tmp_path / "summary.html"
    code, _, err = _run(
        "render", CASE, "--html", "-d", "patient-summary", "-o", str(out),
        "--questionnaire-response", str(answers), "--coverage-requirements", CRD_ANSWER,
    )  # fmt: skip
    assert code == 0
    assert (
        "--questionnaire-response goes into the packet, fax-cover, request-letter, "
        "concurrent-review, appeal-letter and checklist only" in err
    )
    assert "--coverage-requirements goes into the checklist only" in err
    assert "Payer questionnaire" not in _words(out)

"""``iopauth auth``: add, decision, usage, alerts and show, run in-process."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import attrs
import pytest

from iopauth.authorization import Authorization, AuthorizationStore, Review, ReviewType
from iopauth.cli import main
from iopauth.model import LevelOfCare, PlanType

EXAMPLES = Path(__file__).parent.parent / "examples" / "cases"
STEPDOWN = EXAMPLES / "medicare-stepdown-depression.json"  # MA, requested 2026-06-05, standard


def _run(*argv: str) -> tuple[int, str, str]:
    """Run the command; exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store holding the Medicare Advantage step-down case's initial request."""
    path = str(tmp_path / "auth.db")
    code, out, err = _run("auth", "add", str(STEPDOWN), "--db", path)
    assert (code, err) == (0, "")
    assert out == "no auth number yet (case ex-medicare-stepdown): tracking the initial request\n"
    return path


def _decision(tmp_path: Path, **fields: object) -> str:
    """A decision JSON file in iopauth's format."""
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(fields))
    return str(path)


def test_adding_the_same_case_twice_is_refused(db: str) -> None:
    """The second add exits 2 with one line naming the case."""
    code, out, err = _run("auth", "add", str(STEPDOWN), "--db", db)
    assert (code, out) == (2, "")
    assert err == "iopauth: the store already holds an authorization for ex-medicare-stepdown\n"


def test_alerts_show_the_overdue_decision(db: str) -> None:
    """CMS-0057-F: 7 days from 5 June is 12 June; on the 13th the decision is overdue."""
    code, out, _ = _run("auth", "alerts", "--db", db, "--as-of", "2026-06-13")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Alerts on 2026-06-13, most urgent first:"
    assert "OVERDUE 2026-06-12" in lines[1]
    assert "no auth number yet (case ex-medicare-stepdown)" in lines[1]
    assert "payer decision overdue since 2026-06-12" in lines[1]
    code, out, _ = _run("auth", "alerts", "--db", db, "--as-of", "2026-06-12", "--json")
    assert json.loads(out) == {"as_of": "2026-06-12", "alerts": []}


def test_decision_usage_and_alerts_flow(db: str, tmp_path: Path) -> None:
    """A partial approval, usage by date, the summary lines and the alerts that follow."""
    decision = _decision(
        tmp_path,
        status="partially_approved",
        decided_on="2026-06-10",
        authorization_number="MA-77",
        authorized_units=6,
        authorized_start="2026-06-09",
        authorized_end="2026-06-28",
    )
    code, out, err = _run(
        "auth", "decision", decision, "--db", db, "--case", "ex-medicare-stepdown"
    )
    assert (code, err) == (0, "")
    assert out == (
        "MA-77 (case ex-medicare-stepdown): partially_approved; 0 of 6 per_diem units used, "
        "6 left; authorized 2026-06-09 to 2026-06-28\n"
    )
    code, out, _ = _run("auth", "decision", decision, "--db", db)
    assert code == 0
    assert out.endswith("(decision already applied: nothing changed)\n")
    code, out, _ = _run(
        "auth", "usage", "MA-77", "2026-06-09", "2026-06-10", "2026-06-11", "2026-06-08", "--db", db
    )
    assert code == 0
    assert out == (
        "MA-77 (case ex-medicare-stepdown): partially_approved; 3 of 6 per_diem units used, "
        "3 left; authorized 2026-06-09 to 2026-06-28; "
        "1 usage date(s) outside the authorized window\n"
    )
    code, out, _ = _run("auth", "alerts", "--db", db, "--as-of", "2026-06-11", "--json")
    kinds = [a["kind"] for a in json.loads(out)["alerts"]]
    # 3 days left on Mon–Wed run out Wed 17 June; the review is due 5 days before, the 12th.
    assert kinds == [
        "usage_outside_window",
        "review_due_tomorrow",
        "units_low",
        "expires_within_30_days",
    ]
    # nothing recorded after 11 June: on the 19th (8 days) the quiet is flagged, with a
    # threshold of 10 days not yet
    code, out, _ = _run("auth", "alerts", "--db", db, "--as-of", "2026-06-19", "--json")
    quiet = [a for a in json.loads(out)["alerts"] if a["kind"] == "usage_not_recorded"]
    assert [a["action"].split(":")[0] for a in quiet] == [
        "no usage recorded since 2026-06-11 (8 days)"
    ]
    code, out, _ = _run(
        "auth", "alerts", "--db", db, "--as-of", "2026-06-19", "--stale-usage-days", "10", "--json"
    )
    assert "usage_not_recorded" not in out
    code, out, _ = _run("auth", "show", "MA-77", "--db", db)
    shown = json.loads(out)
    assert shown["authorized_units"] == 6
    assert len(shown["usage"]) == 4


def test_unknown_codes_in_a_decision_are_reported(db: str, tmp_path: Path) -> None:
    """Codes the reader did not recognise are printed for staff to check."""
    decision = _decision(
        tmp_path, status="contact_payer", decided_on="2026-06-10", unknown_codes=["A9", "ZZ"]
    )
    code, out, _ = _run("auth", "decision", decision, "--db", db, "--case", "ex-medicare-stepdown")
    assert code == 0
    assert out.splitlines()[1] == (
        "no auth number yet (case ex-medicare-stepdown): codes not recognized, "
        "check with the payer: A9, ZZ"
    )


def test_bad_usage_entries_are_each_reported(db: str) -> None:
    """A day that does not exist and text that is no date: one line each, exit 2."""
    code, out, err = _run(
        "auth", "usage", "ex-medicare-stepdown", "2026-02-30", "yesterday", "--db", db
    )
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "iopauth: usage[0]: must be DATE or DATE:UNITS, the date YYYY-MM-DD",
        "iopauth: usage[1]: must be DATE or DATE:UNITS, the date YYYY-MM-DD",
    ]


def test_bad_decision_file_names_the_path_and_rule(db: str, tmp_path: Path) -> None:
    """An invalid decision is refused with its paths; nothing in the store changes."""
    decision = _decision(tmp_path, status="granted", authorized_units=-1)
    code, _, err = _run("auth", "decision", decision, "--db", db, "--case", "ex-medicare-stepdown")
    assert code == 2
    assert err.startswith("iopauth: $.status: must be one of: approved, partially_approved")
    _, out, _ = _run("auth", "show", "ex-medicare-stepdown", "--db", db)
    assert "authorized_units" not in json.loads(out)


def test_usage_errors_and_foreign_files(tmp_path: Path) -> None:
    """No action, a bad --as-of and a file that is not a store all exit 2 with one line."""
    assert _run("auth")[0] == 2
    other = tmp_path / "notes.txt"
    other.write_text("not a store")
    code, _, err = _run("auth", "alerts", "--db", str(other))
    assert code == 2
    assert (
        err == f"iopauth: {other} is not an iopauth authorization store (not an SQLite database)\n"
    )
    code, _, err = _run("auth", "alerts", "--db", str(tmp_path / "a.db"), "--as-of", "13/06/2026")
    assert (code, err) == (2, "iopauth: --as-of: must be a date written YYYY-MM-DD\n")


def test_a_concurrent_case_joins_its_authorization(db: str, tmp_path: Path) -> None:
    """A concurrent-review case naming a stored number adds a review instead of a new record."""
    decision = _decision(
        tmp_path, status="approved", decided_on="2026-06-10", authorization_number="MA-77"
    )
    _run("auth", "decision", decision, "--db", db, "--case", "ex-medicare-stepdown")
    doc = json.loads(STEPDOWN.read_text())
    doc["case_id"] = "ex-medicare-stepdown-cr1"
    doc["request"].update(
        kind="concurrent", request_date="2026-07-01", authorization_number="MA-77"
    )
    doc["request"]["period"] = {"start": "2026-07-07", "end": "2026-07-20"}
    case = tmp_path / "concurrent.json"
    case.write_text(json.dumps(doc))
    code, out, err = _run("auth", "add", str(case), "--db", db)
    assert (code, err) == (0, "")
    assert out == "MA-77 (case ex-medicare-stepdown): concurrent request recorded\n"
    _, out, _ = _run("auth", "show", "MA-77", "--db", db)
    reviews = json.loads(out)["reviews"]
    assert [r["kind"] for r in reviews] == ["initial", "concurrent"]
    assert reviews[1]["requested_on"] == "2026-07-01"


PAS_RI = Path(__file__).parent / "data" / "pas-ri" / "GrantedResponse.json"


def test_a_fhir_claim_response_is_applied_when_the_fhir_reader_is_there(tmp_path: Path) -> None:
    """A payer's PAS ClaimResponse goes straight into the store, read by iopauth.fhir.

    The reference implementation's response is dated 9 September 2019: the stored request
    it answers is dated 6 September 2019.
    """
    db = str(tmp_path / "auth.db")
    pending = Authorization(
        case_id="ri-case",
        payer_name="Reference Payer",
        plan_type=PlanType.MEDICARE_ADVANTAGE,
        level_of_care=LevelOfCare.IOP,
        reviews=(Review(kind=ReviewType.INITIAL, requested_on=date(2019, 9, 6)),),
    )
    with AuthorizationStore(db) as store:
        store.add(pending)
    code, out, err = _run("auth", "decision", str(PAS_RI), "--db", db, "--case", "ri-case")
    assert (code, err) == (0, "")
    assert out.endswith("(case ri-case): approved\n")
    _, shown, _ = _run("auth", "show", "ri-case", "--db", db)
    review = json.loads(shown)["reviews"][-1]
    assert (review["outcome"], review["decided_on"]) == ("approved", "2019-09-09")


def test_an_operation_outcome_is_a_clear_error_and_changes_nothing(db: str, tmp_path: Path) -> None:
    """A payer error (OperationOutcome) exits 2 with the FHIR reader's lines; no decision."""
    path = tmp_path / "outcome.json"
    path.write_text(
        json.dumps(
            {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "invalid"}],
            }
        )
    )
    code, out, err = _run(
        "auth", "decision", str(path), "--db", db, "--case", "ex-medicare-stepdown"
    )
    assert (code, out) == (2, "")
    assert err.startswith("iopauth: ")
    _, shown, _ = _run("auth", "show", "ex-medicare-stepdown", "--db", db)
    assert [r.get("outcome") for r in json.loads(shown)["reviews"]] == [None]


def test_alerts_read_around_a_damaged_record_and_say_so(db: str, tmp_path: Path) -> None:
    """A record that no longer loads is named on stderr; the others' alerts still print."""
    import sqlite3

    with AuthorizationStore(db) as store:
        good = store.get("ex-medicare-stepdown")
        store.add(attrs.evolve(good, case_id="case-damaged"))
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE authorization_record SET document = '{\"case_id\": 5}' "
        "WHERE case_id = 'case-damaged'"
    )
    conn.commit()
    conn.close()
    code, out, err = _run("auth", "alerts", "--db", db, "--as-of", "2026-06-13")
    assert code == 0
    assert "no auth number yet (case ex-medicare-stepdown)" in out
    assert err == "iopauth: the record of case case-damaged is damaged; skipped\n"

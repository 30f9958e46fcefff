"""Progress, outpatient corroboration and plan change judged on the record's content
(issue #21 §3; iopauth.criteria._progress_facts and the sets' criteria that read it).

Cases start from the clinician-written vignettes (tests/data/vignettes) and change one fact,
so each test shows what decides.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

from iopauth.caseformat.serialize import load_case
from iopauth.criteria import Outcome, Status, derive_facts, evaluate
from iopauth.criteria.result import Determination
from iopauth.model import DateRange, LevelOfCare

VIGNETTES = Path(__file__).resolve().parent / "data" / "vignettes"


def _vignette(prefix: str) -> dict[str, Any]:
    path = next(VIGNETTES.glob(f"{prefix}-*.json"))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _run(data: dict[str, Any], case: dict[str, Any] | None = None) -> Determination:
    return evaluate(
        load_case(data["case"] if case is None else case),
        data["criteria"],
        data["review"],
        as_of=date.fromisoformat(data["as_of"]),
    )


def test_no_change_without_plan_change_is_not_met_and_asks_for_a_revised_plan() -> None:
    """PHQ-9 16 -> 15 (below the 5-point MCID), a plan review that changed nothing and goal
    notes that only report attendance: progress is not met, the plan is to be revised at IOP."""
    result = _run(_vignette("02"))
    finding = result.by_criterion()["cs.progress_or_plan_change"]
    assert finding.status is Status.NOT_MET
    assert finding.reason == (
        "The PHQ-9 went from 16 on February 2, 2026 to 15 on March 16, 2026, less than a "
        "meaningful change; no goal is met and the plan has not been changed since it stalled: "
        "revise the plan."
    )
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.recommended_level is LevelOfCare.IOP
    assert (
        "A revised treatment plan saying what changes (services, medication, goals) and from when"
        in result.missing_documentation
    )


def test_a_plan_change_meets_progress_and_is_dated() -> None:
    """The same stalled scores with a plan revision that changed something: met, and the
    reason gives the scores and the date of the change."""
    data = _vignette("02")
    case = copy.deepcopy(data["case"])
    case["plan"]["revisions"] = [{"on": "2026-03-02", "changes": "medication increased"}]
    finding = _run(data, case).by_criterion()["cs.progress_or_plan_change"]
    assert finding.status is Status.MET
    assert finding.reason == (
        "The PHQ-9 went from 16 on February 2, 2026 to 15 on March 16, 2026, and the plan was "
        "changed on March 2, 2026 in response."
    )


def test_worse_scores_point_to_partial_hospitalization() -> None:
    """PHQ-9 14 (moderate) -> 21 (severe) with no plan change: not met, PHP recommended; the
    unverified 5-point rise decides only together with the verified band move."""
    result = _run(_vignette("03"))
    finding = result.by_criterion()["cs.progress_or_plan_change"]
    assert finding.status is Status.NOT_MET
    assert finding.reason == (
        "The PHQ-9 rose from 14 (moderate) on March 9, 2026 to 21 (severe) on April 13, 2026, no "
        "goal is met, and the plan has not been changed: progress is not documented and the "
        "worsening points to a more intensive level."
    )
    assert result.recommended_level is LevelOfCare.PHP
    assert "cs.progress_or_plan_change" in result.recommendation_basis


def test_improving_text_against_a_rising_score_is_reconciled_not_counted() -> None:
    """'Improving' in the notes with PHQ-9 13 -> 17: unknown, with both facts quoted."""
    result = _run(_vignette("24"))
    finding = result.by_criterion()["cs.progress_or_plan_change"]
    assert finding.status is Status.UNKNOWN
    assert finding.reason == (
        "The progress notes call the patient improving, but the PHQ-9 went from 13 on February "
        "16, 2026 to 17 on March 30, 2026 (moderate to moderately severe): the clinician needs to "
        "reconcile the two, or revise the plan."
    )
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION


def test_gad7_and_pcl5_series_are_judged_by_their_own_rules() -> None:
    """GAD-7 19 -> 12 (>= 4) and PCL-5 58 -> 40 (>= 10) are meaningful; PCL-5 52 -> 49 is not."""
    gad = _run(_vignette("15")).by_criterion()["cs.progress_or_plan_change"]
    assert gad.reason == (
        "The GAD-7 fell from 19 on March 9, 2026 to 12 on April 20, 2026, a meaningful improvement."
    )
    pcl = _run(_vignette("17")).by_criterion()["cs.progress_or_plan_change"]
    assert pcl.status is Status.MET
    assert "PCL-5 fell from 58" in pcl.reason
    flat = _run(_vignette("18")).by_criterion()["cs.progress_or_plan_change"]
    assert flat.status is Status.NOT_MET
    assert flat.reason.startswith("The PCL-5 went from 52 on March 30, 2026 to 49 on May 11, 2026")


def test_progress_facts_read_the_instrument_that_fits() -> None:
    """An anxiety diagnosis reads GAD-7, not the PHQ-9 also on file."""
    data = _vignette("15")
    facts = derive_facts(load_case(data["case"]), date.fromisoformat(data["as_of"]))
    assert facts["progress.instrument"] == "GAD-7"
    assert (facts["progress.baseline_total"], facts["progress.total"]) == (19, 12)
    assert facts["progress.trend"] == "improved"
    assert facts["progress.band"] == "moderate"


def test_a_tick_box_against_minimal_scores_points_to_outpatient_care() -> None:
    """'Outpatient is not enough' with PHQ-9 4, GAD-7 4, mild impairment and no trial: the
    statement is not backed, and a lower level would do."""
    result = _run(_vignette("04"))
    found = result.by_criterion()
    assert found["adm.impairment"].status is Status.UNKNOWN
    assert found["ex.lower_level_suffices"].status is Status.APPLIES
    assert found["ex.lower_level_suffices"].reason == (
        "The clinician ticks that routine outpatient care is not enough, but the record points "
        "the other way: the PHQ-9 of February 9, 2026 is 4 (minimal) and the GAD-7 of February "
        "9, 2026 is 4 (minimal), no life area is more than mildly impaired, and no outpatient "
        "treatment has been tried."
    )
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.recommended_level is LevelOfCare.OUTPATIENT
    assert any("outpatient trial" in m for m in result.missing_documentation)


def test_statement_with_unscored_record_asks_for_corroboration() -> None:
    """Without scores or functioning the statement alone is unknown: the corroboration is
    asked for, not assumed."""
    data = _vignette("04")
    case = copy.deepcopy(data["case"])
    case["measures"] = [m for m in case["measures"] if m["instrument"] == "cssrs_screener"]
    case["functioning"] = []
    result = _run(data, case)
    assert result.by_criterion()["adm.impairment"].status is Status.UNKNOWN
    assert result.by_criterion()["ex.lower_level_suffices"].status is Status.UNKNOWN
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION


def test_a_short_trial_is_stated_and_does_not_decide() -> None:
    """A two-week outpatient trial is stated with its dates and length; the moderately severe
    PHQ-9 backs the statement (no source sets a minimum trial, clinical-thresholds.md §4)."""
    result = _run(_vignette("05"))
    finding = result.by_criterion()["adm.impairment"]
    assert finding.status is Status.MET
    assert finding.reason == (
        "The clinician documents that routine outpatient care is not enough, backed by the PHQ-9 "
        "of March 2, 2026: 18 (moderately severe); outpatient treatment from February 16, 2026 to "
        "March 2, 2026 (2 weeks) came first (its length is stated; no source sets a minimum "
        "trial)."
    )
    assert result.outcome is Outcome.MEETS


def test_medicare_more_than_outpatient_quotes_the_score() -> None:
    """Medicare's 'needs more than outpatient care' is backed by the score and says so."""
    finding = _run(_vignette("21")).by_criterion()["mcr.more_than_outpatient"]
    assert finding.reason == (
        "The clinician documents that routine outpatient care is not enough, backed by the PHQ-9 "
        "of May 29, 2026: 17 (moderately severe)."
    )


def test_progress_runs_from_the_score_at_admission() -> None:
    """A PHQ-9 of 24 taken in inpatient care two weeks before the program began does not make
    the stalled 16 -> 15 look like progress: the series starts at the admission score, as the
    letters' "At admission" column does (found by a reviewer's case)."""
    data = _vignette("02")
    case = copy.deepcopy(data["case"])
    before = {
        "instrument": "phq9",
        "administered_on": "2026-01-19",
        "items": [3, 3, 3, 3, 3, 3, 3, 3, 0],
    }
    case["measures"] = [before, *case["measures"]]
    facts = derive_facts(load_case(case), as_of=date.fromisoformat(data["as_of"]))
    assert facts["progress.baseline_on"] == "2026-02-02"
    assert facts["progress.baseline_total"] == 16
    assert facts["progress.trend"] == "unchanged"
    finding = _run(data, case).by_criterion()["cs.progress_or_plan_change"]
    assert finding.status is Status.NOT_MET
    assert "from 16 on February 2, 2026" in finding.reason


def test_medicare_continued_stay_reads_the_response_to_treatment() -> None:
    """medicare-iop at a continued-stay review: the recertification states the response to
    treatment (42 CFR 424.24(d), clinical-thresholds.md §8). PHQ-9 19 -> 13 is a response;
    19 -> 18 with no goal met and no plan change is not, asks for a revised plan, and (our
    reading, unverified) never denies alone."""
    data = _vignette("19")
    found = _run(data).by_criterion()["mcr.response_to_treatment"]
    assert found.status is Status.MET
    assert found.citation == "42 CFR 424.24(d)"
    case = copy.deepcopy(data["case"])
    latest = case["measures"][2]
    assert latest["instrument"] == "phq9"
    stalled = {"instrument": "phq9", "administered_on": latest["administered_on"]}
    case["measures"][2] = {**stalled, "items": [2, 2, 2, 2, 2, 2, 2, 2, 2]}
    case["measures"][1] = {**case["measures"][1], "items": [2, 2, 2, 2, 2, 2, 2, 2, 2]}
    first = case["measures"][0]
    case["measures"][0] = {**first, "items": [2, 2, 2, 2, 2, 2, 2, 3, 2]}
    for text_holder in (case.get("presentation") or {},):
        text_holder.pop("summary", None)
        text_holder["symptoms"] = []
    for goal in case["plan"]["goals"]:
        goal.pop("progress", None)
    result = _run(data, case)
    finding = result.by_criterion()["mcr.response_to_treatment"]
    assert finding.status is Status.NOT_MET
    assert finding.reason == (
        "The PHQ-9 went from 19 on January 5, 2026 to 18 on March 16, 2026, less than a "
        "meaningful change; no goal is met and the plan has not been changed since it stalled: "
        "revise the plan."
    )
    assert result.outcome is not Outcome.DOES_NOT_MEET or any(
        f.status in (Status.NOT_MET, Status.APPLIES) and f.verified
        for f in result.findings
        if not f.group and f.criterion != "mcr.response_to_treatment"
    )
    assert (
        "A revised treatment plan saying what changes (services, medication, goals) and from when"
        in result.missing_documentation
    )


def test_a_dated_certification_without_its_npi_says_only_the_npi_is_missing() -> None:
    """A reviewer's find: with the certification dated, the reason must not say no dated
    certification is recorded."""
    data = _vignette("19")
    case = copy.deepcopy(data["case"])
    case["plan"].pop("certified_by_npi")
    finding = _run(data, case).by_criterion()["mcr.physician_cert"]
    assert finding.status is Status.UNKNOWN
    assert finding.reason == (
        "The certification of January 5, 2026 does not name the certifying physician's NPI, so "
        "it cannot be told whether a physician signed it: record the NPI."
    )


def test_reasons_name_the_areas_the_attendance_and_the_admission_score() -> None:
    """A reviewer's finds: "a life area" without its name; attendance without what was
    scheduled; a single score since admission without its date."""
    from iopauth.criteria import derive_facts as facts_of
    from iopauth.model import FunctionalDomain, FunctionalImpairment, Severity

    from .casebuilder import build_case

    case = build_case(
        {
            "functioning": (
                FunctionalImpairment(domain=FunctionalDomain.WORK, severity=Severity.MODERATE),
                FunctionalImpairment(domain=FunctionalDomain.SCHOOL, severity=Severity.SEVERE),
                FunctionalImpairment(domain=FunctionalDomain.FAMILY, severity=Severity.MILD),
            ),
            "engagement.sessions_attended": 10,
            "engagement.sessions_scheduled": 12,
        }
    )
    facts = facts_of(case)
    assert facts["functioning.impaired_areas"] == "school (severe) and work (moderate)"
    found = evaluate(case, "iop-standard", "continued").by_criterion()
    assert found["cs.attendance_engagement"].reason == (
        "The patient is taking part: 10 of the 12 scheduled sessions attended so far."
    )


def test_a_goal_status_not_recorded_is_not_read_as_not_met() -> None:
    """A goal's status is optional: unrecorded, "a goal is met" and "every goal is met" stay
    open rather than reading the old default ("not started") as recorded."""
    data = _vignette("02")
    case = copy.deepcopy(data["case"])
    for goal in case["plan"]["goals"]:
        goal.pop("status", None)
    facts = derive_facts(load_case(case), as_of=date.fromisoformat(data["as_of"]))
    assert facts["progress.goal_met"] is None
    assert facts["plan.all_goals_met"] is None
    case["plan"]["goals"][0]["status"] = "in_progress"
    facts = derive_facts(load_case(case), as_of=date.fromisoformat(data["as_of"]))
    assert facts["plan.all_goals_met"] is False
    assert facts["progress.goal_met"] is None  # the other goals may still be met


def test_an_outpatient_episode_without_an_end_date_reads_as_a_sentence() -> None:
    """Found by the wording property: "from January 6, 2024 to not documented"."""
    from iopauth.model import EpisodeOutcome, TreatmentEpisode

    from .casebuilder import build_case

    episode = TreatmentEpisode(
        level=LevelOfCare.OUTPATIENT,
        period=DateRange(start=date(2024, 1, 6)),
        outcome=EpisodeOutcome.INSUFFICIENT_RESPONSE,
    )
    case = build_case({"history": (episode,), "presentation.outpatient_insufficient": None})
    reason = evaluate(case, "iop-standard").by_criterion()["adm.impairment"].reason
    assert reason == (
        "An earlier outpatient episode, from January 6, 2024 (its end date is not recorded), "
        "ended with an insufficient response."
    )

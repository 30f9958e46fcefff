"""Build a case in Python, check it, and write the request letter and the checklist.

This is what an EHR integration does: it has the patient's data as objects, not JSON, so it
builds iopauth's model classes directly. Run it from the repository root:

    .venv/bin/python examples/request_letter.py [OUTPUT_FOLDER]

It prints the criteria set used, the outcome and what is missing, then the files it wrote
(into ``example-output/`` unless you name a folder). Everyone in this case is fictional.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import iopauth
from iopauth.criteria import default_criteria, default_review
from iopauth.model import (
    Address,
    AuthorizationRequest,
    Case,
    Clinician,
    Coverage,
    DateRange,
    Diagnosis,
    DocumentOnHand,
    Engagement,
    FunctionalImpairment,
    Goal,
    MeasureAdministration,
    Patient,
    PersonName,
    PlannedService,
    Presentation,
    Program,
    Psychosocial,
    RiskAssessment,
    Schedule,
    TreatmentEpisode,
    TreatmentPlan,
)


def build_case() -> Case:
    """The case as an EHR would assemble it from its own records.

    Enum fields take the same strings as the JSON format (``sex="female"``); dates are
    ``datetime.date`` objects; lists of things are tuples. Nothing is checked yet: a case built
    in code is checked by ``iopauth.validate_case`` (and again by ``evaluate`` and ``render``).
    """
    assessed = date(2026, 5, 11)
    clinic = Address(lines=("400 River Road",), city="Salem", state="OR", postal_code="97301")
    return Case(
        case_id="ehr-2026-000731",  # your own reference: never a medical record number
        patient=Patient(
            name=PersonName(given="Jordan", family="Sample"),
            birth_date=date(1990, 8, 14),
            sex="female",
            phone="(555) 030-2211",
        ),
        coverage=Coverage(
            payer_name="Cascade Mutual Health (fictional)",
            plan_type="commercial",
            member_id="CMH-440182",
            plan_state="OR",
            um_fax="(555) 030-9001",
        ),
        program=Program(
            name="Willamette Intensive Outpatient (fictional)",
            npi="1234567893",
            tin="93-1234567",
            address=clinic,
            phone="(555) 030-5000",
            setting="hospital_outpatient",
        ),
        clinicians=(
            Clinician(
                name=PersonName(given="Ana", family="Okafor"),
                credentials="MD",
                role="psychiatrist",
                npi="1987654328",
                contact=True,
            ),
        ),
        diagnoses=(Diagnosis(code="F33.2", primary=True),),  # write codes normalized
        presentation=Presentation(
            assessed_on=assessed,
            symptoms=("low mood most of the day", "sleeping four hours a night"),
            outpatient_insufficient=True,
            primarily_social_or_custodial=False,
        ),
        measures=(
            # PHQ-9 item answers (0-3 each) as marked on the form; iopauth scores them
            MeasureAdministration(
                instrument="phq9", administered_on=assessed, items=(3, 2, 3, 2, 2, 3, 2, 1, 1)
            ),
        ),
        risk=RiskAssessment(
            assessed_on=assessed,
            suicidal_ideation="passive",
            suicide_plan=False,
            safety_plan=True,
            imminent_danger=False,
        ),
        functioning=(FunctionalImpairment(domain="work", severity="severe"),),
        history=(
            TreatmentEpisode(
                level="outpatient",
                period=DateRange(start=date(2026, 1, 5), end=date(2026, 5, 1)),
                outcome="insufficient_response",
            ),
        ),
        psychosocial=Psychosocial(safe_environment=True, support_system=True),
        engagement=Engagement(
            able_to_participate=True, willing=True, consent_signed=True, expected_to_improve=True
        ),
        # No medical section: whether a medical condition stands in the way is not documented
        # yet, so the checklist will ask for it.
        plan=TreatmentPlan(
            level="iop",
            start_date=date(2026, 5, 18),
            weeks=6,
            schedule=Schedule(days_per_week=3, hours_per_day=3.5),  # 10.5 hours a week
            services=(  # they must add up to the schedule's hours, within a quarter hour
                PlannedService(code="90853", sessions_per_week=6, minutes_per_session=90),
                PlannedService(code="90834", sessions_per_week=2, minutes_per_session=45),
            ),
            goals=(
                Goal(
                    description="Reduce depressive symptoms",
                    measure="PHQ-9 below 10",
                    target_date=date(2026, 6, 26),
                ),
            ),
            discharge_plan="Step down to weekly outpatient therapy.",
            step_down_level="outpatient",
        ),
        request=AuthorizationRequest(
            kind="initial",
            request_date=date(2026, 5, 12),
            period=DateRange(start=date(2026, 5, 18), end=date(2026, 6, 28)),
            service_code="S9480",
            documents=(DocumentOnHand(kind="psychiatric_evaluation", dated=assessed),),
        ),
    )


def main(out_dir: Path) -> int:
    """Check, evaluate and write the two documents; return the exit status."""
    case = build_case()
    try:
        iopauth.validate_case(case)  # the same rules as load_case applies to JSON
    except iopauth.InvalidCaseError as exc:
        for line in exc.errors:  # "$.plan.weeks: must be between 1 and 104", never a value
            print(line, file=sys.stderr)
        return 2

    criteria = default_criteria(case)  # the shipped set that fits: here iop-standard
    result = iopauth.evaluate(case, criteria=criteria, review=default_review(case))
    print(f"criteria: {criteria}")
    print(f"outcome: {result.outcome}")
    for item in result.missing_documentation:
        print(f"missing: {item}")

    out_dir.mkdir(parents=True, exist_ok=True)
    for document in ("request-letter", "checklist"):
        path = out_dir / f"{document}.pdf"
        # passing the determination keeps the letter and the checklist on the same findings;
        # while the case does not meet its criteria the letter is marked DRAFT, with a note of
        # what is missing on its first page
        path.write_bytes(iopauth.render(case, document, determination=result))
        print(f"wrote: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "example-output")))

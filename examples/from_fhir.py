"""From an EHR's FHIR export to a payer decision, in four steps (run from anywhere):

    .venv/bin/python examples/from_fhir.py [OUTPUT_FOLDER]

Writes case.json and pas-request.json into OUTPUT_FOLDER (``example-output/`` by default, never
the repository itself) and prints what happened.
"""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import iopauth
from iopauth import fhir

HERE = Path(__file__).resolve().parent / "fhir"
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "example-output")
OUT.mkdir(parents=True, exist_ok=True)

# 1. The EHR's US Core Bundle -> a case. FHIR does not carry everything a payer asks about
#    (a risk assessment, LOCUS ratings...): `unfilled` says what a person must add.
imported = fhir.case_from_bundle(
    HERE / "ehr-export.bundle.json", case_id="stepdown-0412", request={"kind": "initial"}
)
case = imported.case
for line in imported.unfilled:
    print("to ask a clinician:", line)
(OUT / "case.json").write_text(json.dumps(iopauth.dump_case(case), indent=2))

# 2. Check it against medical-necessity criteria; what is undocumented shows up here too.
result = iopauth.evaluate(case)
print("criteria:", result.criteria_set, "->", result.outcome.value)
for item in result.missing_documentation:
    print("  to document:", item)

# 3. The Da Vinci PAS request Bundle to POST to the payer's Claim/$submit. PAS binds some
#    elements to X12 codes that only your payer's companion guide gives for an IOP; "1" (Medical
#    Care) and place of service "11" are the PAS IG's own example codes, standing in for them.
#    The timestamp is when you create the request (datetime.now(UTC) when you send it now).
codes = fhir.PasCodes(service_type="1", place_of_service="11")
created = datetime(2026, 6, 5, 14, 30, tzinfo=UTC)
bundle = fhir.pas_request(case, result, timestamp=created, codes=codes)
for problem in fhir.pas_problems(bundle):  # the PAS request rules iopauth checks itself
    print("PAS rule broken:", problem)
(OUT / "pas-request.json").write_text(json.dumps(bundle, indent=2))
print(f"wrote: {OUT / 'case.json'}")
print(f"wrote: {OUT / 'pas-request.json'}")

# 4. The payer's answer -> a Decision (here a partial approval: 8 of the 12 days asked).
decision = fhir.decision_from_response(HERE / "claimresponse-approved.json")
print(
    "decision:",
    decision.status.value,
    decision.authorization_number,
    decision.authorized_units,
    "units",
    decision.authorized_start,
    "to",
    decision.authorized_end,
)

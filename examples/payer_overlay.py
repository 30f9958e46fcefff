"""Write a payer overlay, evaluate a case against it and against the base set, show the difference.

A payer often applies a shipped set with a few changes of its own. An overlay says only what
differs: here Payer X wants at least 12 hours a week from adults (the base set asks 9) and its
own prior-authorization form on file. Run it from the repository root:

    .venv/bin/python examples/payer_overlay.py [OUTPUT_FOLDER]

It writes the overlay to ``payer-x-iop.toml`` in the folder (``example-output/`` by default),
prints each set's outcome and every criterion whose finding differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import iopauth

BASE = "iop-standard"
CASE = Path(__file__).parent / "cases" / "medicare-stepdown-depression.json"  # 10.5 h a week

# The overlay, in the criteria format (docs/criteria.md). It names its base set, changes a
# parameter the base set's rules read, and adds one required criterion.
OVERLAY = """\
extends = "iop-standard"
id = "payer-x-iop"
title = "Payer X intensive outpatient (fictional)"

[params]
min_hours_adult = 12

[[criteria]]
id = "payer_x.form"
title = "Payer X request form"
reviews = ["initial", "continued"]
kind = "required"
text = "Payer X's own prior-authorization form is completed and attached."
source = "https://payer-x.example/bh-policy (fictional)"
documentation = "Payer X's prior-authorization form, completed and signed"
rule = "'payer_form' in request.documents"
not_met_reason = "Payer X's prior-authorization form is not among the documents on hand."
"""


def main(out_dir: Path) -> int:
    """Write the overlay, evaluate the case against both sets and print the difference."""
    out_dir.mkdir(parents=True, exist_ok=True)
    overlay_path = out_dir / "payer-x-iop.toml"
    overlay_path.write_text(OVERLAY, encoding="utf-8")
    payer_x = iopauth.load_criteria(overlay_path)  # CriteriaSetError names any mistake

    case = iopauth.load_case(CASE)
    base = iopauth.evaluate(case, criteria=BASE, review="initial")
    payer = iopauth.evaluate(case, criteria=payer_x, review="initial")
    print(f"wrote: {overlay_path}")
    print(f"outcome {BASE}: {base.outcome}")
    print(f"outcome {payer_x.id}: {payer.outcome}")

    # by_criterion() maps each criterion id to its finding; a criterion only one set has
    # shows as "absent" on the other side.
    before, after = base.by_criterion(), payer.by_criterion()
    for criterion in sorted(before.keys() | after.keys()):
        old, new = before.get(criterion), after.get(criterion)
        if old is None or new is None or old.status != new.status:
            old_status = "absent" if old is None else old.status
            new_status = "absent" if new is None else new.status
            reason = "" if new is None else f"  ({new.reason})"
            print(f"differs: {criterion}: {old_status} -> {new_status}{reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "example-output")))

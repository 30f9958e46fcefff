"""Fill a payer's PDF form from a case: the Texas standard prior-authorization form (NOFR001).

Run from the repository root:  .venv/bin/python examples/fill_form.py [OUTPUT_FOLDER]

It writes two PDFs into OUTPUT_FOLDER (default: the current folder): the form left editable,
and the same form flattened (fields turned into page content, as a fax would show it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import iopauth
from iopauth import forms

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"
FORM = ROOT / "tests" / "forms" / "tdi-nofr001-0415.pdf"  # provenance: tests/forms/README.md
MAPPING = ROOT / "examples" / "forms" / "tdi-nofr001.toml"  # which case value goes where


def main(folder: Path) -> None:
    """Fill the form twice and say what the mapping leaves empty."""
    if not FORM.is_file():  # kept in the git repository, left out of the source distribution
        sys.exit(f"{FORM.name} is not in this copy: clone the git repository to run this example")
    case = iopauth.load_case(CASE)
    mapping = forms.load_mapping(MAPPING)  # errors name their TOML path: fields[3].path: …

    # What would stay empty? (fields the mapping does not name, and values this case lacks)
    report = forms.check(case, FORM, mapping)
    print(f"{len(report.unmapped)} form fields are not in the mapping")
    print(f"empty for this case: {', '.join(report.empty) or 'none'}")

    folder.mkdir(parents=True, exist_ok=True)
    editable = folder / "nofr001-filled.pdf"
    editable.write_bytes(forms.fill(case, FORM, mapping))
    flat = folder / "nofr001-flattened.pdf"
    flat.write_bytes(forms.fill(case, FORM, mapping, flatten=True))
    print(editable)
    print(flat)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())

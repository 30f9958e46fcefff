"""Rebuild tests/forms/iop-request.pdf from iop-request.html (WeasyPrint, pdf_forms=True).

Run from the repository root: ``.venv/bin/python tests/forms/build_iop_request.py``. The PDF is
kept in the repository so the tests read a fixed file and do not lay out a page each run.
"""

from __future__ import annotations

import warnings
from pathlib import Path

HERE = Path(__file__).parent


def build() -> bytes:
    """The test form as a fillable PDF."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint

    html = weasyprint.HTML(filename=str(HERE / "iop-request.html"))
    pdf: bytes = html.write_pdf(pdf_forms=True)
    return pdf


if __name__ == "__main__":
    (HERE / "iop-request.pdf").write_bytes(build())

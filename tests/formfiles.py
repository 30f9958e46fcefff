"""The real payer form the forms tests use, and the mark that skips them where it is absent.

``tests/forms/tdi-nofr001-0415.pdf`` is kept in the git repository but left out of the source
distribution: the Texas Department of Insurance permits copying its documents for noncommercial
use only (see tests/forms/README.md), which the project's Apache-2.0 licence cannot pass on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NOFR001 = Path(__file__).parent / "forms" / "tdi-nofr001-0415.pdf"

requires_nofr001 = pytest.mark.skipif(
    not NOFR001.is_file(),
    reason=(
        "tests/forms/tdi-nofr001-0415.pdf is absent: it is in the git repository but left out of "
        "the source distribution (TDI permits noncommercial copying only)"
    ),
)

"""Reasons read as a reviewer writes: units and plurals, dates as dates, no engine labels."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopauth._support.dates import long_date
from iopauth.criteria import Review, Status, criteria_sets, evaluate
from iopauth.criteria._wording import formatted, show
from iopauth.criteria.facts import FACTS
from iopauth.model import Case

from .casebuilder import build_case
from .strategies import cases


@pytest.mark.parametrize(
    ("value", "form", "text"),
    [
        (1, "days", "1 day"),
        (3, "days", "3 days"),
        (1.0, "hours", "1 hour"),
        (10.5, "hours", "10.5 hours"),
        (8.416666, "hours", "8.42 hours"),
        (1, "sessions", "1 session"),
        (2, "areas", "2 life areas"),
        (-8, "change", "fell by 8 points"),
        (1, "change", "rose by 1 point"),
        (0, "change", "did not change"),
        ("2026-03-02", "date", "March 2, 2026"),
        ("php", "level", "partial hospitalization"),
        (("F33.1", "F10.20", "Z63.0"), "list", "F33.1, F10.20 and Z63.0"),
        (None, "hours", "not documented"),
    ],
)
def test_formats(value: object, form: str, text: str) -> None:
    """Each placeholder format writes its value out in words with the right plural."""
    assert formatted(value, form) == text


def test_plain_values() -> None:
    """Without a format a value prints plainly; a date prints day, month, year."""
    assert show(9.0) == "9"
    assert show(True) == "yes"
    assert long_date(date(2026, 12, 1)) == "December 1, 2026"


def test_unknown_format_is_refused(tmp_path: object) -> None:
    """A reason naming an unknown format is a CriteriaSetError naming it."""
    from pathlib import Path

    from iopauth.criteria import load_criteria
    from iopauth.errors import CriteriaSetError

    folder = Path(str(tmp_path))
    overlay = folder / "bad.toml"
    overlay.write_text(
        'extends = "iop-standard"\nid = "bad"\n[[criteria]]\nid = "adm.diagnosis"\n'
        'title = "t"\nreviews = ["initial"]\ntext = "t"\nsource = "https://x"\n'
        'rule = "diagnoses.behavioral"\nmet_reason = "{plan.hours_per_week|furlongs}"\n',
        encoding="utf-8",
    )
    with pytest.raises(CriteriaSetError, match="unknown format 'furlongs'"):
        load_criteria(overlay)


# Engine labels and data shapes that must never reach a reason a letter prints.
_FACT_NAMES = re.compile("|".join(re.escape(name) for name in sorted(FACTS, key=len, reverse=True)))
_BAD = [
    re.compile(r"^(Met|Not met|Applies|Does not apply|Not documented):"),
    re.compile(r"= (yes|no)\b"),
    re.compile(r"\$\."),
    re.compile(r"(?<![\d.])1 (days|hours|weeks|sessions|points|life areas)\b"),
    re.compile(r"\b(changed by|by) -\d"),
    re.compile(r"\b(LOCUS|CALOCUS-CASII|ASAM) \(\d"),
    re.compile(r"\d{4}-\d{2}-\d{2}"),
    re.compile(r"\b(params|phq9|gad7|rating|plan)\.[a-z]"),
]


def _check(reason: str, status: Status) -> None:
    assert not _FACT_NAMES.search(reason), reason
    for pattern in _BAD:
        assert not pattern.search(reason), (pattern.pattern, reason)
    assert reason.endswith("."), reason
    if status is not Status.UNKNOWN:
        # a decided finding says nothing about what the case does not record
        assert "not documented" not in reason, reason


def test_base_case_reasons_read_as_sentences() -> None:
    """Every reason of every set and review on the base case is a clean sentence."""
    for name in criteria_sets():
        for review in Review:
            for finding in evaluate(build_case(), name, review).findings:
                _check(finding.reason, finding.status)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), review=st.sampled_from(Review))
def test_reasons_read_as_sentences_on_any_case(case: Case, review: Review) -> None:
    """On any valid case, reasons carry no fact names, ISO dates, engine prefixes or bad plurals."""
    for name in criteria_sets():
        for finding in evaluate(case, name, review).findings:
            _check(finding.reason, finding.status)

"""Measures since admission (iopauth.rendering.measure_rows): the baseline of a continued-stay
document is the score at admission, and the table, the sentence and the chart use one pair."""

from __future__ import annotations

import re
from datetime import date, timedelta

import attrs

from iopauth.model import Case, Instrument, MeasureAdministration, RequestKind
from iopauth.rendering import render_html
from iopauth.rendering.measure_rows import ADMISSION_WINDOW, measure_rows, measure_sentence

from .casebuilder import START, build_case
from .test_rendering_review import visible_text

ADMITTED = START  # 2026-03-02
REVIEW = date(2026, 3, 30)


def pcl5(on: date, total: int) -> MeasureAdministration:
    """A PCL-5 (20 items, 0-4) with ``total``, spread over the items."""
    items = [total // 20] * 20
    for i in range(total % 20):
        items[i] += 1
    return MeasureAdministration(instrument=Instrument.PCL5, administered_on=on, items=tuple(items))


def concurrent(administrations: tuple[MeasureAdministration, ...]) -> Case:
    """A continued-stay request for an IOP that began on ``ADMITTED``."""
    case = build_case()
    request = attrs.evolve(
        case.request,
        kind=RequestKind.CONCURRENT,
        request_date=REVIEW,
        period=attrs.evolve(case.request.period, start=REVIEW, end=date(2026, 4, 26)),
        authorization_number="A-1",
    )
    return attrs.evolve(case, request=request, measures=administrations)


# The case from issue #22: a PCL-5 of 59 at admission, 45 two weeks in, 39 at the review;
# an older score from an earlier episode must not stand for the admission.
ISSUE_CASE = (
    pcl5(date(2025, 11, 3), 30),
    pcl5(ADMITTED, 59),
    pcl5(date(2026, 3, 16), 45),
    pcl5(REVIEW, 39),
)


def test_the_baseline_is_the_score_at_admission() -> None:
    """59 on the admission date is the baseline: change -20, not -6 (45 to 39) nor +9."""
    row = next(r for r in measure_rows(concurrent(ISSUE_CASE), ADMITTED) if r.name == "PCL-5")
    assert (row.baseline_total, row.latest_total, row.change) == (59, 39, -20)
    assert row.at_admission
    assert [total for _, total in row.points] == [59, 45, 39]
    assert "down 20 points from 59" in measure_sentence(row)


def test_the_concurrent_review_states_one_pair_everywhere() -> None:
    """Table, chart caption and chart points all read 59 -> 39 (-20)."""
    case = concurrent(ISSUE_CASE)
    markup = render_html(case, "concurrent-review")
    text = visible_text(markup)
    section = text.split("Measures since admission", 1)[1].split("Barriers to discharge", 1)[0]
    assert "At admission" in section
    assert "59 / 80 on 03/02/2026" in section
    assert "39 / 80 on 03/30/2026" in section
    assert "-20 points" in section
    caption = "PCL-5 fell 20 points, from 59 at admission on March 2, 2026 to 39 on March 30, 2026"
    assert caption in section
    assert "30 / 80" not in section
    chart = markup.split('class="chart-svg"', 1)[1].split("</svg>", 1)[0]
    assert re.search(r">\s*59\s*<", chart)
    assert re.search(r">\s*39\s*<", chart)
    assert not re.search(r">\s*30\s*<", chart)


def test_a_first_score_soon_after_admission_stands_for_admission() -> None:
    """No score on or before admission: the first within the window is the baseline; a first
    score later than that is not called the score at admission."""
    soon = (pcl5(ADMITTED + timedelta(days=3), 59), pcl5(REVIEW, 39))
    row = measure_rows(concurrent(soon), ADMITTED)[0]
    assert row.at_admission
    assert row.change == -20
    late = (pcl5(ADMITTED + ADMISSION_WINDOW + timedelta(days=1), 59), pcl5(REVIEW, 39))
    row = measure_rows(concurrent(late), ADMITTED)[0]
    assert not row.at_admission
    assert row.change == -20
    text = visible_text(render_html(concurrent(late), "concurrent-review"))
    assert "at admission" not in text.split("Measures since admission", 1)[1].split("Barriers")[0]


def test_an_initial_request_keeps_the_first_score() -> None:
    """Without an admission to measure from (an initial request) the first score is the
    baseline, as before."""
    row = measure_rows(build_case(), None)[0]
    assert not row.at_admission

"""Measures since admission (iopauth.rendering.measure_rows): the baseline of a continued-stay
document is the score at admission, and the table, the sentence and the chart use one pair."""

from __future__ import annotations

import re
from datetime import date, timedelta

import attrs

from iopauth.measures import MeasureResult
from iopauth.model import Case, Instrument, MeasureAdministration, RequestKind
from iopauth.rendering import render_html
from iopauth.rendering.measure_rows import (
    ADMISSION_WINDOW,
    measure_rows,
    measure_sentence,
    result_words,
)

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
    assert "Baseline Latest Change" in section
    assert "Baseline is the score at admission on March 2, 2026" in section
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
    section = text.split("Measures since admission", 1)[1].split("Barriers")[0]
    assert "from 59 at admission" not in section
    assert "No PCL-5 at admission is recorded; its baseline is the first score recorded" in section


def test_an_initial_request_keeps_the_first_score() -> None:
    """Without an admission to measure from (an initial request) the first score is the
    baseline, as before."""
    row = measure_rows(build_case(), None)[0]
    assert not row.at_admission


def _phq9(on: date, total: int) -> MeasureAdministration:
    return MeasureAdministration(instrument=Instrument.PHQ9, administered_on=on, total=total)


def test_a_change_under_the_rule_is_no_meaningful_change() -> None:
    """PHQ-9 19 -> 18 is a fall of 1 point, under the PHQ-9's rule (5 points): the
    table, the sentence and the chart caption say "no meaningful change", never "fewer
    symptoms" (the reviewer's week-6 case)."""
    case = concurrent((_phq9(ADMITTED, 19), _phq9(REVIEW, 18)))
    row = measure_rows(case, ADMITTED)[0]
    assert row.meaning == "no meaningful change"
    assert row.rule_words == "5 points"
    assert measure_sentence(row).endswith("on March 2, 2026: no meaningful change.")
    text = visible_text(render_html(case, "concurrent-review"))
    assert "fewer symptoms)" not in text
    assert "-1 point no meaningful change" in text
    assert "By the PHQ-9's change rule (5 points) that is no meaningful change." in text


def test_changes_past_the_rule_read_improved_or_worse() -> None:
    improved = measure_rows(concurrent((_phq9(ADMITTED, 19), _phq9(REVIEW, 14))), ADMITTED)[0]
    assert improved.meaning == "improved"
    halved = measure_rows(concurrent((_phq9(ADMITTED, 8), _phq9(REVIEW, 4))), ADMITTED)[0]
    assert halved.meaning == "no meaningful change"  # 4 points, though 50%: under the MCID
    worse = measure_rows(concurrent((_phq9(ADMITTED, 10), _phq9(REVIEW, 15))), ADMITTED)[0]
    assert worse.meaning == "worse"
    # no published rule (PCL-5 has one; the PHQ-2 has none): no meaning is claimed
    phq2 = tuple(
        MeasureAdministration(instrument=Instrument.PHQ2, administered_on=d, total=t)
        for d, t in ((ADMITTED, 5), (REVIEW, 2))
    )
    row = measure_rows(concurrent(phq2), ADMITTED)[0]
    assert row.meaning == ""
    assert "meaningful" not in measure_sentence(row)


def test_every_letter_heads_the_baseline_column_alike() -> None:
    """ "At admission" and "First" headed the same column in different letters; now every
    letter says "Baseline" and a note says what the baseline is."""
    initial = visible_text(render_html(build_case(), "request-letter"))
    assert "Measure Baseline Latest Change" in initial
    assert "Baseline is the first score recorded." in initial
    review = visible_text(render_html(concurrent(ISSUE_CASE), "concurrent-review"))
    assert "Measure Baseline Latest Change" in review
    for text in (initial, review):
        assert "Measure First" not in text
        assert "Measure At admission" not in text


def test_a_score_without_bands_says_so() -> None:
    """AUDIT-C has a published screening cut-off but no bands (measures.md): its cell gives
    the screen result; an instrument with neither says "no published bands"."""
    audit_c = MeasureAdministration(
        instrument=Instrument.AUDIT_C, administered_on=ADMITTED, items=(2, 1, 1)
    )
    row = measure_rows(attrs.evolve(build_case(), measures=(audit_c,)))[0]
    assert row.baseline_words == "positive screen (cut-off 3)"  # a woman: 3
    case = attrs.evolve(build_case(), measures=(audit_c,))
    text = visible_text(render_html(case, "request-letter"))
    assert "4 / 12 on 03/02/2026 positive screen (cut-off 3)" in text
    pcl = measure_rows(attrs.evolve(build_case(), measures=(pcl5(ADMITTED, 30),)))[0]
    assert pcl.baseline_words == "negative screen (cut-off 33)"
    bare = MeasureResult(instrument=Instrument.PHQ2, total=3, source="test")
    assert result_words(bare) == "no published bands"

"""Scoring of the standardized measures: bands, cut-offs, flags and validation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopauth.errors import InvalidCaseError
from iopauth.measures import (
    FLAG_FULL_PHQ9_ADVISED,
    FLAG_SAFETY,
    FLAG_SAFETY_FOLLOWUP,
    SPECS,
    AuditCCutoffs,
    CssrsAnswers,
    CssrsRisk,
    InstrumentSpec,
    MeasureResult,
    ScoringConfig,
    _validate,
    audit,
    audit_c,
    bands,
    cssrs_screener,
    dast10,
    gad7,
    pcl5,
    phq2,
    phq9,
    problems,
    score,
)
from iopauth.model import Instrument, MeasureAdministration, Sex

from .strategies import measure_administrations, measure_item_lists, measure_items

Scorer = Callable[..., MeasureResult]

SCORERS: dict[Instrument, Scorer] = {
    Instrument.PHQ9: phq9,
    Instrument.PHQ2: phq2,
    Instrument.GAD7: gad7,
    Instrument.CSSRS_SCREENER: cssrs_screener,
    Instrument.PCL5: pcl5,
    Instrument.AUDIT: audit,
    Instrument.AUDIT_C: audit_c,
    Instrument.DAST10: dast10,
}

# Written out from domain/measures.md, not read from SPECS, so wrong data fails a test.
BAND_EDGES: dict[Instrument, list[tuple[int, str]]] = {
    Instrument.PHQ9: [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
    Instrument.GAD7: [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
    Instrument.AUDIT: [
        (0, "low_risk"),
        (7, "low_risk"),
        (8, "hazardous"),
        (15, "hazardous"),
        (16, "harmful"),
        (19, "harmful"),
        (20, "possible_dependence"),
        (40, "possible_dependence"),
    ],
    Instrument.DAST10: [
        (0, "none"),
        (1, "low"),
        (2, "low"),
        (3, "moderate"),
        (5, "moderate"),
        (6, "substantial"),
        (8, "substantial"),
        (9, "severe"),
        (10, "severe"),
    ],
}

# (instrument, last negative total, first positive total) for the default cut-offs.
CUTOFF_EDGES = [
    (Instrument.PHQ9, 9, 10),
    (Instrument.PHQ2, 2, 3),
    (Instrument.GAD7, 9, 10),
    (Instrument.PCL5, 32, 33),
]

TOTAL_RANGES = {
    Instrument.PHQ9: 27,
    Instrument.PHQ2: 6,
    Instrument.GAD7: 21,
    Instrument.PCL5: 80,
    Instrument.AUDIT: 40,
    Instrument.AUDIT_C: 12,
    Instrument.DAST10: 10,
}

ITEM_COUNTS = {
    Instrument.PHQ9: 9,
    Instrument.PHQ2: 2,
    Instrument.GAD7: 7,
    Instrument.CSSRS_SCREENER: 7,
    Instrument.PCL5: 20,
    Instrument.AUDIT: 10,
    Instrument.AUDIT_C: 3,
    Instrument.DAST10: 10,
}


def items_for(spec: InstrumentSpec, target: int) -> tuple[int, ...]:
    """Answers (as marked) whose score is ``target``, found by a small exhaustive search."""

    @cache
    def reach(index: int, remaining: int) -> tuple[int, ...] | None:
        if index == spec.item_count:
            return () if remaining == 0 else None
        for answer in sorted(spec.item_values[index], reverse=True):
            used = spec.item_score(index, answer)
            if used <= remaining:
                rest = reach(index + 1, remaining - used)
                if rest is not None:
                    return (answer, *rest)
        return None

    found = reach(0, target)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("instrument", "total", "band"),
    [(i, t, b) for i, edges in BAND_EDGES.items() for t, b in edges],
)
def test_band_edges_from_totals_and_items(instrument: Instrument, total: int, band: str) -> None:
    """Every band edge gives the published band, from a total and from item answers."""
    scorer = SCORERS[instrument]
    assert scorer(total=total).severity == band
    answers = items_for(SPECS[instrument], total)
    result = scorer(answers)
    assert (result.total, result.severity) == (total, band)


def test_band_tables_cover_every_total_once() -> None:
    """Bands of each banded instrument tile its total range with no gap or overlap."""
    for instrument in BAND_EDGES:
        spec = SPECS[instrument]
        covered = [t for band in bands(instrument) for t in range(band.low, band.high + 1)]
        assert covered == list(range(spec.total_min, spec.total_max + 1))


@pytest.mark.parametrize(("instrument", "below", "at"), CUTOFF_EDGES)
def test_cutoff_edges(instrument: Instrument, below: int, at: int) -> None:
    """One point below the published cut-off is negative; the cut-off itself is positive."""
    scorer = SCORERS[instrument]
    low, high = scorer(total=below), scorer(total=at)
    assert (low.positive, high.positive) == (False, True)
    assert low.cutoff == high.cutoff == at


def test_instruments_without_a_cutoff_leave_positive_unknown() -> None:
    """AUDIT and DAST-10 publish zones, not a single cut, so ``positive`` stays ``None``."""
    assert audit(total=30).positive is None
    assert dast10(total=10).cutoff is None


def test_cutoff_override() -> None:
    """The PHQ-2 alternative cut of 2 can replace the default 3."""
    assert phq2(total=2).positive is False
    assert phq2(total=2, cutoff=2).positive is True
    with pytest.raises(ValueError, match="cut-off"):
        phq2(total=2, cutoff=7)


def test_phq9_item9_raises_safety_flag_whatever_the_total() -> None:
    """Any non-zero item 9 raises ``safety_followup`` even with a minimal total."""
    result = phq9([0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result.severity == "minimal"
    assert result.has_flag(FLAG_SAFETY_FOLLOWUP)
    assert not phq9([3, 3, 3, 3, 3, 3, 3, 3, 0]).flags


def test_phq9_total_only_notes_item9_unchecked() -> None:
    """A PHQ-9 total without items cannot rule out item 9 and says so."""
    result = phq9(total=3)
    assert result.flags == ()
    assert result.items is None
    assert any("item 9" in note for note in result.notes)


def test_phq2_positive_advises_full_phq9() -> None:
    """A positive PHQ-2 raises ``full_phq9_advised``; a negative one does not."""
    assert phq2([2, 1]).flags == (FLAG_FULL_PHQ9_ADVISED,)
    assert phq2([1, 1]).flags == ()
    assert phq2([1, 1]).severity is None


@pytest.mark.parametrize(
    ("sex", "below", "at", "assumed"),
    [
        (Sex.MALE, 3, 4, False),
        (Sex.FEMALE, 2, 3, False),
        (None, 2, 3, True),
        (Sex.UNKNOWN, 2, 3, True),
        (Sex.OTHER, 2, 3, True),
    ],
)
def test_audit_c_cutoff_by_sex(sex: Sex | None, below: int, at: int, assumed: bool) -> None:
    """AUDIT-C is positive at 4 for men, 3 for women; without a sex it says what it assumed."""
    low, high = audit_c(total=below, sex=sex), audit_c(total=at, sex=sex)
    assert (low.positive, high.positive, high.cutoff) == (False, True, at)
    assert bool(high.assumed) is assumed
    if assumed:
        assert "cut-off 3 assumed" in high.assumed[0]


def test_audit_c_va_dod_alternative() -> None:
    """The VA/DoD choice makes 5 the cut for everyone."""
    va = AuditCCutoffs.va_dod()
    assert audit_c(total=4, sex=Sex.MALE, cutoffs=va).positive is False
    assert audit_c(total=5, sex=Sex.FEMALE, cutoffs=va).positive is True
    assert "va.gov" in audit_c(total=5, cutoffs=va).source


def test_dast10_item3_is_reverse_scored() -> None:
    """A "no" to DAST-10 item 3 scores 1 and a "yes" scores 0."""
    assert dast10([0] * 10).total == 1
    assert dast10([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]).total == 0
    assert dast10([1] * 10).total == 9


def test_audit_items_9_and_10_take_0_2_or_4() -> None:
    """AUDIT items 9–10 accept 0, 2 and 4 and reject 1 and 3."""
    assert audit([0] * 8 + [2, 4]).total == 6
    with pytest.raises(InvalidCaseError) as info:
        audit([0] * 8 + [1, 3])
    assert info.value.errors == (
        "$.items[8]: must be 0, 2 or 4",
        "$.items[9]: must be 0, 2 or 4",
    )


def test_pcl5_clusters_and_rule() -> None:
    """PCL-5 reports cluster sums and the DSM-style rule, and no severity band."""
    # B: one item at 2; C: one at 2; D: two at 2; E: two at 2 -> rule met
    answers = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    result = pcl5(answers)
    assert result.severity is None
    assert dict(result.subscores) == {"B": 2, "C": 2, "D": 4, "E": 4}
    assert result.dsm_rule_met is True
    answers[8] = 1  # D now has one endorsed item
    assert pcl5(answers).dsm_rule_met is False
    assert pcl5(total=50).dsm_rule_met is None
    assert any("31–33" in note for note in pcl5(total=50).notes)


@pytest.mark.parametrize(
    ("answers", "risk"),
    [
        ((0, 0, 0, 0, 0, 0, 0), CssrsRisk.NONE),
        ((1, 0, 0, 0, 0, 0, 0), CssrsRisk.LOW),
        ((1, 1, 0, 0, 0, 0, 0), CssrsRisk.LOW),
        ((0, 1, 1, 0, 0, 0, 0), CssrsRisk.MODERATE),
        ((0, 0, 0, 0, 0, 1, 0), CssrsRisk.MODERATE),
        ((0, 1, 0, 1, 0, 0, 0), CssrsRisk.HIGH),
        ((0, 1, 0, 0, 1, 0, 0), CssrsRisk.HIGH),
        ((0, 0, 0, 0, 0, 1, 1), CssrsRisk.HIGH),
    ],
)
def test_cssrs_usual_triage(answers: tuple[int, ...], risk: CssrsRisk) -> None:
    """The usual triage: Q1/Q2 low; Q3 or old behavior moderate; Q4, Q5 or recent behavior high."""
    result = cssrs_screener(answers)
    assert result.risk_level is risk
    assert result.total is None
    assert result.has_flag(FLAG_SAFETY) is (risk in (CssrsRisk.MODERATE, CssrsRisk.HIGH))


def test_cssrs_triage_is_replaceable() -> None:
    """A user's triage rule replaces the usual one and the result says so."""

    def strict(answers: CssrsAnswers, /) -> CssrsRisk:
        return CssrsRisk.HIGH if answers.wish_to_be_dead else CssrsRisk.NONE

    result = cssrs_screener((1, 0, 0, 0, 0, 0, 0), triage=strict)
    assert result.risk_level is CssrsRisk.HIGH
    assert result.flags == (FLAG_SAFETY,)
    assert result.assumed
    adm = MeasureAdministration(
        instrument=Instrument.CSSRS_SCREENER,
        administered_on=date(2026, 1, 5),
        items=(1, 0, 0, 0, 0, 0, 0),
    )
    assert score(adm, config=ScoringConfig(cssrs_triage=strict)).risk_level is CssrsRisk.HIGH


def test_cssrs_rejects_a_total_and_recent_behavior_without_behavior() -> None:
    """The screener has no total, and "past 3 months" needs a yes to behavior."""
    with pytest.raises(InvalidCaseError) as info:
        cssrs_screener(total=2)
    assert info.value.errors[0].startswith("$.total: the C-SSRS screener has no total")
    with pytest.raises(InvalidCaseError) as info:
        cssrs_screener((0, 0, 0, 0, 0, 0, 1))
    assert info.value.errors[0].startswith("$.items[6]: may be 1 only when items[5]")


@pytest.mark.parametrize(
    ("call", "errors"),
    [
        (lambda: phq9([0] * 8 + [4]), ["$.items[8]: must be 0, 1, 2 or 3"]),
        (lambda: phq9([0] * 8), ["$.items: PHQ-9 has 9 items, got 8"]),
        (lambda: phq9(total=28), ["$.total: must be between 0 and 27"]),
        (lambda: phq9(total=-1), ["$.total: must be between 0 and 27"]),
        (phq9, ["$: give item responses or a total"]),
        (lambda: gad7([True] * 7), [f"$.items[{i}]: must be 0, 1, 2 or 3" for i in range(7)]),
        (lambda: dast10([0] * 9 + [2]), ["$.items[9]: must be 0 or 1"]),
        (lambda: audit_c([5, 0, 0]), ["$.items[0]: must be 0, 1, 2, 3 or 4"]),
        (lambda: pcl5(total=81), ["$.total: must be between 0 and 80"]),
        (
            lambda: phq2("12"),  # type: ignore[arg-type]  # a str is not a list of answers
            ["$.items: must be a list of item responses"],
        ),
    ],
)
def test_invalid_input_error_paths(call: Callable[[], object], errors: list[str]) -> None:
    """Bad input raises InvalidCaseError whose lines are ``<path>: <rule>``."""
    with pytest.raises(InvalidCaseError) as info:
        call()
    assert list(info.value.errors) == errors


def test_total_agreeing_with_items_is_accepted() -> None:
    """A recorded total equal to the item sum (after reversal) is fine."""
    assert dast10([0] * 10, total=1).total == 1
    assert phq9([1] * 9, total=9).severity == "mild"


def test_problems_relative_paths() -> None:
    """``problems`` reports the same checks as relative paths, for the case loader to prefix."""
    adm = MeasureAdministration(
        instrument=Instrument.PHQ9, administered_on=date(2026, 1, 5), items=(0,) * 8 + (9,)
    )
    assert problems(adm) == [("items[8]", "must be 0, 1, 2 or 3")]
    empty = MeasureAdministration(instrument=Instrument.GAD7, administered_on=date(2026, 1, 5))
    assert problems(empty) == [("", "give item responses or a total")]


def test_result_repr_hides_scores() -> None:
    """A result's repr carries no score (scores are patient data)."""
    assert "27" not in repr(phq9(total=27))


@given(st.sampled_from(list(Instrument)).flatmap(lambda i: st.tuples(st.just(i), measure_items(i))))
def test_scores_stay_in_range(case: tuple[Instrument, tuple[int, ...]]) -> None:
    """Any valid answers give a total in range and, where bands exist, a band."""
    instrument, answers = case
    result = SCORERS[instrument](answers)
    assert result.items == answers
    if instrument is Instrument.CSSRS_SCREENER:
        assert result.risk_level is not None
        return
    spec = SPECS[instrument]
    assert result.total is not None
    assert 0 == spec.total_min <= result.total <= spec.total_max == TOTAL_RANGES[instrument]
    assert (result.severity is None) is (not spec.bands)


@given(
    st.sampled_from([i for i in Instrument if i is not Instrument.CSSRS_SCREENER]).flatmap(
        lambda i: st.tuples(st.just(i), measure_items(i), st.integers(0, 19))
    )
)
def test_total_is_monotone_in_every_item(case: tuple[Instrument, tuple[int, ...], int]) -> None:
    """Raising any item's score never lowers the total (reverse-scored items by their score)."""
    instrument, answers, pick = case
    spec = SPECS[instrument]
    index = pick % spec.item_count
    scorer = SCORERS[instrument]
    base = scorer(answers).total
    assert base is not None
    for answer in spec.item_values[index]:
        changed = list(answers)
        changed[index] = answer
        total = scorer(changed).total
        assert total is not None
        delta = spec.item_score(index, answer) - spec.item_score(index, answers[index])
        assert total - base == delta
        if delta >= 0:
            assert total >= base


@given(measure_administrations())
def test_generated_administrations_are_valid(adm: MeasureAdministration) -> None:
    """The strategy's administrations pass ``problems`` and score without error."""
    assert problems(adm) == []
    result = score(adm, sex=Sex.FEMALE)
    assert result.instrument is adm.instrument
    if adm.total is not None:
        assert result.total == adm.total


_ANY = st.one_of(st.none(), st.integers(-2, 6), st.booleans(), st.text(max_size=2), st.floats())


@given(
    st.sampled_from(list(Instrument)),
    st.none() | st.lists(_ANY, max_size=21) | _ANY,
    _ANY,
)
def test_problems_never_raise_and_agree_with_score(
    instrument: Instrument, items: object, total: object
) -> None:
    """``problems`` never raises, and ``score`` raises exactly when it finds problems."""
    adm = MeasureAdministration(
        instrument=instrument,
        administered_on=date(2026, 1, 5),
        items=items,  # type: ignore[arg-type]  # deliberately malformed input
        total=total,  # type: ignore[arg-type]
    )
    found = problems(adm)
    if not found:
        score(adm)
        return
    with pytest.raises(InvalidCaseError) as info:
        score(adm)
    assert list(info.value.errors) == [f"$.{p}: {r}" if p else f"$: {r}" for p, r in found]


def _count_error(instrument: Instrument, answers: Sequence[int]) -> str:
    return (
        f"$.items: {SPECS[instrument].name} has {ITEM_COUNTS[instrument]} items, got {len(answers)}"
    )


@pytest.mark.parametrize("instrument", list(Instrument))
def test_item_counts(instrument: Instrument) -> None:
    """Each instrument takes its published number of items and rejects one more."""
    assert SPECS[instrument].item_count == ITEM_COUNTS[instrument]
    answers = [0] * (ITEM_COUNTS[instrument] + 1)
    with pytest.raises(InvalidCaseError) as info:
        SCORERS[instrument](answers)
    assert info.value.errors == (_count_error(instrument, answers),)


@given(
    st.sampled_from(list(Instrument)).flatmap(
        lambda i: st.tuples(st.just(i), measure_item_lists(i))
    )
)
def test_item_check_names_exactly_the_bad_answers(drawn: tuple[Instrument, list[object]]) -> None:
    """check() names each answer that is not a plain allowed integer, and nothing else."""
    instrument, items = drawn
    spec = SPECS[instrument]
    found = _validate.check(spec, items, None)
    if len(items) != spec.item_count:
        assert found == [("items", f"{spec.name} has {spec.item_count} items, got {len(items)}")]
        return
    bad = [
        i
        for i, (answer, allowed) in enumerate(zip(items, spec.item_values, strict=True))
        if isinstance(answer, bool) or not isinstance(answer, int) or answer not in allowed
    ]
    item_lines = [path for path, _ in found if path.startswith("items[")]
    assert item_lines == [f"items[{i}]" for i in bad] or (
        # C-SSRS: a recent-behavior yes without the behavior yes, on otherwise valid answers
        not bad and instrument is Instrument.CSSRS_SCREENER and item_lines == ["items[6]"]
    )
    if not found:
        answers = [int(a) for a in items]  # type: ignore[call-overload]  # checked ints
        assert _validate.item_total(spec, answers) == sum(
            spec.item_score(i, a) for i, a in enumerate(answers)
        )


@given(st.sampled_from(list(SPECS.values())), st.data())
def test_items_shortcut_answers_as_the_item_by_item_check(
    spec: InstrumentSpec, data: st.DataObject
) -> None:
    """Item answers get the same problems (or none) with and without the plain-tuple shortcut."""
    from iopauth.measures import _validate

    count = spec.item_count
    answer = st.integers(0, 4) | st.sampled_from([-1, True, False, 1.0, "1"])
    items = data.draw(
        st.lists(answer, min_size=count - 1, max_size=count + 1).map(tuple)
        | st.lists(st.integers(0, 1), min_size=count, max_size=count).map(tuple)
        | st.lists(st.integers(0, 1), min_size=count, max_size=count)
    )
    shortcut = _validate.check(spec, items, None)
    original = _validate._plain_answers
    _validate._plain_answers = lambda _spec, _items: None  # type: ignore[assignment]
    try:
        item_by_item = _validate.check(spec, items, None)
    finally:
        _validate._plain_answers = original
    assert shortcut == item_by_item


def test_total_differing_from_items_scores_the_items() -> None:
    """A recorded total beside item answers that add up to another figure is inconsistent,
    not invalid (issue 21 §1): the answers are scored; the determination reports both."""
    assert phq9([1] * 9, total=8).total == 9

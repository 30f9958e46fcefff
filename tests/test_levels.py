"""Recorded level-of-care ratings: consistency checks and the level mapping."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopauth.criteria._consistency import rating_composite
from iopauth.levels import (
    LEVELS,
    LevelConfig,
    asam_edition,
    dimension_keys,
    dimension_labels,
    level_entry,
    mapped_level,
    notes,
    problems,
    valid_levels,
)
from iopauth.model import LevelOfCare, LevelOfCareRating, RatingInstrument

from .strategies import level_of_care_ratings

LOCUS = RatingInstrument.LOCUS
CALOCUS = RatingInstrument.CALOCUS_CASII
ASAM = RatingInstrument.ASAM


def rating(
    instrument: RatingInstrument = LOCUS,
    *,
    value: int = 3,
    recommended: str = "3",
    **changes: object,
) -> LevelOfCareRating:
    """A valid rating of ``instrument`` with every dimension at ``value``, then ``changes``."""
    fields: dict[str, object] = {
        "instrument": instrument,
        "rated_on": date(2026, 2, 1),
        "ratings": dict.fromkeys(dimension_keys(instrument), value),
        "recommended_level": recommended,
        "version": "3" if instrument is ASAM else None,
    }
    fields.update(changes)
    return LevelOfCareRating(**fields)  # type: ignore[arg-type]  # test helper builds kwargs


def test_dimension_counts() -> None:
    """LOCUS has seven ratings, CALOCUS-CASII eight and ASAM six dimensions."""
    assert len(dimension_keys(LOCUS)) == 7
    assert len(dimension_keys(CALOCUS)) == 8
    assert len(dimension_keys(ASAM)) == 6
    assert set(dimension_labels(LOCUS)) == set(dimension_keys(LOCUS))


def test_valid_rating_has_no_problems() -> None:
    """A complete LOCUS rating with a matching composite passes."""
    assert problems(rating(composite=21), age=40) == []


@pytest.mark.parametrize("bad", [0, 6])
def test_locus_rating_range(bad: int) -> None:
    """LOCUS ratings outside 1–5 are errors at their own path."""
    r = rating(ratings={**dict.fromkeys(dimension_keys(LOCUS), 2), "risk_of_harm": bad})
    assert problems(r, age=30) == [("ratings.risk_of_harm", "must be between 1 and 5")]


def test_rating_edges_accepted() -> None:
    """Ratings of exactly 1 and 5 are in range for LOCUS and CALOCUS-CASII."""
    for instrument in (LOCUS, CALOCUS):
        for value in (1, 5):
            assert problems(rating(instrument, value=value), age=18) == []


CALOCUS_UNKNOWN = "has 1 key(s) that are not CALOCUS-CASII ratings; expected only " + ", ".join(
    dimension_keys(CALOCUS)
)


def test_missing_and_unknown_ratings() -> None:
    """A missing dimension is required; an unknown key is named as not a rating."""
    ratings = dict.fromkeys(dimension_keys(CALOCUS), 2)
    del ratings["involvement_caregiver"]
    ratings["mood"] = 2
    found = problems(rating(CALOCUS, ratings=ratings), age=12)
    assert ("ratings.involvement_caregiver", "is required") in found
    assert ("ratings", CALOCUS_UNKNOWN) in found
    assert not any("mood" in path or "mood" in rule for path, rule in found)  # never echoed
    assert len(found) == 2


def test_non_integer_rating() -> None:
    """A rating that is not an integer is an error (booleans included)."""
    ratings: dict[str, object] = dict.fromkeys(dimension_keys(LOCUS), 2)
    ratings["engagement"] = True
    assert problems(rating(ratings=ratings), age=30) == [
        ("ratings.engagement", "must be an integer")
    ]


def test_composite_differing_from_sum_is_not_an_error() -> None:
    """A composite that differs from the sum of the ratings is an inconsistency the
    determination reports (tests/test_criteria_consistency.py), not an error."""
    assert problems(rating(composite=20), age=30) == []
    assert rating_composite(rating(composite=20)) is not None


@pytest.mark.parametrize(
    ("instrument", "composite", "rule"),
    [
        (LOCUS, 6, "must be between 7 and 35"),
        (LOCUS, 36, "must be between 7 and 35"),
        (CALOCUS, 7, "must be between 8 and 40"),
        (CALOCUS, 41, "must be between 8 and 40"),
    ],
)
def test_composite_range(instrument: RatingInstrument, composite: int, rule: str) -> None:
    """Composites outside the arithmetic range of the instrument are errors."""
    assert ("composite", rule) in problems(rating(instrument, composite=composite), age=18)


def test_level_is_never_derived_from_ratings() -> None:
    """All ratings at 5 with level 0 recorded is not an error: the grid is the licensed tool's."""
    r = rating(value=5, recommended="0", composite=35)
    assert problems(r, age=30) == []
    assert any("does not check it against the ratings" in n for _, n in notes(r))


@pytest.mark.parametrize("level", ["7", "3.0", "Level 3", "", "iop"])
def test_locus_level_must_exist(level: str) -> None:
    """A LOCUS level outside 0–6 is an error."""
    assert problems(rating(recommended=level), age=30) == [
        ("recommended_level", "must be one of 0, 1, 2, 3, 4, 5, 6")
    ]


@pytest.mark.parametrize(
    ("instrument", "age", "ok"),
    [
        (LOCUS, 17, False),
        (LOCUS, 18, True),
        (LOCUS, 80, True),
        (CALOCUS, 5, False),
        (CALOCUS, 6, True),
        (CALOCUS, 18, True),
        (CALOCUS, 19, False),
        (ASAM, 14, True),
        (LOCUS, None, True),
    ],
)
def test_age_fits_instrument(instrument: RatingInstrument, age: int | None, ok: bool) -> None:
    """LOCUS is for adults and CALOCUS-CASII for ages 6–18; errors sit at path ""."""
    found = problems(rating(instrument, recommended="2.1" if instrument is ASAM else "3"), age)
    assert (found == []) is ok
    assert all(path == "" for path, _ in found)


def test_override_needs_a_valid_level_and_a_reason() -> None:
    """An override level must exist and come with a reason."""
    found = problems(rating(override_level="9"), age=30)
    assert ("override_level", "must be one of 0, 1, 2, 3, 4, 5, 6") in found
    assert ("override_reason", "is required when override_level is given") in found
    assert problems(rating(override_level="4", override_reason="  "), age=30) == [
        ("override_reason", "is required when override_level is given")
    ]


def test_mapping_uses_override_and_common_usage() -> None:
    """LOCUS 3 maps to IOP and 4 to PHP; an override replaces the recommendation."""
    assert mapped_level(rating(recommended="3")) is LevelOfCare.IOP
    assert mapped_level(rating(recommended="4")) is LevelOfCare.PHP
    assert mapped_level(rating(recommended="0")) is None
    overridden = rating(recommended="3", override_level="4", override_reason="x")
    assert mapped_level(overridden) is LevelOfCare.PHP
    entry = level_entry(LOCUS, "3")
    assert entry is not None
    assert "common usage" in entry.note


def test_asam_edition_is_required() -> None:
    """An ASAM rating must name edition 3 or 4."""
    assert problems(rating(ASAM, recommended="2.1", version=None), age=30) == [
        ("version", "must name the ASAM edition: 3 or 4")
    ]
    assert problems(rating(ASAM, recommended="2.1", version="5"), age=30)[0][0] == "version"


@pytest.mark.parametrize(
    ("text", "edition"),
    [("3", 3), ("3rd", 3), ("3rd edition", 3), ("2013", 3), ("4th", 4), ("Fourth", 4), ("x", None)],
)
def test_asam_edition_parsing(text: str, edition: int | None) -> None:
    """Edition strings are read loosely but only 3 and 4 are known."""
    assert asam_edition(text) == edition


def test_asam_levels_and_mapping() -> None:
    """ASAM 2.1 maps to IOP and 2.5 to PHP; "1" and "1.0" are the same level."""
    assert mapped_level(rating(ASAM, recommended="2.1")) is LevelOfCare.IOP
    assert mapped_level(rating(ASAM, recommended="2.5")) is LevelOfCare.PHP
    assert mapped_level(rating(ASAM, recommended="1")) is LevelOfCare.OUTPATIENT
    assert mapped_level(rating(ASAM, recommended="2.7", version="4")) is None
    assert "2.7" in valid_levels(ASAM, "4")
    assert "2.7" not in valid_levels(ASAM, "3")
    assert set(valid_levels(ASAM)) == set(valid_levels(ASAM, "3")) | set(valid_levels(ASAM, "4"))


def test_asam_unlisted_level_is_a_note_not_an_error() -> None:
    """An ASAM level number outside the partial list is a note; a non-number is an error."""
    r = rating(ASAM, recommended="3.5")
    assert problems(r, age=30) == []
    assert (
        "recommended_level",
        "not in iopauth's partial list of ASAM levels; confirm it",
    ) in notes(r)
    assert problems(rating(ASAM, recommended="IOP"), age=30) == [
        ("recommended_level", "must be an ASAM level number such as 2.1")
    ]


def test_asam_rating_range_is_configurable() -> None:
    """The ASAM rating range is unchecked until configured, and then enforced."""
    r = rating(ASAM, recommended="2.1", value=9)
    assert problems(r, age=30) == []
    assert any(path == "ratings" for path, _ in notes(r))
    conf = LevelConfig(asam_rating_range=(0, 4))
    assert ("ratings.dimension_1", "must be between 0 and 4") in problems(r, 30, config=conf)


def test_level_tables_are_data() -> None:
    """Each instrument (and ASAM edition) has a level table; LOCUS and CALOCUS list 0–6."""
    assert set(LEVELS) == {(LOCUS, None), (CALOCUS, None), (ASAM, 3), (ASAM, 4)}
    assert valid_levels(LOCUS) == tuple(str(n) for n in range(7))
    assert valid_levels(CALOCUS) == tuple(str(n) for n in range(7))


def test_rating_repr_hides_values() -> None:
    """The model's repr of a rating carries no rater or ratings."""
    assert "clinician" not in repr(rating(rater="clinician X"))


@given(st.none() | st.integers(0, 99), st.data())
def test_generated_ratings_are_valid_for_their_age(age: int | None, data: st.DataObject) -> None:
    """The strategy's ratings pass every check for the age they were made for."""
    r = data.draw(level_of_care_ratings(age))
    assert problems(r, age) == []
    level = mapped_level(r)
    assert level is None or isinstance(level, LevelOfCare)
    if r.composite is not None:
        assert r.composite == sum(r.ratings.values())


# Any, on purpose: the point is to feed the checks values of the wrong type.
_JUNK: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.integers(-3, 40), st.text(max_size=4), st.booleans()
)


@given(st.data())
def test_problems_never_raise(data: st.DataObject) -> None:
    """Malformed ratings give problems and notes, never an exception."""
    keys = st.text(max_size=12) | st.sampled_from(dimension_keys(LOCUS))
    r = LevelOfCareRating(
        instrument=data.draw(st.sampled_from(list(RatingInstrument))),
        rated_on=date(2026, 2, 1),
        ratings=data.draw(st.dictionaries(keys, _JUNK)),
        recommended_level=data.draw(_JUNK),
        composite=data.draw(_JUNK),
        version=data.draw(_JUNK),
        override_level=data.draw(_JUNK),
        override_reason=data.draw(_JUNK),
    )
    found = problems(r, data.draw(st.none() | st.integers(0, 99)))
    assert all(isinstance(path, str) and isinstance(rule, str) for path, rule in found)
    notes(r)
    mapped_level(r)


def test_placement_note_needs_a_reason() -> None:
    """A placement note without a placement reason is reported at its field."""
    import attrs

    from iopauth.levels import problems
    from iopauth.model import PlacementReason

    from .casebuilder import locus

    rating = attrs.evolve(locus("4"), placement_note="waiting for a bed")
    rule = ("placement_note", "is given only with placement_reason")
    assert rule in problems(rating, None)
    explained = attrs.evolve(rating, placement_reason=PlacementReason.WAITING_LIST)
    assert rule not in problems(explained, None)

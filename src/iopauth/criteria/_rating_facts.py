"""The level-of-care facts: recorded LOCUS, CALOCUS-CASII and ASAM ratings (facts.py registry).

Kept apart so facts.py stays a readable list. iopauth never computes a level: these facts read
the level the clinician or the licensed tool recorded and map it through iopauth.levels.
"""

from __future__ import annotations

from datetime import date

from ..model import Case, LevelOfCare, LevelOfCareRating, RatingInstrument
from . import _adapters
from ._derive import Specs, Value, enum_text

_RATING_NAMES = {
    RatingInstrument.LOCUS: "LOCUS",
    RatingInstrument.CALOCUS_CASII: "CALOCUS-CASII",
    RatingInstrument.ASAM: "ASAM Criteria",
}
_ORDINALS = {"1": "1st", "2": "2nd", "3": "3rd"}


def rating_name(rating: LevelOfCareRating) -> str:
    """``LOCUS version 20``, ``ASAM Criteria (3rd edition)``: a version never reads as a score."""
    name = _RATING_NAMES[rating.instrument]
    version = (rating.version or "").strip()
    if not version:
        return name
    if rating.instrument is RatingInstrument.ASAM:
        ordinal = _ORDINALS.get(version, f"{version}th" if version.isdigit() else version)
        return f"{name} ({ordinal} edition)"
    return f"{name} version {version}"


def _rank_facts(
    prefix: str, rating: LevelOfCareRating | None, level: LevelOfCare | None
) -> dict[str, Value]:
    """Where a rating (mapped to ``level``) sits against IOP and PHP, and why a lower
    placement was chosen."""
    rank = None if level is None else level.rank
    if rating is not None and rank is None and _adapters.below_iop(rating, level):
        rank = LevelOfCare.OUTPATIENT.rank  # LOCUS / CALOCUS-CASII 0 and 1: below any program
    return {
        # no rating recorded: nothing points above (or at) a level
        f"{prefix}.above_iop": False if rating is None else _above(rank, LevelOfCare.IOP),
        f"{prefix}.above_php": False if rating is None else _above(rank, LevelOfCare.PHP),
        f"{prefix}.placement_reason": None
        if rating is None
        else enum_text(rating.placement_reason),
        f"{prefix}.placement_explained": rating is not None and rating.placement_reason is not None,
    }


def _above(rank: int | None, level: LevelOfCare) -> bool | None:
    return None if rank is None else rank > level.rank


def ratings(case: Case, as_of: date) -> dict[str, Value]:
    # the latest rating of each instrument and of all, in one pass (the first of a day wins,
    # as max() picks it)
    latest: LevelOfCareRating | None = None
    by_instrument: dict[RatingInstrument, LevelOfCareRating] = {}
    for rated in case.level_of_care_ratings:
        if latest is None or rated.rated_on > latest.rated_on:
            latest = rated
        seen = by_instrument.get(rated.instrument)
        if seen is None or rated.rated_on > seen.rated_on:
            by_instrument[rated.instrument] = rated
    out: dict[str, Value] = {}
    for instrument, name in _RATING_FACTS.items():
        rating = by_instrument.get(instrument)
        out[name] = (
            None if rating is None else (rating.override_level or rating.recommended_level).strip()
        )
    # each rating is looked up in the level tables once
    mapped = None if latest is None else _adapters.mapped_level(latest)
    below = None if latest is None else _adapters.below_iop(latest, mapped)
    out["rating.level"] = enum_text(mapped)
    # absence of a rating is not a sign that a lower level would do
    out["rating.below_iop"] = False if latest is None else below
    out["rating.at_or_above_iop"] = (
        False if latest is None else (None if mapped is None else mapped.rank >= _IOP_RANK)
    )
    if latest is not None and mapped is None and below:
        out["rating.at_or_above_iop"] = False
    out["rating.name"] = None if latest is None else rating_name(latest)
    out["rating.recorded_level"] = (
        None if latest is None else (latest.override_level or latest.recommended_level).strip()
    )
    out["rating.rated_on"] = None if latest is None else latest.rated_on.isoformat()
    out.update(_rank_facts("rating", latest, mapped))
    asam = by_instrument.get(RatingInstrument.ASAM)
    asam_level = None if asam is None else _adapters.mapped_level(asam)
    out["asam.mapped_level"] = enum_text(asam_level)
    out["asam.name"] = None if asam is None else rating_name(asam)
    out["asam.rated_on"] = None if asam is None else asam.rated_on.isoformat()
    out.update(_rank_facts("asam", asam, asam_level))
    return out


_IOP_RANK = LevelOfCare.IOP.rank


_RATING_FACTS = {
    RatingInstrument.LOCUS: "locus.level",
    RatingInstrument.CALOCUS_CASII: "calocus.level",
    RatingInstrument.ASAM: "asam.level",
}


RATING_SPECS: Specs = {
    "ratings": (
        ratings,
        (
            (
                "locus.level",
                "string",
                "$.level_of_care_ratings",
                "Latest LOCUS level as recorded (override first), e.g. 3.",
            ),
            (
                "calocus.level",
                "string",
                "$.level_of_care_ratings",
                "Latest CALOCUS-CASII level as recorded (override first).",
            ),
            (
                "asam.level",
                "string",
                "$.level_of_care_ratings",
                "Latest ASAM level as recorded (override first), e.g. 2.1.",
            ),
            (
                "rating.level",
                "string",
                "$.level_of_care_ratings",
                "Level of care the latest recorded rating maps to (iop, php, ...).",
            ),
            (
                "rating.below_iop",
                "bool",
                "$.level_of_care_ratings",
                "The latest rating points below IOP (false when none is recorded).",
            ),
            (
                "rating.at_or_above_iop",
                "bool",
                "$.level_of_care_ratings",
                "The latest rating points to IOP or a more intensive level (false when none).",
            ),
            (
                "rating.above_iop",
                "bool",
                "$.level_of_care_ratings",
                "The latest rating points above IOP (false when none is recorded).",
            ),
            (
                "rating.above_php",
                "bool",
                "$.level_of_care_ratings",
                "The latest rating points above PHP (false when none is recorded).",
            ),
            (
                "rating.placement_reason",
                "string",
                "$.level_of_care_ratings",
                "Why the patient is placed lower than the latest rating: patient_declined, "
                "not_available, waiting_list, other.",
            ),
            (
                "rating.placement_explained",
                "bool",
                "$.level_of_care_ratings",
                "The latest rating records why the patient is placed lower (false when not).",
            ),
            (
                "rating.name",
                "string",
                "$.level_of_care_ratings",
                "The latest rating's instrument and version, e.g. LOCUS version 20.",
            ),
            (
                "rating.recorded_level",
                "string",
                "$.level_of_care_ratings",
                "The level the latest rating recorded (override first), e.g. 4.",
            ),
            (
                "rating.rated_on",
                "string",
                "$.level_of_care_ratings",
                "Date of the latest rating (ISO).",
            ),
            (
                "asam.mapped_level",
                "string",
                "$.level_of_care_ratings",
                "Level of care the latest ASAM level maps to (outpatient, iop, php, ...).",
            ),
            (
                "asam.above_iop",
                "bool",
                "$.level_of_care_ratings",
                "The latest ASAM level is above IOP, e.g. 2.5 (false when none is recorded).",
            ),
            (
                "asam.above_php",
                "bool",
                "$.level_of_care_ratings",
                "The latest ASAM level is above PHP (false when none is recorded).",
            ),
            (
                "asam.placement_reason",
                "string",
                "$.level_of_care_ratings",
                "Why the patient is placed lower than the latest ASAM level.",
            ),
            (
                "asam.placement_explained",
                "bool",
                "$.level_of_care_ratings",
                "The latest ASAM level records why the patient is placed lower (false when not).",
            ),
            (
                "asam.name",
                "string",
                "$.level_of_care_ratings",
                "ASAM Criteria and its edition, e.g. ASAM Criteria (3rd edition).",
            ),
            ("asam.rated_on", "string", "$.level_of_care_ratings", "Date of the ASAM rating."),
        ),
    ),
}

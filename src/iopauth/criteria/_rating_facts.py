"""The level-of-care facts: recorded LOCUS, CALOCUS-CASII and ASAM ratings (facts.py registry).

Kept apart so facts.py stays a readable list. iopauth never computes a level: these facts read
the level the clinician or the licensed tool recorded and map it through iopauth.levels.
"""

from __future__ import annotations

from . import _derive

RATING_SPECS = {
    "ratings": (
        _derive.ratings,
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

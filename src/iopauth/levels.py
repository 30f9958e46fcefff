"""Recorded LOCUS, CALOCUS-CASII and ASAM ratings: consistency checks and level mapping.

Licensing (domain/level-of-care.md section 0) decides the shape of this module. iopauth
records the ratings a clinician entered and the level their licensed tool recommended, checks
internal consistency only (ranges, rating count, level exists, age fits; a composite that is not
the sum of the ratings is an inconsistency the determination reports, not an error), and
maps the recorded level to our levels of care. It never stores instrument text, never embeds
the LOCUS/CALOCUS placement grid and never computes an ASAM level: anything the licensed grid
would decide is at most an informational note, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeGuard

from attrs import field, frozen

from .model import LevelOfCare, LevelOfCareRating, RatingInstrument

Problem = tuple[str, str]

_LOCUS = RatingInstrument.LOCUS
_CALOCUS = RatingInstrument.CALOCUS_CASII
_ASAM = RatingInstrument.ASAM
_NAMES = {_LOCUS: "LOCUS", _CALOCUS: "CALOCUS-CASII", _ASAM: "ASAM"}

# Our short keys; the labels are the short dimension names the domain file allows for labels.
_DIMENSIONS: Mapping[RatingInstrument, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        _LOCUS: (
            ("risk_of_harm", "Risk of Harm"),
            ("functional_status", "Functional Status"),
            ("comorbidity", "Medical, Addictive and Psychiatric Co-Morbidity"),
            ("environment_stress", "Recovery Environment: Level of Stress"),
            ("environment_support", "Recovery Environment: Level of Support"),
            ("treatment_history", "Treatment and Recovery History"),
            ("engagement", "Engagement and Recovery Status"),
        ),
        _CALOCUS: (
            ("risk_of_harm", "Risk of Harm"),
            ("functionality", "Functionality"),
            ("comorbidity", "Co-occurrence/Co-morbidity"),
            ("environmental_stress", "Environmental Stress"),
            ("environmental_support", "Environmental Support"),
            ("resiliency", "Resiliency and Response to Services"),
            ("involvement_child", "Involvement in Services (child)"),
            ("involvement_caregiver", "Involvement in Services (parent/caregiver)"),
        ),
        # ASAM dimension names are ASAM terms and differ by edition; keys and labels stay
        # neutral so one rating shape serves both editions.
        _ASAM: tuple((f"dimension_{n}", f"Dimension {n}") for n in range(1, 7)),
    }
)

#: LOCUS and CALOCUS-CASII ratings are 1–5 each.
RATING_RANGE = (1, 5)


@frozen(kw_only=True)
class LevelEntry:
    """One level of an instrument and the level of care it is usually taken to mean.

    ``maps_to`` is ``None`` where no equivalent is known. ``verified`` is true only where the
    domain file states the equivalence; ``note`` says where it comes from.
    """

    code: str
    maps_to: LevelOfCare | None
    verified: bool
    note: str


_COMMON = "common usage, not instrument text (domain/level-of-care.md)"
_BY_NAME = "unverified: our reading of the level name; the domain file gives no equivalent"
_CALOCUS_NOTE = "unverified: CALOCUS-CASII level names are medium confidence in the domain file"
_ASAM4_NOTE = "unverified: 4th-edition level changes are medium confidence in the domain file"


def _entry(code: str, maps_to: LevelOfCare | None, verified: bool, note: str) -> LevelEntry:
    return LevelEntry(code=code, maps_to=maps_to, verified=verified, note=note)


_O, _I, _P = LevelOfCare.OUTPATIENT, LevelOfCare.IOP, LevelOfCare.PHP
_R, _H = LevelOfCare.RESIDENTIAL, LevelOfCare.INPATIENT

#: Level tables keyed by (instrument, ASAM edition or None). Only level numbers are stored:
#: level names are the instruments' own text (and ASAM's are trademarked).
LEVELS: Mapping[tuple[RatingInstrument, int | None], tuple[LevelEntry, ...]] = MappingProxyType(
    {
        (_LOCUS, None): (
            _entry("0", None, True, "no equivalent level of care"),
            _entry("1", None, True, "no equivalent level of care"),
            _entry("2", _O, True, _COMMON),
            _entry("3", _I, True, _COMMON),
            _entry("4", _P, True, _COMMON),
            _entry("5", _R, False, _BY_NAME),
            _entry("6", _H, True, _COMMON),
        ),
        (_CALOCUS, None): (
            _entry("0", None, False, _CALOCUS_NOTE),
            _entry("1", None, False, _CALOCUS_NOTE),
            _entry("2", _O, False, _CALOCUS_NOTE),
            _entry("3", _I, False, _CALOCUS_NOTE),
            _entry("4", _P, False, _CALOCUS_NOTE + "; PHP/day treatment"),
            _entry("5", _R, False, _CALOCUS_NOTE + "; " + _BY_NAME),
            _entry("6", _H, False, _CALOCUS_NOTE + "; " + _BY_NAME),
        ),
        # Partial: the domain file names only these 3rd-edition levels (3.3 and 3.7 appear as
        # levels the 4th edition changed). Others are reported as notes, not errors.
        (_ASAM, 3): (
            _entry("1.0", _O, True, "outpatient (domain/level-of-care.md)"),
            _entry("2.1", _I, True, "intensive outpatient (domain/level-of-care.md)"),
            _entry("2.5", _P, True, "partial hospitalization (domain/level-of-care.md)"),
            _entry("3.3", _R, False, "unverified: named only as removed in the 4th edition"),
            _entry("3.7", _R, False, "unverified: named only as renamed in the 4th edition"),
        ),
        (_ASAM, 4): (
            _entry("1.0", _O, False, _ASAM4_NOTE),
            _entry("1.5", _O, False, _ASAM4_NOTE),
            _entry("1.7", _O, False, _ASAM4_NOTE),
            _entry("2.1", _I, False, _ASAM4_NOTE),
            _entry("2.5", _P, False, _ASAM4_NOTE + "; high-intensity outpatient, 20+ h/week"),
            _entry("2.7", None, False, _ASAM4_NOTE + "; no equivalent among our levels"),
            _entry("3.7", _R, False, _ASAM4_NOTE),
        ),
    }
)


@frozen(kw_only=True)
class LevelConfig:
    """Overridable data for the checks.

    ``asam_rating_range`` is ``None`` by default: the domain file does not give the ASAM
    dimension rating range, so ASAM ratings are checked to be integers only until one is set.
    ``adult_age`` (LOCUS is for adults) and ``calocus_ages`` bound the ages each instrument fits.
    """

    levels: Mapping[tuple[RatingInstrument, int | None], tuple[LevelEntry, ...]] = field(
        default=LEVELS, hash=False
    )
    asam_rating_range: tuple[int, int] | None = None
    adult_age: int = 18
    calocus_ages: tuple[int, int] = (6, 18)


_DEFAULT = LevelConfig()
_ASAM_LEVEL = re.compile(r"^(\d)(?:\.(\d))?(-[A-Za-z]+)?$")
_EDITIONS = {"3": 3, "3rd": 3, "third": 3, "2013": 3, "4": 4, "4th": 4, "fourth": 4, "2023": 4}


def dimension_keys(instrument: RatingInstrument) -> tuple[str, ...]:
    """Our short rating keys for ``instrument``, in instrument order."""
    return tuple(key for key, _ in _DIMENSIONS[instrument])


def dimension_labels(instrument: RatingInstrument) -> Mapping[str, str]:
    """Display labels for the rating keys (labels only; no rating definitions)."""
    return MappingProxyType(dict(_DIMENSIONS[instrument]))


def asam_edition(version: str | None) -> int | None:
    """The ASAM edition (3 or 4) a version string names ("3", "4th", "2013"…), else ``None``."""
    if not isinstance(version, str):
        return None
    text = re.sub(r"\s*(edition|ed\.?)$", "", version.strip().lower())
    return _EDITIONS.get(text)


def _normalize(instrument: RatingInstrument, level: str) -> str | None:
    """The table code of ``level`` ("1" -> "1.0" for ASAM), or ``None`` when malformed."""
    text = level.strip()
    if instrument is not _ASAM:
        return text if re.fullmatch(r"\d", text) else None
    match = _ASAM_LEVEL.fullmatch(text)
    if match is None:
        return None
    return f"{match[1]}.{match[2] or '0'}{match[3] or ''}"


def _table(
    instrument: RatingInstrument, version: str | None, config: LevelConfig
) -> tuple[LevelEntry, ...]:
    if instrument is not _ASAM:
        return config.levels.get((instrument, None), ())
    edition = asam_edition(version)
    if edition is not None:
        return config.levels.get((_ASAM, edition), ())
    merged = {e.code: e for ed in (3, 4) for e in config.levels.get((_ASAM, ed), ())}
    return tuple(merged[c] for c in sorted(merged))


def valid_levels(
    instrument: RatingInstrument, version: str | None = None, *, config: LevelConfig | None = None
) -> tuple[str, ...]:
    """The level codes iopauth knows for ``instrument`` (ASAM: for that edition; partial)."""
    return tuple(e.code for e in _table(instrument, version, config or _DEFAULT))


def level_entry(
    instrument: RatingInstrument,
    level: str,
    version: str | None = None,
    *,
    config: LevelConfig | None = None,
) -> LevelEntry | None:
    """The table entry for a recorded level, or ``None`` when it is not in the table."""
    code = _normalize(instrument, level)
    for entry in _table(instrument, version, config or _DEFAULT):
        if entry.code == code:
            return entry
    return None


def mapped_level(
    rating: LevelOfCareRating, *, config: LevelConfig | None = None
) -> LevelOfCare | None:
    """Our level of care for the recorded level (the override when present), else ``None``."""
    level = rating.override_level or rating.recommended_level
    if not isinstance(level, str):
        return None
    entry = level_entry(rating.instrument, level, rating.version, config=config)
    return None if entry is None else entry.maps_to


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_ratings(
    rating: LevelOfCareRating, config: LevelConfig, found: list[Problem]
) -> int | None:
    """Append rating problems; return the sum when every rating is present and valid."""
    instrument = rating.instrument
    ratings: object = rating.ratings
    if not isinstance(ratings, Mapping):
        found.append(("ratings", "must map dimension keys to integers"))
        return None
    keys = dimension_keys(instrument)
    bounds = RATING_RANGE if instrument is not _ASAM else config.asam_rating_range
    before = len(found)
    # An unknown key is never echoed: it is free text a caller typed (it could be anything).
    unknown = sum(1 for key in ratings if key not in keys)
    if unknown:
        found.append(
            (
                "ratings",
                f"has {unknown} key(s) that are not {_NAMES[instrument]} ratings; "
                f"expected only {', '.join(keys)}",
            )
        )
    for key in keys:
        if key not in ratings:
            found.append((f"ratings.{key}", "is required"))
            continue
        value = ratings[key]
        if not _is_int(value):
            found.append((f"ratings.{key}", "must be an integer"))
        elif bounds is not None and not bounds[0] <= value <= bounds[1]:
            found.append((f"ratings.{key}", f"must be between {bounds[0]} and {bounds[1]}"))
    if len(found) > before:
        return None
    return sum(int(ratings[key]) for key in keys)


def _check_level(
    rating: LevelOfCareRating, path: str, level: object, config: LevelConfig
) -> list[Problem]:
    instrument = rating.instrument
    if not isinstance(level, str) or _normalize(instrument, level) is None:
        if instrument is _ASAM:
            return [(path, "must be an ASAM level number such as 2.1")]
        codes = valid_levels(instrument, config=config)
        return [(path, f"must be one of {', '.join(codes)}")]
    if instrument is not _ASAM and level_entry(instrument, level, config=config) is None:
        codes = valid_levels(instrument, config=config)
        return [(path, f"must be one of {', '.join(codes)}")]
    return []


def problems(
    rating: LevelOfCareRating, age: int | None, *, config: LevelConfig | None = None
) -> list[Problem]:
    """Consistency problems of a recorded rating as (relative path, rule) pairs; never raises.

    Checks: every rating present and in range, the composite in range (a composite that
    differs from the sum of the ratings is reported as an inconsistency, not here),
    the recorded (and override) level exists for the instrument, an override has a reason,
    ASAM names its edition, and ``age`` (when known) fits the instrument (path ``""``).
    """
    conf = config or _DEFAULT
    instrument = rating.instrument
    name = _NAMES[instrument]
    found: list[Problem] = []
    _check_ratings(rating, conf, found)
    composite: object = rating.composite
    if composite is not None:
        count = len(dimension_keys(instrument))
        low, high = count * RATING_RANGE[0], count * RATING_RANGE[1]
        if not _is_int(composite):
            found.append(("composite", "must be an integer"))
        elif instrument is not _ASAM and not low <= composite <= high:
            found.append(("composite", f"must be between {low} and {high}"))
        # a composite that differs from the sum of the ratings is a disagreement between two
        # recorded figures, not an impossibility: reported, never refused
        # (criteria/_consistency.py)
    if instrument is _ASAM and asam_edition(rating.version) is None:
        found.append(("version", "must name the ASAM edition: 3 or 4"))
    found.extend(_check_level(rating, "recommended_level", rating.recommended_level, conf))
    if rating.override_level is not None:
        found.extend(_check_level(rating, "override_level", rating.override_level, conf))
        reason: object = rating.override_reason
        if not isinstance(reason, str) or not reason.strip():
            found.append(("override_reason", "is required when override_level is given"))
    if rating.placement_note is not None and rating.placement_reason is None:
        found.append(("placement_note", "is given only with placement_reason"))
    if age is not None:
        if instrument is _LOCUS and age < conf.adult_age:
            found.append(("", f"{name} is for adults ({conf.adult_age} and over)"))
        youngest, oldest = conf.calocus_ages
        if instrument is _CALOCUS and not youngest <= age <= oldest:
            found.append(("", f"{name} is for ages {youngest} to {oldest}"))
    return found


def notes(rating: LevelOfCareRating, *, config: LevelConfig | None = None) -> list[Problem]:
    """Informational notes (relative path, note) a reviewer may want; never errors."""
    conf = config or _DEFAULT
    instrument = rating.instrument
    found: list[Problem] = [
        (
            "recommended_level",
            f"recorded from the clinician's licensed {_NAMES[instrument]} tool; iopauth does "
            "not check it against the ratings",
        )
    ]
    if instrument is _ASAM and conf.asam_rating_range is None:
        found.append(("ratings", "the ASAM rating range is not configured, so it was not checked"))
    for path, level in (
        ("recommended_level", rating.recommended_level),
        ("override_level", rating.override_level),
    ):
        if (
            instrument is _ASAM
            and isinstance(level, str)
            and _normalize(instrument, level) is not None
            and level_entry(instrument, level, rating.version, config=conf) is None
        ):
            found.append((path, "not in iopauth's partial list of ASAM levels; confirm it"))
    if rating.override_level is not None:
        found.append(("override_level", "the clinician's override replaces the recommended level"))
    return found

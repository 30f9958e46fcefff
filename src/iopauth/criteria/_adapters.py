"""Small look-ups the facts need from other modules: diagnosis category and rated level.

Kept apart so facts.py reads as a list of facts.
"""

from __future__ import annotations

from ..codes import diagnosis_category as _category
from ..levels import mapped_level
from ..model import LevelOfCare, LevelOfCareRating

__all__ = ["below_iop", "diagnosis_category", "mapped_level"]


def diagnosis_category(code: str) -> str | None:
    """``substance_use`` (F10–F19), ``mental_health`` (other F) or ``other``.

    ``None`` when the code is malformed (validation reports it; here it is just unknown).
    """
    try:
        return _category(code)
    except ValueError:
        return None


def below_iop(rating: LevelOfCareRating, level: LevelOfCare | None) -> bool | None:
    """Whether a recorded rating points below IOP; ``None`` when its level maps to nothing.

    Levels that map to no level of care but sit below the IOP level in the instrument's own
    numbering (LOCUS 0 and 1) also count as below IOP. ``level`` is the rating's
    :func:`mapped_level` (the caller has it already).
    """
    if level is not None:
        return level.rank < LevelOfCare.IOP.rank
    recorded = (rating.override_level or rating.recommended_level).strip()
    if recorded in ("0", "1") and rating.instrument.value in ("locus", "calocus_casii"):
        return True
    return None

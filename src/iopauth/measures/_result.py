"""What scoring returns: :class:`MeasureResult`, its flags and the C-SSRS risk levels."""

from __future__ import annotations

from attrs import frozen

from ..model import Instrument, StrEnum
from ..model._base import Redacted

#: PHQ-9 item 9 answered above zero: a safety follow-up is due whatever the total.
FLAG_SAFETY_FOLLOWUP = "safety_followup"
#: C-SSRS screener triaged moderate or high risk.
FLAG_SAFETY = "safety"
#: PHQ-2 positive: the full PHQ-9 should follow.
FLAG_FULL_PHQ9_ADVISED = "full_phq9_advised"


class CssrsRisk(StrEnum):
    """C-SSRS screener risk level. ``none`` means no item was answered yes."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


@frozen(kw_only=True, repr=False)
class MeasureResult(Redacted):
    """One scored administration.

    ``total`` is ``None`` only for the C-SSRS screener, which has no total score.
    ``severity`` is a lowercase band name (``None`` where the instrument has no bands).
    ``cutoff`` is the published cut-off ``total`` is compared against and ``positive`` says
    whether ``total`` is at or above it (both ``None`` where no cut-off is published).
    ``items`` are the answers as recorded (``None`` when only a total was recorded, so
    item-level flags such as PHQ-9 item 9 could not be checked: see ``notes``).
    ``assumed`` explains assumptions made (e.g. the AUDIT-C cut-off used without a sex);
    ``notes`` carries other caveats a reader should see. ``subscores`` and ``dsm_rule_met``
    are the PCL-5 cluster sums and DSM-style cluster rule (``None`` without items).
    The ``repr`` hides every value: scores are patient data.
    """

    instrument: Instrument
    total: int | None
    severity: str | None = None
    cutoff: int | None = None
    positive: bool | None = None
    flags: tuple[str, ...] = ()
    risk_level: CssrsRisk | None = None
    assumed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    items: tuple[int, ...] | None = None
    subscores: tuple[tuple[str, int], ...] = ()
    dsm_rule_met: bool | None = None
    source: str

    def has_flag(self, flag: str) -> bool:
        """True when ``flag`` (e.g. ``"safety_followup"``) was raised."""
        return flag in self.flags

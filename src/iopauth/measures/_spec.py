"""Each instrument's items, allowed answers, bands and cut-offs, as data with sources.

Every number here comes from ``domain/measures.md`` (section 1). Item wording is deliberately
absent: only item counts and scores are stored, because the licence of several instruments
(AUDIT, DAST-10, C-SSRS) is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from attrs import frozen

from ..model import Instrument, Sex

_0_3 = (0, 1, 2, 3)
_0_4 = (0, 1, 2, 3, 4)
_YES_NO = (0, 1)
# AUDIT items 9 and 10 have three answers scored 0, 2 and 4; 1 and 3 are not possible.
_AUDIT_9_10 = (0, 2, 4)


@frozen(kw_only=True)
class Band:
    """A severity band: totals ``low``..``high`` (both included) are called ``name``."""

    name: str
    low: int
    high: int


@frozen(kw_only=True)
class InstrumentSpec:
    """How one instrument is scored.

    ``item_values[i]`` lists the answers item ``i`` (0-based) accepts as marked on the form;
    ``reversed_items`` are 0-based indices whose yes/no score is flipped before summing.
    ``cutoff`` is the published screening cut (positive at or above it), or ``None`` when the
    domain file names none. ``has_total`` is false for the C-SSRS screener, which yields a
    risk level rather than a score. ``totals_only``: the instrument is recorded as a total (the
    withdrawal scales, whose items the domain file does not give).
    """

    instrument: Instrument
    name: str
    item_values: tuple[tuple[int, ...], ...]
    total_min: int
    total_max: int
    bands: tuple[Band, ...] = ()
    cutoff: int | None = None
    reversed_items: frozenset[int] = frozenset()
    has_total: bool = True
    source: str
    # recorded as a total only: the domain file gives the range and bands, not the items
    totals_only: bool = False

    @property
    def item_count(self) -> int:
        """Number of items in instrument order."""
        return len(self.item_values)

    def band_for(self, total: int) -> str | None:
        """The band name for ``total``, or ``None`` when the instrument has no bands."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band.name
        return None

    def item_score(self, index: int, answer: int) -> int:
        """The score item ``index`` contributes, after reverse scoring."""
        return 1 - answer if index in self.reversed_items else answer


_PHQ9_SOURCE = (
    "https://www.droracle.ai/articles/613084/how-should-patients-with-elevated-patient-health"
    "-questionnaire-phq"
)

SPECS: Mapping[Instrument, InstrumentSpec] = MappingProxyType(
    {
        # [conflict] other pages show other PHQ-9 bands; our choice is Kroenke 2001 (5/10/15/20).
        Instrument.PHQ9: InstrumentSpec(
            instrument=Instrument.PHQ9,
            name="PHQ-9",
            item_values=(_0_3,) * 9,
            total_min=0,
            total_max=27,
            bands=(
                Band(name="minimal", low=0, high=4),
                Band(name="mild", low=5, high=9),
                Band(name="moderate", low=10, high=14),
                Band(name="moderately_severe", low=15, high=19),
                Band(name="severe", low=20, high=27),
            ),
            cutoff=10,
            source=_PHQ9_SOURCE,
        ),
        # Positive at 3 or more; 2 is a more sensitive alternative (pass cutoff=2).
        Instrument.PHQ2: InstrumentSpec(
            instrument=Instrument.PHQ2,
            name="PHQ-2",
            item_values=(_0_3,) * 2,
            total_min=0,
            total_max=6,
            cutoff=3,
            source="https://pmc.ncbi.nlm.nih.gov/articles/PMC2906530",
        ),
        Instrument.GAD7: InstrumentSpec(
            instrument=Instrument.GAD7,
            name="GAD-7",
            item_values=(_0_3,) * 7,
            total_min=0,
            total_max=21,
            bands=(
                Band(name="minimal", low=0, high=4),
                Band(name="mild", low=5, high=9),
                Band(name="moderate", low=10, high=14),
                Band(name="severe", low=15, high=21),
            ),
            cutoff=10,
            source="https://form.jotform.com/221654279772061",
        ),
        # Q1–Q6, then "within the past 3 months" (asked about Q6). No total score exists.
        Instrument.CSSRS_SCREENER: InstrumentSpec(
            instrument=Instrument.CSSRS_SCREENER,
            name="C-SSRS screener",
            item_values=(_YES_NO,) * 7,
            total_min=0,
            total_max=0,
            has_total=False,
            source=(
                "https://build.fhir.org/ig/HL7/us-behavioral-health-profiles/"
                "QuestionnaireResponse-C-SSRS-example-1.html"
            ),
        ),
        # No validated severity bands. Provisional PTSD is published as 31–33; we default to
        # 33 so a "positive" holds under every cut-point in that range. 34 and 45 are
        # alternatives some outpatient psychiatric studies prefer (see PCL5_ALTERNATIVE_CUTOFFS).
        Instrument.PCL5: InstrumentSpec(
            instrument=Instrument.PCL5,
            name="PCL-5",
            item_values=(_0_4,) * 20,
            total_min=0,
            total_max=80,
            cutoff=33,
            source=(
                "https://comorbidityguidelines.org.au/appendix-s-ptsd-checklist-for-dsm5-pcl5/"
                "pcl5-scoring-and-interpretation"
            ),
        ),
        # WHO risk zones I–IV; no single screening cut is given in the domain file.
        Instrument.AUDIT: InstrumentSpec(
            instrument=Instrument.AUDIT,
            name="AUDIT",
            item_values=(_0_4,) * 8 + (_AUDIT_9_10,) * 2,
            total_min=0,
            total_max=40,
            bands=(
                Band(name="low_risk", low=0, high=7),
                Band(name="hazardous", low=8, high=15),
                Band(name="harmful", low=16, high=19),
                Band(name="possible_dependence", low=20, high=40),
            ),
            source=(
                "https://comorbidityguidelines.org.au/appendix-u-alcohol-use-disorders-"
                "identification-test-audit/audit-scoring-clinician-use-only"
            ),
        ),
        # The cut-off depends on sex: see AuditCCutoffs.
        Instrument.AUDIT_C: InstrumentSpec(
            instrument=Instrument.AUDIT_C,
            name="AUDIT-C",
            item_values=(_0_4,) * 3,
            total_min=0,
            total_max=12,
            source="https://hl7.org/fhir/us/core/STU7/Observation-AUDIT-C-item-example-75626-2.html",
        ),
        # Item 3 is reverse-scored: a "no" (0 as marked) scores 1.
        Instrument.DAST10: InstrumentSpec(
            instrument=Instrument.DAST10,
            name="DAST-10",
            item_values=(_YES_NO,) * 10,
            total_min=0,
            total_max=10,
            bands=(
                Band(name="none", low=0, high=0),
                Band(name="low", low=1, high=2),
                Band(name="moderate", low=3, high=5),
                Band(name="substantial", low=6, high=8),
                Band(name="severe", low=9, high=10),
            ),
            reversed_items=frozenset({2}),
            source=(
                "https://comorbidityguidelines.org.au/appendix-w-drug-abuse-screening-test-"
                "dast10/dast10-scoring-and-interpretation"
            ),
        ),
        # clinical-thresholds.md §3, ASAM-AWM Table 1 [verified]: mild < 10, moderate 10-18,
        # severe >= 19 ("complicated" = seizure, delirium or new hallucinations: not a score).
        # [conflict] VA PAWS: severe >= 15 (CIWA_AR_PAWS_BANDS); ASAM 2020 is our default.
        Instrument.CIWA_AR: InstrumentSpec(
            instrument=Instrument.CIWA_AR,
            name="CIWA-Ar",
            item_values=(),
            total_min=0,
            total_max=67,
            bands=(
                Band(name="mild", low=0, high=9),
                Band(name="moderate", low=10, high=18),
                Band(name="severe", low=19, high=67),
            ),
            totals_only=True,
            source="https://eguideline.guidelinecentral.com/i/1254278/2",
        ),
        # Wesson & Ling 2003 bands [verified]. No source maps them to a level of care.
        Instrument.COWS: InstrumentSpec(
            instrument=Instrument.COWS,
            name="COWS",
            item_values=(),
            total_min=0,
            total_max=48,
            bands=(
                Band(name="none", low=0, high=4),
                Band(name="mild", low=5, high=12),
                Band(name="moderate", low=13, high=24),
                Band(name="moderately_severe", low=25, high=36),
                Band(name="severe", low=37, high=48),
            ),
            totals_only=True,
            source="https://doi.org/10.1080/02791072.2003.10400007",
        ),
    }
)

#: CIWA-Ar bands of the VA PAWS page (clinical-thresholds.md §3): < 8 minimal/mild, 8-15
#: moderate, >= 15 severe as printed (15 falls in both; we read it as severe).
CIWA_AR_PAWS_BANDS: tuple[Band, ...] = (
    Band(name="mild", low=0, high=7),
    Band(name="moderate", low=8, high=14),
    Band(name="severe", low=15, high=67),
)

#: PCL-5 cut-points named in the domain file besides the default of 33.
PCL5_ALTERNATIVE_CUTOFFS: tuple[int, ...] = (31, 34, 45)

#: PHQ-2 alternative: 2 or more is more sensitive (86% / 78%) than the default 3 (83% / 92%).
PHQ2_ALTERNATIVE_CUTOFF = 2

#: PCL-5 DSM-5 clusters as 0-based item ranges, and how many endorsed items each needs.
PCL5_CLUSTERS: tuple[tuple[str, range, int], ...] = (
    ("B", range(0, 5), 1),
    ("C", range(5, 7), 1),
    ("D", range(7, 14), 2),
    ("E", range(14, 20), 2),
)
#: A PCL-5 item counts as endorsed for the cluster rule at this score or above.
PCL5_ENDORSED_AT = 2


@frozen(kw_only=True)
class AuditCCutoffs:
    """AUDIT-C positive cut-offs by sex (positive at or above).

    [conflict] The published 4 (men) / 3 (women) is the default; VA/DoD guidance uses 5 for
    everyone (:meth:`va_dod`). ``unknown`` applies when sex is absent, "other" or "unknown";
    it defaults to the lower cut so that an unknown sex never hides a positive screen, and
    the result says which cut was assumed.
    """

    men: int = 4
    women: int = 3
    unknown: int = 3
    source: str = (
        "https://primarycare.ementalhealth.ca/index.php?ID=58&hideFormatting=1&m=printSurveyScoring"
    )

    @classmethod
    def va_dod(cls) -> AuditCCutoffs:
        """The VA/DoD alternative: 5 or more is positive for everyone."""
        return cls(
            men=5,
            women=5,
            unknown=5,
            source="https://hepatitis.va.gov/alcohol/treatment/audit-c.asp",
        )

    def for_sex(self, sex: Sex | None) -> tuple[int, str | None]:
        """The cut-off for ``sex`` and, when sex was not usable, the assumption made."""
        if sex is Sex.MALE:
            return self.men, None
        if sex is Sex.FEMALE:
            return self.women, None
        return self.unknown, (
            f"sex not recorded as male or female: AUDIT-C cut-off {self.unknown} assumed "
            f"(men {self.men}, women {self.women})"
        )


def bands(instrument: Instrument) -> tuple[Band, ...]:
    """The severity bands of ``instrument`` (empty when it has none)."""
    return SPECS[instrument].bands

"""The ten scoring functions, the C-SSRS triage rule and :func:`score`.

Scores support a case; a clinician interprets them. Bands, cut-offs and the triage rule are
data from ``domain/measures.md``; the functions only apply them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from attrs import evolve, field, frozen

from ..model import Instrument, MeasureAdministration, Sex
from ._result import (
    FLAG_FULL_PHQ9_ADVISED,
    FLAG_SAFETY,
    FLAG_SAFETY_FOLLOWUP,
    CssrsRisk,
    MeasureResult,
)
from ._spec import (
    PCL5_ALTERNATIVE_CUTOFFS,
    PCL5_CLUSTERS,
    PCL5_ENDORSED_AT,
    SPECS,
    AuditCCutoffs,
    InstrumentSpec,
)
from ._validate import _plain_answers, item_total, validated, validated_answers

PHQ9_SAFETY_ITEM = 8  # 0-based: item 9
NOTE_PHQ9_ITEM9_UNKNOWN = (
    "only a total was recorded: PHQ-9 item 9 (safety) could not be checked; record the items"
)
NOTE_PCL5_CUTOFF = (
    "provisional PTSD is published at 31–33 (33 used unless configured); some outpatient "
    "psychiatric studies prefer " + " or ".join(str(c) for c in PCL5_ALTERNATIVE_CUTOFFS[1:])
)
NOTE_PCL5_NO_BANDS = "the PCL-5 has no validated severity bands"
CSSRS_TRIAGE_SOURCE = (
    "https://www.rdocumentation.org/packages/cliot/versions/1.0.0/topics/cssrs_screener"
)


@frozen(kw_only=True)
class CssrsAnswers:
    """The C-SSRS screener answers as yes/no, in our own words (item numbers in comments)."""

    wish_to_be_dead: bool  # Q1
    active_thoughts: bool  # Q2, non-specific active suicidal thoughts
    method: bool  # Q3, thoughts of a method
    intent: bool  # Q4, intent without a specific plan
    plan: bool  # Q5, intent with a plan
    behavior: bool  # Q6, suicidal behavior (lifetime)
    behavior_past_3_months: bool  # Q6 follow-up: within the past 3 months

    @classmethod
    def from_items(cls, items: Sequence[int]) -> CssrsAnswers:
        """Read the seven 0/1 answers in screener order."""
        q1, q2, q3, q4, q5, q6, recent = (bool(a) for a in items)
        return cls(
            wish_to_be_dead=q1,
            active_thoughts=q2,
            method=q3,
            intent=q4,
            plan=q5,
            behavior=q6,
            behavior_past_3_months=recent,
        )


class CssrsTriage(Protocol):
    """A C-SSRS triage rule: answers in, risk level out. Institutions replace it freely."""

    def __call__(self, answers: CssrsAnswers, /) -> CssrsRisk:
        """Return the risk level for ``answers``."""
        ...


def usual_cssrs_triage(answers: CssrsAnswers, /) -> CssrsRisk:
    """The usual triage: high = Q4 or Q5 or behavior within 3 months; moderate = Q3 or
    older behavior; low = Q1 and/or Q2 only; none = no yes at all."""
    if answers.intent or answers.plan or (answers.behavior and answers.behavior_past_3_months):
        return CssrsRisk.HIGH
    if answers.method or answers.behavior:
        return CssrsRisk.MODERATE
    if answers.wish_to_be_dead or answers.active_thoughts:
        return CssrsRisk.LOW
    return CssrsRisk.NONE


def _graded(spec: InstrumentSpec, total: int, cut: int | None) -> tuple[str | None, bool | None]:
    """The severity band of ``total`` and whether it is at or above ``cut`` (``None`` without
    a cut-off): the one place both :class:`MeasureResult` and :func:`core` get them."""
    return spec.band_for(total), None if cut is None else total >= cut


def _result(
    spec: InstrumentSpec,
    total: int,
    answers: tuple[int, ...] | None,
    cutoff: int | None,
    *,
    flags: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    subscores: tuple[tuple[str, int], ...] = (),
    dsm_rule_met: bool | None = None,
) -> MeasureResult:
    cut = spec.cutoff if cutoff is None else _checked_cutoff(spec, cutoff)
    severity, positive = _graded(spec, total, cut)
    return MeasureResult(
        instrument=spec.instrument,
        total=total,
        severity=severity,
        cutoff=cut,
        positive=positive,
        items=answers,
        flags=flags,
        notes=notes,
        subscores=subscores,
        dsm_rule_met=dsm_rule_met,
        source=spec.source,
    )


def _checked_cutoff(spec: InstrumentSpec, cutoff: int) -> int:
    if not spec.total_min < cutoff <= spec.total_max:
        msg = f"a {spec.name} cut-off must be between {spec.total_min + 1} and {spec.total_max}"
        raise ValueError(msg)
    return cutoff


def phq9(
    items: Sequence[int] | None = None, *, total: int | None = None, cutoff: int | None = None
) -> MeasureResult:
    """Score a PHQ-9 (nine items 0–3, total 0–27); item 9 above zero raises ``safety_followup``."""
    spec, answers, tot = validated(Instrument.PHQ9, items, total)
    if answers is None:
        return _result(spec, tot, None, cutoff, notes=(NOTE_PHQ9_ITEM9_UNKNOWN,))
    flags = (FLAG_SAFETY_FOLLOWUP,) if answers[PHQ9_SAFETY_ITEM] > 0 else ()
    return _result(spec, tot, answers, cutoff, flags=flags)


def phq2(
    items: Sequence[int] | None = None, *, total: int | None = None, cutoff: int | None = None
) -> MeasureResult:
    """Score a PHQ-2 (PHQ-9 items 1–2); a positive screen raises ``full_phq9_advised``."""
    spec, answers, tot = validated(Instrument.PHQ2, items, total)
    result = _result(spec, tot, answers, cutoff)
    return evolve(result, flags=(FLAG_FULL_PHQ9_ADVISED,)) if result.positive else result


def gad7(
    items: Sequence[int] | None = None, *, total: int | None = None, cutoff: int | None = None
) -> MeasureResult:
    """Score a GAD-7 (seven items 0–3, total 0–21)."""
    spec, answers, tot = validated(Instrument.GAD7, items, total)
    return _result(spec, tot, answers, cutoff)


def cssrs_screener(
    items: Sequence[int] | None = None,
    *,
    total: int | None = None,
    triage: CssrsTriage | None = None,
) -> MeasureResult:
    """Triage a C-SSRS screener (seven 0/1 answers: Q1–Q6, then "within the past 3 months").

    The screener has no total, so ``total`` is always rejected. ``triage`` replaces the usual
    rule; a moderate or high result raises the ``safety`` flag.
    """
    spec, answers = validated_answers(Instrument.CSSRS_SCREENER, items, total)
    rule = usual_cssrs_triage if triage is None else triage
    risk = CssrsRisk(rule(CssrsAnswers.from_items(answers)))
    safety = risk in _SAFETY_RISKS
    return MeasureResult(
        instrument=spec.instrument,
        total=None,
        risk_level=risk,
        flags=(FLAG_SAFETY,) if safety else (),
        assumed=() if triage is None else ("a custom C-SSRS triage rule was used",),
        items=answers,
        source=spec.source,
    )


def pcl5(
    items: Sequence[int] | None = None, *, total: int | None = None, cutoff: int | None = None
) -> MeasureResult:
    """Score a PCL-5 (twenty items 0–4, total 0–80); no severity bands.

    With items, ``subscores`` holds the B–E cluster sums and ``dsm_rule_met`` the DSM-style
    rule (an item scoring 2 or more is endorsed; B ≥ 1, C ≥ 1, D ≥ 2, E ≥ 2).
    """
    spec, answers, tot = validated(Instrument.PCL5, items, total)
    notes = (NOTE_PCL5_NO_BANDS, NOTE_PCL5_CUTOFF)
    if answers is None:
        return _result(spec, tot, None, cutoff, notes=notes)
    subscores = tuple((name, sum(answers[i] for i in span)) for name, span, _ in PCL5_CLUSTERS)
    rule_met = all(
        sum(answers[i] >= PCL5_ENDORSED_AT for i in span) >= needed
        for _, span, needed in PCL5_CLUSTERS
    )
    return _result(
        spec, tot, answers, cutoff, notes=notes, subscores=subscores, dsm_rule_met=rule_met
    )


def audit(
    items: Sequence[int] | None = None, *, total: int | None = None, cutoff: int | None = None
) -> MeasureResult:
    """Score an AUDIT (items 1–8 0–4, items 9–10 0/2/4; total 0–40) into WHO zones I–IV."""
    spec, answers, tot = validated(Instrument.AUDIT, items, total)
    return _result(spec, tot, answers, cutoff)


def audit_c(
    items: Sequence[int] | None = None,
    *,
    total: int | None = None,
    sex: Sex | None = None,
    cutoffs: AuditCCutoffs | None = None,
) -> MeasureResult:
    """Score an AUDIT-C (AUDIT items 1–3, total 0–12) against the cut-off for ``sex``.

    Without a usable sex the result's ``assumed`` names the cut-off used.
    """
    spec, answers, tot = validated(Instrument.AUDIT_C, items, total)
    table = _AUDIT_C_CUTOFFS if cutoffs is None else cutoffs
    cut, assumption = table.for_sex(sex)
    return MeasureResult(
        instrument=spec.instrument,
        total=tot,
        cutoff=cut,
        positive=tot >= cut,
        assumed=() if assumption is None else (assumption,),
        items=answers,
        source=table.source,
    )


def dast10(
    items: Sequence[int] | None = None, *, total: int | None = None, cutoff: int | None = None
) -> MeasureResult:
    """Score a DAST-10 (ten 0/1 answers as marked, item 3 reverse-scored; total 0–10)."""
    spec, answers, tot = validated(Instrument.DAST10, items, total)
    return _result(spec, tot, answers, cutoff)


def ciwa_ar(
    items: Sequence[int] | None = None, *, total: int | None = None, cutoff: int | None = None
) -> MeasureResult:
    """Band a CIWA-Ar total (0–67): mild < 10, moderate 10–18, severe ≥ 19 (ASAM 2020)."""
    spec, answers, tot = validated(Instrument.CIWA_AR, items, total)
    return _result(spec, tot, answers, cutoff)


def cows(
    items: Sequence[int] | None = None, *, total: int | None = None, cutoff: int | None = None
) -> MeasureResult:
    """Band a COWS total (0–48): none < 5, mild 5–12, moderate 13–24, moderately severe
    25–36, severe > 36 (Wesson & Ling 2003)."""
    spec, answers, tot = validated(Instrument.COWS, items, total)
    return _result(spec, tot, answers, cutoff)


@frozen(kw_only=True)
class ScoringConfig:
    """Overridable scoring choices for :func:`score` and :func:`series`.

    ``cutoffs`` replaces the default cut-off per instrument (e.g. PHQ-2 → 2, PCL-5 → 31);
    ``audit_c`` the AUDIT-C cut-offs by sex; ``cssrs_triage`` the C-SSRS triage rule.
    """

    cutoffs: Mapping[Instrument, int] = field(factory=dict, hash=False)
    audit_c: AuditCCutoffs = field(factory=AuditCCutoffs)
    cssrs_triage: CssrsTriage = usual_cssrs_triage


def score(
    adm: MeasureAdministration, *, sex: Sex | None = None, config: ScoringConfig | None = None
) -> MeasureResult:
    """Score one administration by its instrument; invalid answers raise ``InvalidCaseError``."""
    conf = _DEFAULT_CONFIG if config is None else config
    items, total = adm.items, adm.total
    instrument = adm.instrument
    if instrument is Instrument.AUDIT_C:
        return audit_c(items, total=total, sex=sex, cutoffs=conf.audit_c)
    if instrument is Instrument.CSSRS_SCREENER:
        triage = None if conf.cssrs_triage is usual_cssrs_triage else conf.cssrs_triage
        return cssrs_screener(items, total=total, triage=triage)
    return _BY_CUTOFF[instrument](items, total=total, cutoff=conf.cutoffs.get(instrument))


# shared: frozen, and its empty cutoffs mapping is never written to
_DEFAULT_CONFIG = ScoringConfig()


class _CutoffScorer(Protocol):
    def __call__(
        self,
        items: Sequence[int] | None = ...,
        *,
        total: int | None = ...,
        cutoff: int | None = ...,
    ) -> MeasureResult: ...


_BY_CUTOFF: Mapping[Instrument, _CutoffScorer] = {
    Instrument.PHQ9: phq9,
    Instrument.PHQ2: phq2,
    Instrument.GAD7: gad7,
    Instrument.PCL5: pcl5,
    Instrument.AUDIT: audit,
    Instrument.DAST10: dast10,
    Instrument.CIWA_AR: ciwa_ar,
    Instrument.COWS: cows,
}


_SAFETY_RISKS = (CssrsRisk.MODERATE, CssrsRisk.HIGH)
_AUDIT_C_CUTOFFS = AuditCCutoffs()  # frozen: the default table, shared

Core = tuple[int | None, str | None, bool | None, tuple[int, ...] | None, CssrsRisk | None]
"""``(total, severity, positive, items, risk_level)`` of one administration."""


def core(adm: MeasureAdministration, sex: Sex | None = None) -> Core:
    """What :func:`score` with the default :class:`ScoringConfig` says of ``adm``, as plain
    values: ``(total, severity, positive, items, risk_level)``, without a result object.

    The criteria facts read only these; the checks, bands, cut-offs and triage rule are the
    ones :func:`score` applies (a test compares the two). Invalid answers raise
    :class:`~iopauth.errors.InvalidCaseError`.
    """
    instrument = adm.instrument
    if instrument is Instrument.CSSRS_SCREENER:
        answers = validated_answers(instrument, adm.items, adm.total)[1]
        risk = CssrsRisk(usual_cssrs_triage(CssrsAnswers.from_items(answers)))
        return None, None, None, answers, risk
    spec = SPECS[instrument]
    items = _plain_answers(spec, adm.items) if adm.total is None else None
    if items is not None:  # the usual form: plain int answers, no total (nothing to check)
        total = item_total(spec, items)
    else:
        spec, items, total = validated(instrument, adm.items, adm.total)
    if instrument is Instrument.AUDIT_C:
        return total, None, total >= _AUDIT_C_CUTOFFS.for_sex(sex)[0], items, None
    severity, positive = _graded(spec, total, spec.cutoff)
    return total, severity, positive, items, None


def flags_safety(risk: CssrsRisk | None) -> bool:
    """A C-SSRS screener risk level that raises the ``safety`` flag (moderate or high)."""
    return risk in _SAFETY_RISKS

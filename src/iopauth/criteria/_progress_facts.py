"""Facts that judge progress and need on content, not on a filled field (issue #21 §3).

``progress.*``: the series of the instrument that fits the primary diagnosis (PHQ-9 for
depression, GAD-7 for anxiety, PCL-5 for PTSD, AUDIT for alcohol) from the score at admission
(:func:`iopauth.measures.admission_index`), its trend by that
instrument's change rule (:data:`iopauth.measures.CHANGE_RULES`, clinical-thresholds.md §1),
the goals' recorded status, and whether the clinician's words claim improvement — so that a
stated "improving" against a flat or rising score is reported as a disagreement to reconcile.

``corroboration.*``: what in the record backs the clinician's "outpatient care is not
enough": a fitting score in at least the moderate band, a life area at least moderately
impaired, or a dated outpatient trial. No source sets a minimum trial length
(clinical-thresholds.md §4), so the trial's length is stated and never decides alone.

``review.*``: plan currency — the latest of the plan's review, revision and certification
dates against the review interval.
"""

from __future__ import annotations

from datetime import date

from ..measures import CHANGE_RULES, SPECS, admission_index
from ..model import Case, EpisodeOutcome, GoalStatus, Instrument, LevelOfCare, Severity
from ._derive import Specs, Value, kleene_or
from ._measure_facts import _DEFAULT_FITTING, _FITTING, _fitting, _scored

_LABEL = {
    Instrument.PHQ9: "PHQ-9",
    Instrument.GAD7: "GAD-7",
    Instrument.PCL5: "PCL-5",
    Instrument.AUDIT: "AUDIT",
    Instrument.AUDIT_C: "AUDIT-C",
    Instrument.DAST10: "DAST-10",
}
# Published "moderate" cut-offs (measures.md §1): PHQ-9 and GAD-7 at 10, DAST-10 at 3
# (moderate band), AUDIT zone III at 16 is "harmful"; zone II (8) is "hazardous". PCL-5 has
# no bands: its provisional-PTSD cut (33, measures.SPECS) stands in for "at least moderate".
_MODERATE = {
    Instrument.PHQ9: 10,
    Instrument.GAD7: 10,
    Instrument.PCL5: 33,
    Instrument.AUDIT: 8,
    Instrument.DAST10: 3,
}
# Words a clinician uses to say the patient is getting better ("improving", "improved").
_CLAIM_STEM = "improv"
_IMPAIRED = (Severity.MODERATE, Severity.SEVERE)


def _band(instrument: Instrument, total: int | None) -> str | None:
    if total is None:
        return None
    name = SPECS[instrument].band_for(total)
    return None if name is None else name.replace("_", " ")


def _rank(instrument: Instrument, total: int) -> int | None:
    """The band's position (0 = least severe), ``None`` without bands."""
    bands = SPECS[instrument].bands
    for i, band in enumerate(bands):
        if band.low <= total <= band.high:
            return i
    return None


def _instruments_for(code: str) -> tuple[Instrument, ...]:
    for prefix, instruments, _ in _FITTING:
        if code.upper().startswith(prefix):
            return instruments
    return _DEFAULT_FITTING[0]


def _points(case: Case, instrument: Instrument) -> list[tuple[date, int]]:
    given = [m for m in case.measures if m.instrument is instrument]
    scored = _scored(given, case.patient.sex) if given else None
    return [(on, core[0]) for on, core in scored or () if core[0] is not None]


def _series(case: Case) -> tuple[Instrument, list[tuple[date, int]]] | None:
    """The series progress is judged on: the instrument that fits the primary diagnosis (the
    one with the most scores); when it has no repeated score with a change rule, the fitting
    instrument of another recorded diagnosis that has (a co-occurring depression's PHQ-9 in
    an alcohol-use program). ``None`` without any fitting score."""
    fitting = _fitting(case)
    if fitting is None:
        return None
    best: tuple[Instrument, list[tuple[date, int]]] | None = None
    for instrument in fitting[0]:
        points = _points(case, instrument)
        if points and (best is None or len(points) > len(best[1])):
            best = (instrument, points)
    if best is not None and len(best[1]) > 1 and best[0] in CHANGE_RULES:
        return best
    others = [d.code for d in case.diagnoses if not d.primary]
    for code in others:
        for instrument in _instruments_for(code):
            points = _points(case, instrument)
            if len(points) > 1 and instrument in CHANGE_RULES:
                return instrument, points
    return best


def _trend(instrument: Instrument, first: int, last: int) -> str | None:
    """improved / worse / unchanged by the instrument's change rule; ``None`` without one.

    "worse" needs the rule's (unverified, mirrored) rise and, where the instrument has bands,
    a move to a more severe band (verified bands): the unverified figure never decides alone.
    """
    rule = CHANGE_RULES.get(instrument)
    if rule is None:
        return None
    change = last - first
    if rule.zones:
        moved = rule.zone(last) - rule.zone(first)
        return "improved" if moved < 0 else "worse" if moved > 0 else "unchanged"
    percent = None if first == 0 else -change / first * 100
    if (rule.improvement_points is not None and -change >= rule.improvement_points) or (
        rule.improvement_percent is not None
        and percent is not None
        and percent >= rule.improvement_percent
    ):
        return "improved"
    rise = rule.worsening_points is not None and change >= rule.worsening_points
    r_first, r_last = _rank(instrument, first), _rank(instrument, last)
    band_up = r_first is None or r_last is None or r_last > r_first
    return "worse" if rise and band_up else "unchanged"


def progress(case: Case, as_of: date) -> dict[str, Value]:
    facts: dict[str, Value] = {}
    goals = case.plan.goals
    # three-valued: no goal met, but one whose status is not recorded, is not yet "none met"
    facts["progress.goal_met"] = kleene_or(
        None if g.status is None else g.status is GoalStatus.MET for g in goals
    )
    texts = [g.progress or "" for g in goals]
    if case.presentation is not None:
        texts.append(case.presentation.summary or "")
    facts["progress.claimed"] = any(_CLAIM_STEM in t.lower() for t in texts)
    found = _series(case)
    if found is None:
        return facts
    instrument, points = found
    # progress runs from the score at admission (the letters' "At admission" column), not
    # from a score taken before the program in another setting
    anchor = admission_index([on for on, _ in points], case.plan.start_date)
    if anchor is not None:
        points = points[anchor:]
    (first_on, first), (last_on, last) = points[0], points[-1]
    facts.update(
        {
            "progress.instrument": _LABEL[instrument],
            "progress.total": last,
            "progress.latest_on": last_on.isoformat(),
            "progress.band": _band(instrument, last),
            "progress.moderate_or_worse": last >= _MODERATE[instrument]
            if instrument in _MODERATE
            else None,
        }
    )
    if len(points) < 2:
        return facts
    trend = _trend(instrument, first, last)
    facts.update(
        {
            "progress.baseline_total": first,
            "progress.baseline_on": first_on.isoformat(),
            "progress.baseline_band": _band(instrument, first),
            "progress.change": last - first,
            "progress.trend": trend,
        }
    )
    return facts


def plan_change(case: Case, as_of: date) -> dict[str, Value]:
    """A plan change: a dated revision that changed something, or a goal marked revised."""
    plan = case.plan
    changed = [r for r in plan.revisions if r.on <= as_of and r.changes and r.changes.strip()]
    revised_goal = any(g.status is GoalStatus.REVISED for g in plan.goals)
    reviews = [r.on for r in plan.revisions if r.on <= as_of]
    reviews += [d for d in (plan.last_reviewed, plan.signed_on) if d is not None and d <= as_of]
    last_review = max(reviews, default=None)
    certs = [plan.certified_on] if plan.certified_on is not None else []
    last_cert = max((d for d in certs if d <= as_of), default=None)
    return {
        "plan.changed": bool(changed) or revised_goal if (plan.revisions or plan.goals) else None,
        "plan.changed_on": max(r.on for r in changed).isoformat() if changed else None,
        "review.last_on": None if last_review is None else last_review.isoformat(),
        "review.days_since": None if last_review is None else (as_of - last_review).days,
        "review.certified_on": None if last_cert is None else last_cert.isoformat(),
        "review.days_since_certification": None if last_cert is None else (as_of - last_cert).days,
    }


def _scores_moderate(case: Case) -> bool | None:
    """Whether the latest score of any fitting instrument reaches its moderate cut; unknown
    when none of them is recorded."""
    fitting = _fitting(case)
    if fitting is None:
        return None
    found: list[bool] = []
    for instrument in fitting[0]:
        given = [m for m in case.measures if m.instrument is instrument]
        scored = _scored(given, case.patient.sex) if given else None
        cut = _MODERATE.get(instrument)
        if scored and cut is not None and scored[-1][1][0] is not None:
            found.append(scored[-1][1][0] >= cut)
    return any(found) if found else None


def corroboration(case: Case, as_of: date) -> dict[str, Value]:
    """What backs "outpatient care is not enough" (clinical-thresholds.md §4)."""
    facts: dict[str, Value] = {}
    impaired = [f for f in case.functioning if f.severity in _IMPAIRED]
    facts["corroboration.impairment"] = bool(impaired) if case.functioning else None
    facts["corroboration.scores_moderate"] = _scores_moderate(case)
    trials = [
        e
        for e in case.history
        if e.level is LevelOfCare.OUTPATIENT and e.outcome is not EpisodeOutcome.ONGOING
    ]
    facts["corroboration.trial"] = bool(trials) if case.history or case.functioning else None
    if trials:
        trial = max(trials, key=lambda e: e.period.start)
        end = trial.period.end
        facts["corroboration.trial_start"] = trial.period.start.isoformat()
        facts["corroboration.trial_end"] = None if end is None else end.isoformat()
        facts["corroboration.trial_weeks"] = (
            None if end is None else max(1, round(((end - trial.period.start).days + 1) / 7))
        )
        facts["corroboration.trial_sessions"] = trial.sessions
    return facts


_P = "$.measures"
PROGRESS_SPECS: Specs = {
    "progress": (
        progress,
        (
            (
                "progress.instrument",
                "string",
                _P,
                "The fitting instrument the progress facts read.",
            ),
            ("progress.total", "number", _P, "Its latest total."),
            ("progress.latest_on", "string", _P, "Date of its latest administration (ISO)."),
            ("progress.band", "string", _P, "Severity band of the latest total, in words."),
            (
                "progress.moderate_or_worse",
                "bool",
                _P,
                "Latest fitting score at or above its moderate cut (PHQ-9/GAD-7 10, PCL-5 33, "
                "AUDIT 8, DAST-10 3).",
            ),
            ("progress.baseline_total", "number", _P, "Its first total."),
            ("progress.baseline_on", "string", _P, "Date of its first administration (ISO)."),
            ("progress.baseline_band", "string", _P, "Severity band of the first total."),
            ("progress.change", "number", _P, "Latest minus first total."),
            (
                "progress.trend",
                "string",
                _P,
                "improved, unchanged or worse by the instrument's change rule "
                "(clinical-thresholds.md §1); unknown without a rule or a second score.",
            ),
            ("progress.goal_met", "bool", "$.plan.goals", "A goal has status met."),
            (
                "progress.claimed",
                "bool",
                "$.plan.goals, $.presentation.summary",
                "The progress notes or summary call the patient improving.",
            ),
        ),
    ),
    "plan_change": (
        plan_change,
        (
            (
                "plan.changed",
                "bool",
                "$.plan.revisions, $.plan.goals",
                "A plan revision changed something, or a goal is marked revised.",
            ),
            ("plan.changed_on", "string", "$.plan.revisions", "Date of the latest change (ISO)."),
            (
                "review.last_on",
                "string",
                "$.plan.last_reviewed, $.plan.revisions",
                "Latest plan review (review, revision or signature), ISO.",
            ),
            ("review.days_since", "number", "$.plan.last_reviewed", "Days since that review."),
            (
                "review.certified_on",
                "string",
                "$.plan.certified_on",
                "Latest physician (re)certification (ISO).",
            ),
            (
                "review.days_since_certification",
                "number",
                "$.plan.certified_on",
                "Days since the latest (re)certification.",
            ),
        ),
    ),
    "corroboration": (
        corroboration,
        (
            (
                "corroboration.impairment",
                "bool",
                "$.functioning",
                "A life area is at least moderately impaired.",
            ),
            (
                "corroboration.scores_moderate",
                "bool",
                "$.measures",
                "The latest score of an instrument that fits the diagnosis is at least moderate.",
            ),
            (
                "corroboration.trial",
                "bool",
                "$.history",
                "An outpatient episode that has ended is recorded.",
            ),
            ("corroboration.trial_start", "string", "$.history", "Its start date (ISO)."),
            ("corroboration.trial_end", "string", "$.history", "Its end date (ISO)."),
            ("corroboration.trial_weeks", "number", "$.history", "Its length in weeks."),
            ("corroboration.trial_sessions", "number", "$.history", "Its sessions, if given."),
        ),
    ),
}

"""Determinations and sets as text and JSON: what ``iopauth check`` and ``criteria`` print."""

from __future__ import annotations

import textwrap
from typing import Any

from ._set_types import CriteriaSet, Criterion
from ._wording import show
from .result import Determination, Finding, Review

WIDTH = 100
_STATUS_WIDTH = 9
_ID_WIDTH = 30

_STATUS_LABEL = {
    "met": "MET",
    "not_met": "NOT MET",
    "applies": "APPLIES",
    "does_not_apply": "CLEAR",
    "unknown": "UNKNOWN",
}


def _wrap(
    text: str, width: int, *, initial_indent: str = "", subsequent_indent: str = ""
) -> list[str]:
    # never break inside a URL or a hyphenated word
    return textwrap.wrap(
        text,
        width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _status_label(finding: Finding) -> str:
    return _STATUS_LABEL[str(finding.status)]


def format_table(d: Determination) -> str:
    """A readable fixed-width table of the findings, the outcome and what is missing."""
    lines = [
        f"Criteria set: {d.criteria_set} (version {d.criteria_version})",
        f"Review: {d.review}    As of: {d.as_of.isoformat()}",
        f"Outcome: {str(d.outcome).replace('_', ' ').upper()}",
    ]
    if d.recommended_level is not None:
        basis = f" (from {', '.join(d.recommendation_basis)})" if d.recommendation_basis else ""
        level = str(d.recommended_level).replace("_", " ")
        lines.append(f"Recommended level of care: {level}{basis}")
    lines.append("")
    header = f"{'STATUS':<{_STATUS_WIDTH}} {'CRITERION':<{_ID_WIDTH}} REASON"
    lines += [header, "-" * WIDTH]
    indent = " " * (_STATUS_WIDTH + _ID_WIDTH + 2)
    reason_width = WIDTH - len(indent)
    for finding in d.findings:
        label = _status_label(finding)
        criterion = finding.criterion
        wrapped = _wrap(finding.reason, reason_width) or [""]
        if len(criterion) > _ID_WIDTH:
            lines.append(f"{label:<{_STATUS_WIDTH}} {criterion}")
            first, rest = "", wrapped
        else:
            first, rest = wrapped[0], wrapped[1:]
            lines.append(f"{label:<{_STATUS_WIDTH}} {criterion:<{_ID_WIDTH}} {first}".rstrip())
        lines += [indent + line for line in rest]
        if not finding.verified:
            lines.append(indent + "! source unverified: confirm it before relying on it")
        for item in finding.evidence:
            text = f"· {item.fact} = {show(item.value)} ({item.path})"
            lines += [indent + line for line in _wrap(text, reason_width)]
    if d.missing_documentation:
        lines += ["", "To decide, document or attach:"]
        for document in d.missing_documentation:
            lines += _wrap(document, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    if d.action_items:
        lines += ["", "Before sending:"]
        for action in d.action_items:
            lines += _wrap(action, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    for note in d.notes:
        lines += ["", *_wrap(f"Note: {note}", WIDTH)]
    return "\n".join(lines) + "\n"


def _json_value(value: object) -> Any:
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def determination_to_json(d: Determination) -> dict[str, Any]:
    """The determination as a JSON-compatible dict (lists, strings, numbers, null)."""
    return {
        "criteria_set": d.criteria_set,
        "criteria_version": d.criteria_version,
        "review": str(d.review),
        "as_of": d.as_of.isoformat(),
        "outcome": str(d.outcome),
        "recommended_level": None if d.recommended_level is None else str(d.recommended_level),
        "recommendation_basis": list(d.recommendation_basis),
        "unverified": list(d.unverified),
        "findings": [
            {
                "criterion": f.criterion,
                "title": f.title,
                "kind": str(f.kind),
                "status": str(f.status),
                "reason": f.reason,
                "source": f.source,
                "citation": f.citation,
                "verified": f.verified,
                "group": f.group or None,
                "evidence": [
                    {"fact": e.fact, "path": e.path, "value": _json_value(e.value)}
                    for e in f.evidence
                ],
                "documentation": list(f.documentation),
            }
            for f in d.findings
        ],
        "missing_documentation": list(d.missing_documentation),
        "notes": list(d.notes),
        "action_items": list(d.action_items),
        "retrospective": None
        if d.retrospective is None
        else {
            "first_service": d.retrospective.first_service.isoformat(),
            "served_through": None
            if d.retrospective.served_through is None
            else d.retrospective.served_through.isoformat(),
            "request_date": d.retrospective.request_date.isoformat(),
            "days_since_first_service": d.retrospective.days_since_first_service,
            "basis": d.retrospective.basis,
        },
    }


def _describe_criterion(c: Criterion, indent: str) -> list[str]:
    width = WIDTH - len(indent) - 2

    def block(label: str, text: str) -> list[str]:
        return _wrap(
            f"{label}: {text}",
            WIDTH,
            initial_indent=indent + "  ",
            subsequent_indent=indent + "    ",
        )

    reviews = ", ".join(r.value for r in Review if r in c.reviews)
    label = f"{c.kind}; {reviews}" if reviews else "member"
    head = f"{indent}{c.id} [{label}] {c.title}"
    lines = _wrap(head, WIDTH, subsequent_indent=indent + "    ")
    lines += _wrap(c.text, width, initial_indent=indent + "  ", subsequent_indent=indent + "  ")
    if c.rule is not None:
        lines += block("rule", " ".join(c.rule.source.split()))
    if c.documentation:
        lines += block("documentation", "; ".join(c.documentation))
    if c.source:
        lines += block("source", c.source)
    if c.citation:
        lines += block("citation", c.citation)
    if not c.verified:
        lines.append(indent + "  unverified: confirm against the source before relying on it")
    for member in c.members:
        lines += _describe_criterion(member, indent + "    ")
    return lines


def describe_set(s: CriteriaSet) -> str:
    """One set's header, parameters and criteria (with rules), for ``iopauth criteria NAME``."""
    effective = "" if s.effective is None else f", effective {s.effective.isoformat()}"
    lines = [f"{s.id}: {s.title}", f"version {s.version}{effective}; level of care {s.level}"]
    if s.description:
        lines += ["", *_wrap(" ".join(s.description.split()), WIDTH)]
    if s.params:
        lines += ["", "Parameters:"]
        lines += [f"  {k} = {show(v)}" for k, v in s.params.items()]
    if s.sources:
        lines += ["", "Sources:"]
        for source in s.sources:
            lines += _wrap(source, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    lines += ["", "Criteria:"]
    for criterion in s.criteria:
        lines += _describe_criterion(criterion, "  ")
    return "\n".join(lines) + "\n"

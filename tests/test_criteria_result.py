"""The engine's direct constructors of findings and evidence build what the classes build."""

from __future__ import annotations

import inspect

import attrs

from iopauth.criteria.result import (
    CriterionKind,
    Evidence,
    Finding,
    Status,
    evidence_of,
    finding_of,
)


def test_direct_constructors_cover_every_field_in_order() -> None:
    """Each field is an argument, in field order, and no field has a validator or converter."""
    for cls, made in ((Evidence, evidence_of), (Finding, finding_of)):
        fields = attrs.fields(cls)
        assert [a.name for a in fields] == list(inspect.signature(made).parameters)
        assert all(a.validator is None and a.converter is None for a in fields)
        assert not hasattr(cls, "__attrs_post_init__")
        assert not hasattr(cls, "__attrs_pre_init__")


def test_direct_finding_equals_the_keyword_one() -> None:
    """An unverified not-met finding built directly equals, hashes and prints as the usual one."""
    evidence = (evidence_of("plan.hours_per_week", "$.plan.schedule", 7.5),)
    direct = finding_of(
        "hours",
        "At least 9 hours a week",
        CriterionKind.REQUIRED,
        Status.NOT_MET,
        "The schedule gives 7.5 hours a week.",
        "https://example.org/policy (unverified)",
        evidence,
        ("program schedule",),
        False,
        "Payer policy",
    )
    usual = Finding(
        criterion="hours",
        title="At least 9 hours a week",
        kind=CriterionKind.REQUIRED,
        status=Status.NOT_MET,
        reason="The schedule gives 7.5 hours a week.",
        source="https://example.org/policy (unverified)",
        evidence=(Evidence(fact="plan.hours_per_week", path="$.plan.schedule", value=7.5),),
        documentation=("program schedule",),
        verified=False,
        citation="Payer policy",
    )
    assert direct == usual
    assert hash(direct) == hash(usual)
    assert repr(direct) == repr(usual)
    assert direct.group == ""
    assert attrs.asdict(direct) == attrs.asdict(usual)

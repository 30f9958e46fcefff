"""Medical-necessity criteria: the rule language, the engine and the shipped sets.

Re-exports only; see docs/criteria.md for the authoring guide.
"""

from .defaults import default_criteria, default_review
from .engine import evaluate
from .facts import FACTS, Fact, derive_facts
from .report import describe_set, determination_to_json, format_table
from .result import (
    CriterionKind,
    Determination,
    Evidence,
    Finding,
    Outcome,
    Review,
    Status,
)
from .sets import CriteriaSet, Criterion, criteria_sets, get_criteria, load_criteria

__all__ = [
    "FACTS",
    "CriteriaSet",
    "Criterion",
    "CriterionKind",
    "Determination",
    "Evidence",
    "Fact",
    "Finding",
    "Outcome",
    "Review",
    "Status",
    "criteria_sets",
    "default_criteria",
    "default_review",
    "derive_facts",
    "describe_set",
    "determination_to_json",
    "evaluate",
    "format_table",
    "get_criteria",
    "load_criteria",
]

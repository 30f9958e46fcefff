"""Authorizations over time: payer decisions, units, review dates, deadlines, alerts, a store.

Re-exports only. ``import iopauth`` does not import this package; importing it loads neither
the store (``sqlite3``) nor anything heavy until those names are used.
"""

from __future__ import annotations

from .decision import (
    REVIEW_ACTION_STATUS,
    Decision,
    DecisionItem,
    DecisionStatus,
    status_for_review_action,
)
from .serialize import dump_decision, load_decision

__all__ = [
    "REVIEW_ACTION_STATUS",
    "Decision",
    "DecisionItem",
    "DecisionStatus",
    "dump_decision",
    "load_decision",
    "status_for_review_action",
]

"""Authorizations over time: payer decisions, units, review dates, deadlines, alerts, a store.

Re-exports only, loaded on first use: ``import iopauth`` does not import this package, and
importing it loads nothing until a name is used (the store's ``sqlite3`` only with the store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._support.lazy import exports

if TYPE_CHECKING:
    from .alerting import Alert, AlertKind, alerts, alerts_to_json, format_alerts
    from .dates import (
        DECISION_TIME_FRAMES,
        DEFAULT_REVIEW_LEAD_DAYS,
        CertificationSchedule,
        DecisionDeadline,
        KeyDates,
        TimeFrame,
        decided_late,
        decision_deadline,
        key_dates,
        medicare_certification,
    )
    from .decision import (
        REVIEW_ACTION_STATUS,
        Decision,
        DecisionError,
        DecisionItem,
        DecisionReason,
        DecisionStatus,
        status_for_review_action,
    )
    from .model import (
        Authorization,
        AuthorizationStatus,
        CareManager,
        Review,
        ReviewType,
        Usage,
    )
    from .serialize import dump_authorization, dump_decision, load_authorization, load_decision
    from .store import AuthorizationStore
    from .track import add_request, apply_decision, from_case, record_usage
    from .units import (
        is_open,
        projected_exhaustion,
        status_on,
        units_over,
        units_remaining,
        units_used,
        usage_outside_window,
    )

_MODULES = {
    ".alerting": ("Alert", "AlertKind", "alerts", "alerts_to_json", "format_alerts"),
    ".dates": (
        "DECISION_TIME_FRAMES",
        "DEFAULT_REVIEW_LEAD_DAYS",
        "CertificationSchedule",
        "DecisionDeadline",
        "KeyDates",
        "TimeFrame",
        "decided_late",
        "decision_deadline",
        "key_dates",
        "medicare_certification",
    ),
    ".decision": (
        "REVIEW_ACTION_STATUS",
        "Decision",
        "DecisionError",
        "DecisionItem",
        "DecisionReason",
        "DecisionStatus",
        "status_for_review_action",
    ),
    ".model": (
        "Authorization",
        "AuthorizationStatus",
        "CareManager",
        "Review",
        "ReviewType",
        "Usage",
    ),
    ".serialize": ("dump_authorization", "dump_decision", "load_authorization", "load_decision"),
    ".store": ("AuthorizationStore",),
    ".track": ("add_request", "apply_decision", "from_case", "record_usage"),
    ".units": (
        "is_open",
        "projected_exhaustion",
        "status_on",
        "units_over",
        "units_remaining",
        "units_used",
        "usage_outside_window",
    ),
}
# public name -> module that defines it, imported when the name is first used
_LAZY = {name: module for module, names in _MODULES.items() for name in names}

# A literal list, so linters and type checkers read it; a test checks it equals _LAZY's keys.
__all__ = [
    "DECISION_TIME_FRAMES",
    "DEFAULT_REVIEW_LEAD_DAYS",
    "REVIEW_ACTION_STATUS",
    "Alert",
    "AlertKind",
    "Authorization",
    "AuthorizationStatus",
    "AuthorizationStore",
    "CareManager",
    "CertificationSchedule",
    "Decision",
    "DecisionDeadline",
    "DecisionError",
    "DecisionItem",
    "DecisionReason",
    "DecisionStatus",
    "KeyDates",
    "Review",
    "ReviewType",
    "TimeFrame",
    "Usage",
    "add_request",
    "alerts",
    "alerts_to_json",
    "apply_decision",
    "decided_late",
    "decision_deadline",
    "dump_authorization",
    "dump_decision",
    "format_alerts",
    "from_case",
    "is_open",
    "key_dates",
    "load_authorization",
    "load_decision",
    "medicare_certification",
    "projected_exhaustion",
    "record_usage",
    "status_for_review_action",
    "status_on",
    "units_over",
    "units_remaining",
    "units_used",
    "usage_outside_window",
]


__getattr__, __dir__ = exports(__name__, _LAZY, globals(), __all__)

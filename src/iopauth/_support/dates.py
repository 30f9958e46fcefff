"""Dates written out the one way every reason, letter and checklist writes them."""

from __future__ import annotations

from datetime import date

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """``March 2, 2026``: the US form a payer's reviewer reads in a letter."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"

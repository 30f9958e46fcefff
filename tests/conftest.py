"""Fixtures every test shares."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def no_weasyprint_warnings() -> Iterator[None]:
    """Fail any test during which WeasyPrint logs a warning or an error."""
    records: list[logging.LogRecord] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collector(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    assert [r.getMessage() for r in records] == []


@pytest.fixture
def pas_ri() -> Path:
    """The Da Vinci reference implementation's messages, copied into tests/data (Apache-2.0)."""
    return Path(__file__).resolve().parent / "data" / "pas-ri"


@pytest.fixture
def shared_pas_ri() -> Path:
    """The team's shared copy of the reference implementation's messages (../shared/...).

    Skips when the shared folder is absent (a fresh clone outside the team's workspace).
    """
    folder = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "pas-ri"
    if not folder.is_dir():
        pytest.skip(f"the shared fixtures folder {folder} is absent (only in the team workspace)")
    return folder

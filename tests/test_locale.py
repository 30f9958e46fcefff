"""The shipped message catalogs: up to date with the sources, complete, compiled as committed."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> dict[str, Any]:
    """scripts/catalogs.py loaded as a module's namespace."""
    return runpy.run_path(str(ROOT / "scripts" / "catalogs.py"))


def test_committed_catalogs_match_their_sources() -> None:
    """iopauth.pot holds exactly the messages the templates and code mark; every .po holds
    them all, translated and not fuzzy; every committed .mo equals its .po compiled."""
    script = _script()
    assert script["catalogs"](), "no catalog found"
    assert script["problems"]() == []


def _copy(tmp_path: Path) -> tuple[dict[str, Any], Path]:
    """The script working on a copy of the locale folder."""
    script = _script()
    folder = tmp_path / "locale"
    shutil.copytree(script["LOCALE"], folder)
    namespace = script["problems"].__globals__
    namespace["LOCALE"] = folder
    namespace["TEMPLATE"] = folder / "iopauth.pot"
    return script, folder


def test_a_stale_mo_is_reported(tmp_path: Path) -> None:
    """A .po changed after compiling no longer matches its committed .mo."""
    script, folder = _copy(tmp_path)
    po = folder / "es" / "LC_MESSAGES" / "iopauth.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('"Su horario"', '"Su calendario"'),
        encoding="utf-8",
    )
    assert script["problems"]() == ["es/LC_MESSAGES/iopauth.mo does not match its .po: run compile"]
    script["main"](["compile"])
    assert script["problems"]() == []


@pytest.mark.parametrize(
    ("before", "after", "problem"),
    [
        ('msgstr "Su horario"', 'msgstr ""', "'Your schedule' is fuzzy or untranslated"),
        ('msgid "Your schedule"', 'msgid "Your timetable"', "does not hold the template"),
    ],
)
def test_an_untranslated_or_unknown_message_is_reported(
    tmp_path: Path, before: str, after: str, problem: str
) -> None:
    """An empty translation, or a catalog whose messages differ from the template, is named."""
    script, folder = _copy(tmp_path)
    po = folder / "es" / "LC_MESSAGES" / "iopauth.po"
    po.write_text(po.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
    assert any(problem in line for line in script["problems"]())

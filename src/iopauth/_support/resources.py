"""Where the packaged templates, criteria sets and fonts live.

The wheel carries ``templates/`` as ``iopauth/templates`` (pyproject force-includes it), but an
editable install or a plain checkout has no such folder inside the package: the templates sit
at the repository root. So the installed package is looked at first and the checkout second.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import IopAuthError

_PACKAGE = "iopauth"


def _package_dir() -> Path:
    # importlib.resources gives a Traversable; iopauth is always a plain folder on disk
    # (never zipped: WeasyPrint and fontconfig need real paths), so it is a Path here.
    return Path(str(resources.files(_PACKAGE)))


@cache
def templates_dir() -> Path:
    """The folder of the shipped Jinja templates (``*.html.j2``, ``partials/``, CSS)."""
    installed = _package_dir() / "templates"
    if installed.is_dir():
        return installed
    checkout = _package_dir().parent.parent / "templates"
    if checkout.is_dir():
        return checkout
    raise IopAuthError("the packaged templates folder is missing from this installation")


@cache
def examples_dir() -> Path | None:
    """The folder of the example cases (``*.json``), or ``None`` when not installed.

    A wheel carries them as ``iopauth/examples/cases`` only if the build includes them; a
    checkout has them at ``examples/cases``.
    """
    for folder in (
        _package_dir() / "examples" / "cases",
        _package_dir().parent.parent / "examples" / "cases",
    ):
        if folder.is_dir():
            return folder
    return None


@cache
def fonts_dir() -> Path:
    """The folder of the shipped fonts and their licence."""
    folder = _package_dir() / "fonts"
    if not folder.is_dir():
        raise IopAuthError("the packaged fonts folder is missing from this installation")
    return folder


def locale_dir() -> Path:
    """The folder of the message catalogs: ``<language>/LC_MESSAGES/iopauth.mo`` and ``.po``."""
    return _package_dir() / "locale"


@cache
def criteria_sets_dir() -> Path:
    """The folder of the shipped criteria sets (``*.toml``)."""
    return _package_dir() / "criteria" / "sets"


def asset_roots() -> tuple[Path, ...]:
    """Folders whose files the document renderer may read: templates and fonts, resolved."""
    return (templates_dir().resolve(), fonts_dir().resolve())

"""The sandboxed Jinja environment documents are rendered in, its filters and its errors.

User templates are untrusted: they run in the sandbox of :mod:`iopauth.rendering.sandbox`
(an allow-list of types and attributes, size limits, no clock) with autoescape and
``StrictUndefined``; an unsafe attribute (``__class__``, ``__globals__``, …) fails at once
instead of quietly becoming undefined. A template file that is a symbolic link leading out of
its folder is refused.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import date
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError

from .._support.dates import long_date as written_date
from .._support.once import once
from .._support.resources import templates_dir
from ..errors import RenderError
from .labels import label, service_label
from .language import ENGLISH, Language, language_filters, translations
from .sandbox import MAX_OUTPUT, Sandbox, SandboxLimitError, charge, iteration_budget


def long_date(value: date | None) -> str:
    """``January 5, 2026``; empty for ``None``."""
    if value is None:
        return ""
    return written_date(value)


def short_date(value: date | None) -> str:
    """``01/05/2026`` (US order, as payer forms print dates); empty for ``None``."""
    if value is None:
        return ""
    return f"{value.month:02d}/{value.day:02d}/{value.year}"


def number(value: float | int | None) -> str:
    """A count or an hour figure without a needless ``.0``: ``9``, ``7.5``, ``2.25``."""
    if value is None:
        return ""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def yesno(value: bool | None) -> str:
    """``Yes``, ``No`` or ``Not documented`` for a three-valued fact."""
    if value is None:
        return "Not documented"
    return "Yes" if value else "No"


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """``1 week``, ``3 weeks``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


def evidence_value(value: object) -> str:
    """An evidence value as a reader sees it (dates long, booleans as words, lists joined)."""
    if value is None:
        return "not documented"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, float | int):
        return number(value)
    if isinstance(value, tuple | list | frozenset | set):
        return ", ".join(evidence_value(v) for v in value)
    return label(value)


def sentence(text: str) -> str:
    """Upper-case the first letter only (Jinja's ``capitalize`` lowers the rest)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def band(name: str | None) -> str:
    """A severity band as printed: ``moderately_severe`` → ``moderately severe``."""
    return "" if name is None else str(name).replace("_", " ")


FILTERS: dict[str, Callable[..., str]] = {
    "band": band,
    "sentence": sentence,
    "long_date": long_date,
    "short_date": short_date,
    "number": number,
    "yesno": yesno,
    "plural": plural,
    "label": label,
    "evidence": evidence_value,
    "service_label": lambda code: service_label(code) or "",
}


class _Sandbox(Sandbox):
    """The sandbox, but an unsafe attribute raises instead of being undefined."""

    def unsafe_undefined(self, obj: Any, attribute: str) -> NoReturn:
        raise SecurityError(f"access to attribute {attribute!r} is unsafe")


#: Largest user template file read (a letter template is a few kilobytes).
MAX_TEMPLATE_BYTES = 1024 * 1024


class _FolderLoader(FileSystemLoader):
    """A template folder whose files are read only when they really lie inside it.

    A symbolic link inside the folder may point to another file of the folder; one that
    leads out of it (to a file nobody named) is refused before anything is read. A template
    is read by the one bounded reader: a regular file, at most :data:`MAX_TEMPLATE_BYTES`.
    """

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        import os

        from jinja2.loaders import split_template_path

        from .._support.files import RefusedInputError, read_bounded

        pieces = split_template_path(template)
        for root in self.searchpath:
            filename = os.path.normpath(os.path.join(root, *pieces))
            if not os.path.isfile(filename):
                continue
            real = Path(filename).resolve()
            if not real.is_relative_to(Path(root).resolve()):
                raise SandboxLimitError(f"template {template!r} is a link out of its folder")
            try:
                source = read_bounded(real, MAX_TEMPLATE_BYTES, pipes=False)
            except RefusedInputError as exc:
                raise SandboxLimitError(f"template {template!r} {exc}") from None
            mtime = os.path.getmtime(real)

            def uptodate(real: Path = real, mtime: float = mtime) -> bool:
                try:
                    return os.path.getmtime(real) == mtime
                except OSError:
                    return False

            return source.decode(self.encoding), filename, uptodate
        raise TemplateNotFound(template)


def _finalize(value: object) -> object:
    # A value the case leaves out prints as nothing, never as the word "None". Every printed
    # value counts against the rendering's building budget (also inside macros and blocks).
    return "" if value is None else charge(value)


@once(maxsize=16)
def environment(template_dirs: tuple[str, ...] = (), language: Language = ENGLISH) -> Sandbox:
    """The environment for ``template_dirs`` (searched first) and the shipped templates.

    ``language`` gives ``{% trans %}`` / ``_()`` their catalog (Jinja's i18n extension,
    whitespace trimmed) and the language's ``long_date``, ``full_date``, ``number`` and
    ``weekday`` filters. Built once per folder list and language, even when several threads
    ask for it at once.
    """
    loaders: list[BaseLoader] = [_FolderLoader(d) for d in template_dirs]
    loaders.append(_FolderLoader(str(templates_dir())))
    env = _Sandbox(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(language.catalog), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(FILTERS)
    env.filters.update(language_filters(language))
    return env


def normalize_dirs(template_dirs: Iterable[str | Path]) -> tuple[str, ...]:
    """Template folders as absolute path strings (the environment cache key).

    A folder that does not exist is an error, not silently skipped: a mistyped path would
    otherwise render the shipped templates as if they were the user's.
    """
    if isinstance(template_dirs, str | Path):
        template_dirs = (template_dirs,)
    folders = tuple(Path(d) for d in template_dirs)
    for folder in folders:
        if not folder.is_dir():
            # the folder is the caller's own argument, not case data, so it is named
            raise RenderError(f"template folder {str(folder)!r} does not exist or is not a folder")
    return tuple(str(f.resolve()) for f in folders)


def _template_line(tb: TracebackType | None) -> tuple[str | None, int | None]:
    """The innermost template file and line in a traceback Jinja has rewritten."""
    name: str | None = None
    line: int | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or filename.endswith(".html"):
            name, line = Path(filename).name, tb.tb_lineno
        tb = tb.tb_next
    return name, line


def _generate(env: Sandbox, name: str, context: dict[str, Any]) -> str:
    """The output of template ``name``, at most :data:`MAX_OUTPUT` characters."""
    chunks: list[str] = []
    size = 0
    with iteration_budget():
        stream = env.get_template(name).generate(context)
        while batch := list(islice(stream, 512)):  # counted in batches: cheap per chunk
            size += sum(map(len, batch))
            if size > MAX_OUTPUT:
                raise SandboxLimitError(f"writes more than {MAX_OUTPUT} characters")
            chunks += batch
    return "".join(chunks)


def render_template(env: Sandbox, name: str, context: dict[str, Any]) -> str:
    """Render template ``name``; any failure becomes a :class:`RenderError`.

    The message names the template, the line and the rule broken. It never repeats the
    exception text, which may quote a value from the case. Running out of memory, recursion
    or float range while rendering is a ``RenderError`` too.
    """
    try:
        return _generate(env, name, context)
    except SandboxLimitError as exc:
        _fail(_located(name, f"breaks a sandbox rule: {exc}"), exc)
    except TemplateNotFound as exc:
        _fail(f"template {name!r} not found (missing: {exc.name!r})", exc)
    except TemplateSyntaxError as exc:
        where = f"{(exc.filename and Path(exc.filename).name) or exc.name or name}:{exc.lineno}"
        _fail(f"template syntax error at {where}", exc)
    except SecurityError as exc:
        _fail(_located(name, "reaches for an attribute the sandbox forbids"), exc)
    except UndefinedError as exc:
        _fail(_located(name, "uses a name or attribute that is not defined"), exc)
    except TemplateError as exc:
        _fail(_located(name, f"failed ({type(exc).__name__})"), exc)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        _fail(_located(name, f"failed ({type(exc).__name__})"), exc)
    except RecursionError as exc:
        _fail(_located(name, "recurses too deeply"), exc)
    except (MemoryError, OverflowError, ArithmeticError) as exc:
        _fail(_located(name, f"failed ({type(exc).__name__})"), exc)


def _located(name: str, rule: str) -> str:
    where, line = _template_line(sys.exc_info()[2])
    return f"template {where or name!r}" + (f" line {line}" if line else "") + f" {rule}"


def _fail(message: str, cause: BaseException) -> NoReturn:
    # "from None" keeps the original message (which may quote case data) out of the chain.
    del cause
    raise RenderError(message) from None

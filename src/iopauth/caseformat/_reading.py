"""Reading case documents: size caps, strict JSON, and keys made safe to print.

Every read of a document — a file, a pipe, standard input, text or bytes given — stops at
:data:`MAX_DOCUMENT_BYTES`. JSON is parsed strictly: a key given twice in one object is an
error at its path (the standard library keeps the last silently), and an integer too long to
be any number in a case stands in as :data:`HUGE` instead of failing inside ``json.loads``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from .._support.files import RefusedInputError, read_bounded
from ..errors import InvalidCaseError

__all__ = [
    "HUGE",
    "KEY_ECHO",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "HugeNumber",
    "check_size",
    "key_step",
    "key_text",
    "names_a_file",
    "parse_json",
    "read_document",
    "read_source",
    "read_stream",
    "reject_out_of_range",
]

#: Largest document read from a file, standard input, bytes or text (a case is kilobytes).
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
#: A key longer than this gets no "did you mean" hint and is printed shortened.
KEY_ECHO = 40
#: Deepest nesting of arrays and objects read (a case or FHIR resource needs a dozen levels).
MAX_DEPTH = 100


class HugeNumber:
    """Stands in for a JSON integer too long to be any number in a case."""

    __slots__ = ()


HUGE = HugeNumber()


def check_size(size: int) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidCaseError([f"$: the document is larger than {MAX_DOCUMENT_BYTES} bytes"])


def read_document(path: Path, *, regular_only: bool = False) -> bytes:
    """The bytes of the file at ``path``, at most :data:`MAX_DOCUMENT_BYTES`.

    Read by the one bounded reader (:func:`iopauth._support.files.read_bounded`): a regular
    file or a pipe (``/dev/stdin``, ``<(…)``), never a device (``/dev/zero``), a folder or a
    socket, opened without blocking so a FIFO nobody writes to reads as empty instead of
    hanging; with ``regular_only`` a pipe is refused too. A missing file raises the usual
    :class:`OSError`.
    """
    try:
        return read_bounded(path, MAX_DOCUMENT_BYTES, pipes=not regular_only)
    except RefusedInputError as exc:
        rule = str(exc)
        if rule.startswith("is larger"):
            check_size(MAX_DOCUMENT_BYTES + 1)
        raise InvalidCaseError([f"$: the path {rule}"]) from None


def read_stream(stream: IO[bytes] | IO[str]) -> bytes | str:
    """Standard input (or any stream), at most :data:`MAX_DOCUMENT_BYTES` read from it."""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    check_size(len(data))
    return data


class _Duplicates(dict[str, Any]):
    """A JSON object that had a key twice (found again, with its path, after parsing)."""

    keys_twice: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    seen: set[str] = set()
    twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    marked = _Duplicates(out)
    marked.keys_twice = tuple(dict.fromkeys(twice))
    return marked


def _parse_int(text: str) -> int | HugeNumber:
    # Python refuses to parse integers over 4,300 digits (a traceback from json.loads); no
    # number in a case has more than a few, so anything past 18 stands for "too large".
    return HUGE if len(text) > 18 else int(text)


def parse_json(text: str) -> object:
    """Parse a case document: duplicate keys, huge integers and deep nesting are errors.

    Nesting deeper than :data:`MAX_DEPTH` is refused. A float past the float range (``1e999``)
    or ``NaN`` is kept, for the rules to report at its path (:func:`reject_out_of_range` for
    readers that check no fields).
    """
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise InvalidCaseError(
            [f"$: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"]
        ) from None
    except RecursionError:
        raise InvalidCaseError(["$: JSON nested too deeply"]) from None
    except ValueError:  # a number Python cannot represent
        raise InvalidCaseError(["$: the document holds a number out of range"]) from None
    duplicates = list(_duplicate_paths(data, "$"))
    if duplicates:
        raise InvalidCaseError(duplicates)
    return data


def _duplicate_paths(data: object, path: str) -> Iterator[str]:
    """``<path>: key given twice`` for every object in ``data`` that had a key twice, and
    ``$: nested too deeply`` past :data:`MAX_DEPTH` (reported once, not walked further)."""
    stack = [(data, path, 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth >= MAX_DEPTH and isinstance(value, dict | list):
            yield f"$: JSON nested deeper than {MAX_DEPTH} levels"
            return
        if isinstance(value, dict):
            for key in getattr(value, "keys_twice", ()):
                yield f"{where}{key_step(key)}: given more than once"
            stack.extend((v, f"{where}{key_step(k)}", depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))


def reject_out_of_range(data: object) -> None:
    """Raise at ``$`` when parsed JSON holds an integer too long to be a number (:data:`HUGE`)
    or a float that is not finite (``1e999``, ``NaN``); for readers whose result is handed on
    as it is, not checked field by field."""
    stack = [data]
    while stack:
        value = stack.pop()
        if value is HUGE or (isinstance(value, float) and not math.isfinite(value)):
            raise InvalidCaseError(["$: the document holds a number out of range"])
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def names_a_file(text: str) -> bool:
    """A string that cannot be a JSON object but names an existing file is read as a path."""
    stripped = text.lstrip()
    return (
        not stripped.startswith(("{", "["))
        and "\n" not in text
        and len(text) < 4096
        and Path(text).is_file()
    )


_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


def key_step(key: str) -> str:
    """A key as one step of a printed path: ``.name`` when it has the shape of a field name
    (ASCII letters, digits and ``_``, at most 40), else ``[key of N characters]``.

    Keys are data too — a key can hold a member id or a name with escape sequences — so a
    key that is not shaped like a field name is shown by its length only, never its text.
    """
    if _FIELD_NAME.fullmatch(key):
        return f".{key}"
    return f"[key of {len(key)} characters]"


def key_text(key: str, limit: int | None = KEY_ECHO) -> str:
    """Text from outside as it may be printed (a stored case id, a PDF form's field name):
    shortened to :data:`KEY_ECHO` characters, every unprintable character escaped.

    Control characters, terminal escape sequences and bidirectional controls never reach a
    terminal or a log, and long text is cut to its first characters.
    """
    shown = key if limit is None else key[:limit]
    text = "".join(
        c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode("ascii")
        for c in shown
    )
    return text + ("…" if limit is not None and len(key) > limit else "")


def read_source(source: object, what: str = "document") -> object:
    """Parsed JSON from a mapping (returned as it is), JSON text, UTF-8 bytes or a file path.

    The one reader behind cases, FHIR Bundles and responses, and authorization records. A
    string is read as a path only when it cannot be JSON and names a regular file (a device,
    pipe or folder named by a string is never opened); a path is read whatever it names. Every
    read, and any text or bytes given, stops at :data:`MAX_DOCUMENT_BYTES`. Problems raise
    :class:`InvalidCaseError` lines at ``$`` for the caller to re-raise as its own kind; a
    source of another type raises :class:`TypeError`.
    """
    if isinstance(source, Mapping):
        return source
    if isinstance(source, str) and names_a_file(source):
        source = read_document(Path(source), regular_only=True)
    elif isinstance(source, os.PathLike):
        source = read_document(Path(source))
    if isinstance(source, bytes | bytearray):
        check_size(len(source))
        try:
            source = bytes(source).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidCaseError([f"$: the {what} is not UTF-8 text"]) from None
    if not isinstance(source, str):
        raise TypeError(f"a {what} is read from a mapping, JSON text, bytes or a path")
    check_size(len(source))
    return parse_json(source)

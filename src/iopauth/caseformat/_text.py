"""The rule of every string of a case, and the shape of identifiers.

One rule for every string field of the model (and of authorizations and decisions): non-empty,
at most :data:`~.limits.MAX_TEXT` characters, no control characters, no lone surrogates, no
bidirectional controls and no invisible format characters. Identifiers and codes
(:data:`~.limits.IDENTIFIER_FIELDS`) are further limited to the characters their formats use.
The first pass (:mod:`._firstpass`) searches the same :data:`BAD_CHARS` and calls the same
:func:`identifier_ok`, so both passes refuse the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cattrs import Converter
from cattrs.errors import IterableValidationError, IterableValidationNote

from .limits import MAX_IDENTIFIER, MAX_TEXT

__all__ = [
    "BAD_CHARS",
    "BIDI",
    "IDENTIFIER",
    "IDENTIFIER_RULE",
    "INVISIBLE",
    "RuleError",
    "checked_str",
    "identifier_hook",
    "identifier_ok",
    "structure_str",
]


class RuleError(ValueError):
    """A structural rule broken by one JSON value; the message is the rule, never the value."""


# Control characters, and lone surrogates (not Unicode text: JSON escapes such as "\\ud800",
# or undecodable bytes read with surrogateescape, produce them).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_SURROGATES = "\ud800-\udfff"
# Bidirectional controls: ALM, LRM, RLM, the embeddings and overrides, the isolates. Any one
# makes a letter show a name, a city or a member id other than the stored one.
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Invisible format characters that hide or smuggle text and have no use in a case: word
# joiner and invisible operators, the deprecated format controls, a BOM inside text, the
# interlinear annotation characters and the tag characters. (Zero-width joiners and
# non-joiners, soft hyphens and zero-width spaces stay: scripts and emoji need them.)
INVISIBLE = "\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
#: Every character no string of a case may hold (the first pass searches the same pattern).
BAD_CHARS = re.compile(f"[{_CONTROL}{_SURROGATES}{BIDI}{INVISIBLE}]")
_SURROGATE = re.compile(f"[{_SURROGATES}]")
_BIDI = re.compile(f"[{BIDI}]")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
#: The shape of an identifier or code (:data:`limits.IDENTIFIER_FIELDS`).
IDENTIFIER = re.compile(r"[A-Za-z0-9](?: ?[A-Za-z0-9._/#:+-])*")
IDENTIFIER_RULE = (
    f"must be 1-{MAX_IDENTIFIER} ASCII letters, digits, single spaces or . _ / # : + -, "
    "starting with a letter or digit"
)


def structure_str(obj: object, _: object) -> str:
    """A non-empty string of at most :data:`MAX_TEXT` characters, without control characters."""
    # The common case in four cheap tests: every control character and lone surrogate is
    # unprintable, so a printable string needs no regular expression.
    if (
        isinstance(obj, str)
        and obj.isprintable()
        and obj
        and not obj.isspace()
        and len(obj) <= MAX_TEXT
    ):
        return obj
    return checked_str(obj)


def checked_str(obj: object) -> str:
    """Every string rule in order; the first broken one is raised."""
    if not isinstance(obj, str):
        raise RuleError("must be a string")
    if not obj.strip():
        raise RuleError("must not be empty")
    if len(obj) > MAX_TEXT:
        raise RuleError(f"must be at most {MAX_TEXT} characters")
    if BAD_CHARS.search(obj):
        if _SURROGATE.search(obj):
            raise RuleError("must be valid Unicode text (it holds a lone surrogate)")
        if _BIDI.search(obj) and not re.search(f"[{_CONTROL}]", obj):
            raise RuleError("must not contain bidirectional control characters")
        if _INVISIBLE.search(obj) and not re.search(f"[{_CONTROL}]", obj):
            raise RuleError("must not contain invisible formatting characters")
        raise RuleError("must not contain control characters")
    return obj


def identifier_ok(value: object) -> bool:
    """True when ``value`` (a string, ``None`` or a tuple of strings) has the identifier shape."""
    if value is None:
        return True
    if isinstance(value, tuple):
        return all(identifier_ok(v) for v in value)
    return (
        isinstance(value, str)
        and len(value) <= MAX_IDENTIFIER
        and bool(IDENTIFIER.fullmatch(value))
    )


def identifier_hook(conv: Converter, tp: Any) -> Callable[[Any, Any], Any]:
    """The field's own hook (every string rule first), then the identifier shape."""
    base = conv.get_structure_hook(tp)

    def structure(obj: object, cl: object) -> Any:
        value = base(obj, cl)
        if isinstance(value, tuple):
            errors = []
            for i, item in enumerate(value):
                if not identifier_ok(item):
                    exc = RuleError(IDENTIFIER_RULE)
                    exc.__notes__ = [IterableValidationNote(f"index {i}", i, str)]
                    errors.append(exc)
            if errors:
                raise IterableValidationError("invalid identifiers", errors, tp)
        elif not identifier_ok(value):
            raise RuleError(IDENTIFIER_RULE)
        return value

    return structure

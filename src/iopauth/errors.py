"""The exceptions iopauth raises. Each also subclasses the matching built-in.

Messages never carry patient data: an :class:`InvalidCaseError` names the field path and the
rule broken, not the value that broke it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


class IopAuthError(Exception):
    """Base class of every iopauth error."""


class InvalidCaseError(IopAuthError, ValueError):
    """A case document broke one or more rules.

    ``errors`` holds one line per problem, ``"<json path>: <rule>"``, in document order.
    """

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors: tuple[str, ...] = tuple(errors)
        count = len(self.errors)
        head = f"invalid case: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(f"  {e}" for e in self.errors)]))


class InvalidAuthorizationError(IopAuthError, ValueError):
    """An authorization or payer-decision document broke one or more rules.

    ``errors`` holds one line per problem, ``"<json path>: <rule>"``, like
    :class:`InvalidCaseError`.
    """

    def __init__(self, errors: Iterable[str], what: str = "document") -> None:
        self.errors: tuple[str, ...] = tuple(errors)
        count = len(self.errors)
        head = f"invalid {what}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(f"  {e}" for e in self.errors)]))


class AuthorizationStoreError(IopAuthError, RuntimeError):
    """The authorization store cannot be used: not an iopauth store, damaged, or too new."""


class UnknownAuthorizationError(IopAuthError, LookupError):
    """No authorization in the store has that authorization number or case id."""


class CriteriaSetError(IopAuthError, ValueError):
    """A criteria set could not be loaded: bad TOML, an unknown fact or a refused rule."""


class RenderError(IopAuthError, RuntimeError):
    """A document could not be rendered (bad template, refused resource, layout failure)."""


class FhirError(IopAuthError, ValueError):
    """A FHIR resource could not be read or written.

    ``errors`` holds one line per problem, ``"<path>: <rule>"``, where the path names the place
    in the FHIR document (``$.entry[3].resource.code``) — never the offending value.
    """

    def __init__(self, errors: Iterable[str] | str) -> None:
        self.errors: tuple[str, ...] = (errors,) if isinstance(errors, str) else tuple(errors)
        count = len(self.errors)
        head = f"FHIR problem{'s' if count != 1 else ''}: {count}"
        super().__init__("\n".join([head, *(f"  {e}" for e in self.errors)]))


class PasClientError(IopAuthError, RuntimeError):
    """A PAS exchange failed: the network, the authorization server or the payer's server.

    The message names the operation and the HTTP status, never a request or response body.
    """


class FormError(IopAuthError, ValueError):
    """A fillable PDF form could not be read or filled (not a PDF, no fields, encrypted)."""


class FormMappingError(FormError):
    """A form mapping file broke one or more rules, or does not fit its form or case.

    ``errors`` holds one line per problem, ``"<toml path>: <rule>"`` (``fields[3].path:
    Patient has no field 'nmae'``); a value that does not fit names the form field and its
    limit, never the value.
    """

    def __init__(self, errors: Iterable[str], *, source: str = "form mapping") -> None:
        self.errors: tuple[str, ...] = tuple(errors)
        count = len(self.errors)
        head = f"{source}: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(f"  {e}" for e in self.errors)]))


class LanguageFallbackWarning(UserWarning):
    """A document was asked for in a language iopauth has no (complete) catalog for.

    The patient summary is then written wholly in English, never half translated; the
    message names the language subtag (``fr``) and what was used instead.
    """


# ---------------------------------------------------------------- payer text, made safe to print
#
# An OperationOutcome comes from outside (the payer, or anyone between): its codes, its
# ``diagnostics`` and its ``expression`` may hold a patient's name, date of birth, member id or
# terminal escape sequences. A code is printed only when it has its code system's shape;
# everything else is counted, never quoted.

#: FHIR R4 IssueType codes (``OperationOutcome.issue.code``, a required binding),
#: https://hl7.org/fhir/R4/codesystem-issue-type.html
ISSUE_TYPES = frozenset(
    {
        "invalid", "structure", "required", "value", "invariant", "security", "login",
        "unknown", "expired", "forbidden", "suppressed", "processing", "not-supported",
        "duplicate", "multiple-matches", "not-found", "deleted", "too-long", "code-invalid",
        "extension", "too-costly", "business-rule", "conflict", "transient", "lock-error",
        "no-store", "exception", "timeout", "incomplete", "throttled", "informational",
    }
)  # fmt: skip
#: FHIR R4 IssueSeverity codes, https://hl7.org/fhir/R4/codesystem-issue-severity.html
ISSUE_SEVERITIES = frozenset({"fatal", "error", "warning", "information"})
#: The shape of an X12 code value (an ID element: reject reasons, HCR01/HCR03 codes): one to
#: three upper-case letters or digits. A longer or other string is not printed.
X12_CODE = re.compile(r"[A-Z0-9]{1,3}")
#: Longest FHIRPath expression printed (after its literals are masked).
MAX_EXPRESSION_SHOWN = 120
#: Issues of one OperationOutcome printed; the rest are counted.
MAX_ISSUES_SHOWN = 20

# FHIRPath literals: quoted strings (single or double quotes, with escapes), date/time
# literals (@2026-01-05, @T10:00) and numbers outside an index: each is masked.
_LITERAL = re.compile(
    r"'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?|@[0-9T][0-9T:.+\-Z]*|(?<![\[\w])[0-9][0-9.]*"
)
# what may be left of an expression once its literals are masked: names, indexes, operators
_EXPRESSION = re.compile(r"[A-Za-z0-9_.\[\]()…=<>!,|&+\-'\"@ ]*")


def shown_code(value: object, allowed: frozenset[str] | re.Pattern[str]) -> str | None:
    """``value`` when it is a code of the expected shape, else ``None`` (count it instead)."""
    if not isinstance(value, str):
        return None
    if isinstance(allowed, frozenset):
        return value if value in allowed else None
    return value if allowed.fullmatch(value) else None


def _mask(match: re.Match[str]) -> str:
    first = match.group()[0]
    return f"{first}…{first}" if first in "'\"" else "@…" if first == "@" else "…"


def masked_fhirpath(expression: object) -> str | None:
    """A FHIRPath expression with every literal masked as ``…``; ``None`` when even that
    cannot be printed (not a string, too long, or characters no path holds)."""
    if not isinstance(expression, str) or len(expression) > 4 * MAX_EXPRESSION_SHOWN:
        return None
    masked = _LITERAL.sub(_mask, expression)
    if len(masked) > MAX_EXPRESSION_SHOWN or not _EXPRESSION.fullmatch(masked):
        return None
    return masked


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def outcome_lines(outcome: Mapping[str, object], at: str) -> list[str]:
    """One line per issue of an OperationOutcome, ``"<at>.issue[i]: the payer answered …"``.

    Severity and issue code are printed only when they are FHIR codes, ``details`` codes only
    when they have the X12 shape, expressions only with their literals masked; any other code,
    every ``diagnostics`` and ``details.text`` and every expression that cannot be masked are
    counted (``; not shown: 1 code, 2 texts``).
    """
    issues = outcome.get("issue")
    issues = issues if isinstance(issues, list) else []
    lines = [
        f"{at}.issue[{i}]: the payer answered {_issue_text(issue)}"
        for i, issue in enumerate(issues[:MAX_ISSUES_SHOWN])
    ]
    if len(issues) > MAX_ISSUES_SHOWN:
        lines.append(f"{at}: {len(issues) - MAX_ISSUES_SHOWN} more issues not shown")
    return lines or [f"{at}: the payer answered with an OperationOutcome and no issue"]


def _listed(node: object, key: str) -> list[object]:
    value = node.get(key) if isinstance(node, Mapping) else None
    return value if isinstance(value, list) else []


def _issue_text(issue: object) -> str:
    node: Mapping[str, object] = issue if isinstance(issue, Mapping) else {}
    withheld = {"code": 0, "text": 0, "expression": 0}
    severity = shown_code(node.get("severity"), ISSUE_SEVERITIES) or "error"
    code = shown_code(node.get("code"), ISSUE_TYPES)
    withheld["code"] += code is None and "code" in node
    details: list[str] = []
    for coding in _listed(node.get("details"), "coding"):
        value = coding.get("code") if isinstance(coding, Mapping) else None
        if (shown := shown_code(value, X12_CODE)) is not None:
            details.append(shown)
        else:
            withheld["code"] += value is not None
    detail_node = node.get("details")
    withheld["text"] += isinstance(detail_node, Mapping) and "text" in detail_node
    withheld["text"] += "diagnostics" in node
    where: list[str] = []
    for path in _listed(node, "expression") + _listed(node, "location"):
        if (masked := masked_fhirpath(path)) is not None:
            where.append(masked)
        else:
            withheld["expression"] += 1
    line = f"{severity} {code or '(unrecognised code)'}"
    if details:
        line += f" ({', '.join(details)})"
    if where:
        line += f" at {', '.join(where)}"
    hidden = [_plural(n, word) for word, n in withheld.items() if n]
    return line + (f"; not shown: {', '.join(hidden)}" if hidden else "")

"""The exceptions iopauth raises. Each also subclasses the matching built-in.

Messages never carry patient data: an :class:`InvalidCaseError` names the field path and the
rule broken, not the value that broke it.
"""

from __future__ import annotations

from collections.abc import Iterable


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

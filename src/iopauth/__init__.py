"""iopauth: build the prior-authorization case for intensive outpatient behavioral-health care.

This module only re-exports. Parts that are heavy to import (WeasyPrint, the ICD-10-CM table)
load on first use, so ``import iopauth`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._support.lazy import exports
from .errors import (
    AuthorizationStoreError,
    CriteriaSetError,
    FhirError,
    FormError,
    FormMappingError,
    InvalidAuthorizationError,
    InvalidCaseError,
    IopAuthError,
    LanguageFallbackWarning,
    RenderError,
    UnknownAuthorizationError,
)
from .model import Case

if TYPE_CHECKING:
    from .caseformat.serialize import case_schema, dump_case, load_case
    from .caseformat.validity import validate_case
    from .criteria import (
        Determination,
        Finding,
        Outcome,
        Status,
        criteria_sets,
        evaluate,
        get_criteria,
        load_criteria,
    )
    from .rendering import Letterhead, RenderOptions, documents, render, render_html

__version__ = "0.1.0"

# public name -> module that defines it, imported when the name is first used
_LAZY = {
    "Determination": "iopauth.criteria",
    "Finding": "iopauth.criteria",
    "Outcome": "iopauth.criteria",
    "Status": "iopauth.criteria",
    "criteria_sets": "iopauth.criteria",
    "evaluate": "iopauth.criteria",
    "get_criteria": "iopauth.criteria",
    "load_criteria": "iopauth.criteria",
    "Letterhead": "iopauth.rendering",
    "RenderOptions": "iopauth.rendering",
    "documents": "iopauth.rendering",
    "render": "iopauth.rendering",
    "render_html": "iopauth.rendering",
    "case_schema": "iopauth.caseformat.serialize",
    "dump_case": "iopauth.caseformat.serialize",
    "load_case": "iopauth.caseformat.serialize",
    "validate_case": "iopauth.caseformat.validity",
}

__all__ = [
    "AuthorizationStoreError",
    "Case",
    "CriteriaSetError",
    "Determination",
    "FhirError",
    "Finding",
    "FormError",
    "FormMappingError",
    "InvalidAuthorizationError",
    "InvalidCaseError",
    "IopAuthError",
    "LanguageFallbackWarning",
    "Letterhead",
    "Outcome",
    "RenderError",
    "RenderOptions",
    "Status",
    "UnknownAuthorizationError",
    "__version__",
    "case_schema",
    "criteria_sets",
    "documents",
    "dump_case",
    "evaluate",
    "get_criteria",
    "load_case",
    "load_criteria",
    "render",
    "render_html",
    "validate_case",
]


__getattr__, __dir__ = exports(__name__, _LAZY, globals(), __all__, subpackages=("fhir", "forms"))

"""FHIR R4 and Da Vinci PAS: cases in from the EHR (and back out), requests to the payer,
decisions back.

``import iopauth`` does not load this package; ``from iopauth import fhir`` does. Reading and
writing FHIR needs no model library: iopauth works on FHIR JSON and checks the PAS rules it
relies on itself. :class:`PasClient`, :class:`CdsHooksClient` and :class:`DtrClient` need
the ``fhir`` extra (httpx, PyJWT).
Every name loads on first use (``decision_from_response`` brings the authorization package).
"""

from typing import TYPE_CHECKING

from .._support.lazy import exports
from ..errors import PasClientError

__all__ = [
    "CERTIFICATION_TYPES",
    "AdaptiveOutcome",
    "AdaptiveResult",
    "AnsweredQuestionnaire",
    "CdsHooksClient",
    "CoverageInformation",
    "CoverageRequirements",
    "DtrClient",
    "ImportResult",
    "PasClient",
    "PasClientError",
    "PasCodes",
    "QuestionnaireMapping",
    "QuestionnairePackage",
    "SmartBackendAuth",
    "answer_questionnaire",
    "bundle_from_case",
    "case_from_bundle",
    "complete_adaptive",
    "coverage_requirements",
    "crd_request",
    "decision_from_response",
    "dtr_inputs",
    "load_questionnaire_mapping",
    "pas_attachment",
    "pas_cancel",
    "pas_inquiry",
    "pas_problems",
    "pas_request",
    "pas_update",
    "questionnaire_package",
]

if TYPE_CHECKING:
    from ._client import PasClient, SmartBackendAuth
    from ._crd import CoverageInformation, CoverageRequirements, coverage_requirements, crd_request
    from ._decision import decision_from_response
    from ._dtr import AnsweredQuestionnaire, answer_questionnaire
    from ._dtr_adaptive import AdaptiveOutcome, AdaptiveResult, complete_adaptive
    from ._dtr_client import DtrClient, dtr_inputs
    from ._dtr_mapping import QuestionnaireMapping, load_questionnaire_mapping
    from ._dtr_package import QuestionnairePackage, questionnaire_package
    from ._export import bundle_from_case
    from ._hooks_client import CdsHooksClient
    from ._import import ImportResult, case_from_bundle
    from ._pas import CERTIFICATION_TYPES, pas_attachment, pas_request
    from ._pas_checks import pas_problems
    from ._pas_codes import PasCodes
    from ._pas_followup import pas_cancel, pas_inquiry, pas_update

# Every name loads on first use: ``import iopauth`` answers ``iopauth.fhir`` lazily, and a
# program that only builds PAS requests should not pay for reading FHIR. The ``iopauth fhir``
# command lives in iopauth.cli.fhir.
_LAZY = {
    "CERTIFICATION_TYPES": "._pas",
    "ImportResult": "._import",
    "case_from_bundle": "._import",
    "bundle_from_case": "._export",
    "pas_attachment": "._pas",
    "pas_request": "._pas",
    "PasCodes": "._pas_codes",
    "pas_inquiry": "._pas_followup",
    "pas_update": "._pas_followup",
    "pas_cancel": "._pas_followup",
    "pas_problems": "._pas_checks",
    "PasClient": "._client",
    "SmartBackendAuth": "._client",
    "decision_from_response": "._decision",
    "CoverageInformation": "._crd",
    "CoverageRequirements": "._crd",
    "coverage_requirements": "._crd",
    "crd_request": "._crd",
    "AnsweredQuestionnaire": "._dtr",
    "answer_questionnaire": "._dtr",
    "QuestionnaireMapping": "._dtr_mapping",
    "load_questionnaire_mapping": "._dtr_mapping",
    "QuestionnairePackage": "._dtr_package",
    "questionnaire_package": "._dtr_package",
    "CdsHooksClient": "._hooks_client",
    "DtrClient": "._dtr_client",
    "dtr_inputs": "._dtr_client",
    "AdaptiveOutcome": "._dtr_adaptive",
    "AdaptiveResult": "._dtr_adaptive",
    "complete_adaptive": "._dtr_adaptive",
}


__getattr__, __dir__ = exports(__name__, _LAZY, globals(), __all__)

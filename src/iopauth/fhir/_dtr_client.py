"""``DtrClient``: a payer's DTR service — ``$questionnaire-package`` and ``$next-question``.

Same endpoint and exchange as :class:`~iopauth.fhir.PasClient` (both are a
:class:`~iopauth.fhir._service_client.ServiceClient`): SMART
Backend Services token, one deadline per exchange, bodies cut at 16 MiB before and after
decompression, strict JSON, 429/503 retried, an OperationOutcome reported by its codes only.
The Parameters sent follow DTR's own examples (HL7/davinci-dtr ``Examples-Parameters.fsh``:
``QuestionnairePackageInputParamsExample`` lines 2-9, ``NextQuestionInputParamsExample`` lines
29-34; tests/data/dtr/PROVENANCE.md). The adaptive loop is :func:`complete_adaptive`
(``_dtr_adaptive``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import FhirError, PasClientError, outcome_lines
from ._dtr_package import QuestionnairePackage, questionnaire_package
from ._service_client import ServiceClient

if TYPE_CHECKING:
    from ..model import Case

__all__ = ["DtrClient", "dtr_inputs", "next_question_parameters", "package_parameters"]

_DTR = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/"
_PACKAGE = "Questionnaire/$questionnaire-package"
_NEXT = "Questionnaire/$next-question"


def dtr_inputs(case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case's Coverage and the program's ServiceRequest, as ``crd_request`` sends them."""
    from . import _write as w

    return w.coverage(case), w.service_request(case)


def package_parameters(
    coverage: Mapping[str, Any],
    order: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    questionnaire: str | Sequence[str] | None = None,
    *,
    context: str | None = None,
) -> dict[str, Any]:
    """The ``$questionnaire-package`` input: ``coverage`` (1..1), each ``order``, each
    ``questionnaire`` canonical and the CRD ``context`` id (DTRParameters.fsh,
    DTRQuestionnairePackageInputParameters)."""
    orders = [order] if isinstance(order, Mapping) else list(order)
    canonicals = [questionnaire] if isinstance(questionnaire, str) else list(questionnaire or [])
    params: list[dict[str, Any]] = [{"name": "coverage", "resource": dict(coverage)}]
    params += [{"name": "order", "resource": dict(o)} for o in orders]
    params += [{"name": "questionnaire", "valueCanonical": q} for q in canonicals]
    if context is not None:
        params.append({"name": "context", "valueString": context})
    _require_resource(params[0]["resource"], "Coverage", "coverage")
    for o in orders:
        _require_resource(o, None, "order")
    return {
        "resourceType": "Parameters",
        "meta": {"profile": [_DTR + "dtr-qpackage-input-parameters"]},
        "parameter": params,
    }


def next_question_parameters(questionnaire_response: Mapping[str, Any]) -> dict[str, Any]:
    """The ``$next-question`` input: the QuestionnaireResponse with its contained
    Questionnaire (DTR Next Question input parameters)."""
    _require_resource(questionnaire_response, "QuestionnaireResponse", "questionnaire_response")
    return {
        "resourceType": "Parameters",
        "meta": {"profile": [_DTR + "dtr-next-question-input-parameters"]},
        "parameter": [{"name": "questionnaire-response", "resource": dict(questionnaire_response)}],
    }


def _require_resource(resource: object, kind: str | None, name: str) -> None:
    if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
        raise FhirError([f"{name}: must be a FHIR resource (a JSON object with resourceType)"])
    if kind is not None and resource.get("resourceType") != kind:
        raise FhirError([f"{name}: must be a {kind}"])


class DtrClient(ServiceClient):
    """A payer's DTR FHIR service. Use as a context manager, or call :meth:`close`.

    ``base_url`` is the FHIR base of the payer's DTR service; ``auth`` the SMART Backend
    Services credentials (give ``scope`` the payer's DTR scopes). ``timeout``, ``retries``,
    ``max_wait``, ``clock``, ``sleep`` and ``transport`` are as for :class:`PasClient`.
    """

    SERVICE = "DTR"

    def questionnaire_package(
        self,
        coverage: Mapping[str, Any],
        order: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        questionnaire: str | Sequence[str] | None = None,
        *,
        context: str | None = None,
    ) -> QuestionnairePackage:
        """POST ``Questionnaire/$questionnaire-package``; the answer read by
        :func:`~iopauth.fhir.questionnaire_package`.

        ``coverage`` and ``order`` are FHIR resources (:func:`dtr_inputs` gives the case's);
        ``questionnaire`` the canonical(s) CRD named (``CoverageRequirements.questionnaires``).
        """
        params = package_parameters(coverage, order, questionnaire, context=context)
        answer = self._operation(_PACKAGE, params, answers=frozenset({"Parameters", "Bundle"}))
        _refuse_outcome(answer)
        return questionnaire_package(answer)

    def next_question(self, questionnaire_response: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``Questionnaire/$next-question``; the QuestionnaireResponse the payer returns
        (its contained Questionnaire grown by the next questions; ``status`` ``completed``
        when the payer asks nothing more)."""
        params = next_question_parameters(questionnaire_response)
        answer = self._operation(_NEXT, params, answers=frozenset({"Parameters"}))
        _refuse_outcome(answer)
        for param in answer.get("parameter", []) if isinstance(answer, dict) else []:
            if isinstance(param, dict) and param.get("name") == "return":
                resource = param.get("resource")
                if isinstance(resource, dict) and (
                    resource.get("resourceType") == "QuestionnaireResponse"
                ):
                    return resource
        raise PasClientError(f"DTR {_NEXT}: an answer without a returned QuestionnaireResponse")


def _refuse_outcome(answer: Mapping[str, Any]) -> None:
    """A bare OperationOutcome in a 2xx answer is the operation failing (DTR: "in the event of
    an error ... a bare OperationOutcome might be returned"): its codes, never its text."""
    if answer.get("resourceType") == "OperationOutcome":
        raise FhirError(outcome_lines(dict(answer), "$"))

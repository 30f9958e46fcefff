"""The payer's documentation requirements (Da Vinci CRD) in words, for the staff checklist.

:func:`payer_requirements` turns the :class:`~iopauth.fhir.CoverageRequirements` read from a
payer's CRD answer (``RenderOptions.coverage_requirements``) into a
:class:`~iopauth.rendering.views.PayerRequirements`: whether prior authorization is needed,
coverage, the documentation asked for and why, the information the payer lacks, the
questionnaires it named (by title when the questionnaire is given, else by its address), its
reasons and card summaries as it wrote them. The meanings are the
definitions of the CRD code system (HL7/davinci-crd 2.2.1,
``input/fsh/codesystems/CoverageInformationCodes.fsh``, lines 14-41; the codes with their
lines are in tests/data/crd/coverage-information-codes.json), in our own words. A code the
guide does not define is counted, never printed. The payer's text is bounded as on the
questionnaire page (:class:`~iopauth.rendering.answers.PayerText`).

:func:`payer_documents` gives the templates both payer documents: the questionnaire as
answered (its own page, the fax cover's and the letters' enclosure lists, and the checklist,
which lists its open required questions to resolve) and the requirements (the checklist).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .answers import PayerText
from .options import RenderOptions
from .questionnaire import questionnaire_view
from .views import PayerRequirements, QuestionnaireView

__all__ = ["CoverageRequirementsLike", "payer_documents", "payer_requirements"]

#: Most cards, reasons and questionnaires listed (the CRD reader reads at most 500 parts).
MAX_LISTED = 500
_TEXT, _TOTAL = 10_000, 300_000

_COVERED = {
    "covered": "The payer says the service is covered: regular coverage applies, with the "
    "plan's usual limits, and no payment is guaranteed.",
    "not-covered": "The payer says the service is not covered.",
    "conditional": "The payer says coverage depends on information it does not have yet.",
    "indeterminate": "The payer could not evaluate coverage.",
}
_PA = {
    "auth-needed": "Prior authorization is needed.",
    "performpa": "Prior authorization is needed, and the performing provider must request it.",
    "no-auth": "The payer says no prior authorization is needed.",
    "satisfied": "The payer says prior authorization is already satisfied: what it would "
    "review has been reviewed, so no request is needed.",
    "conditional": "Whether prior authorization is needed depends on information the payer "
    "does not have yet.",
    "indeterminate": "The payer could not tell whether prior authorization is needed.",
}
_DOC = {
    "clinical": "Clinical documentation: details a clinician gives (the payer's questionnaire "
    "answered by a clinician)",
    "admin": "Administrative documentation: details office staff can give, no clinical input "
    "needed",
    "patient": "Information from the patient or the patient's representative",
    "conditional": "Possibly more documentation, once the payer has more information",
    "indeterminate": "The payer could not tell what documentation it needs",
}
_PURPOSE = {
    "withpa": "Send it with the prior authorization request",
    "withclaim": "Send it with the claim",
    "withorder": "Send it with the order to the program that performs the service",
    "retain-doc": "Keep it in the record as evidence of medical necessity",
    "OTH": "For another purpose the payer states",
}
_INFO = {
    "performer": "Who will perform the service (the clinician or type of clinician, and their "
    "organization)",
    "location": "Where the service will be given (the site or organization)",
    "timeframe": "When the service will be given, more precisely than the order's dates",
    "contract-window": "The dates fall outside the patient's current coverage period: the "
    "payer can answer only once coverage for those dates is in place",
    "detail-code": "A more specific service code than the order's",
    "OTH": "Other information the payer states",
}
_INDICATOR = {"info": "Information", "warning": "Warning", "critical": "Critical"}


class CoverageLike(Protocol):
    """What the checklist reads of one ``CoverageInformation``."""

    @property
    def covered(self) -> str | None: ...
    @property
    def pa_needed(self) -> str | None: ...
    @property
    def doc_purpose(self) -> tuple[str, ...]: ...
    @property
    def info_needed(self) -> tuple[str, ...]: ...
    @property
    def reasons(self) -> Sequence[ReasonLike]: ...


class ReasonLike(Protocol):
    @property
    def text(self) -> str | None: ...


class CoverageRequirementsLike(Protocol):
    """What the checklist reads of :class:`iopauth.fhir.CoverageRequirements`."""

    @property
    def coverage(self) -> Sequence[CoverageLike]: ...
    @property
    def questionnaires(self) -> tuple[str, ...]: ...
    @property
    def cards(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def documentation_needed(self) -> tuple[str, ...]: ...


# Documents that show the payer questionnaire: its own page, the fax cover's and the
# packet's lists, the letters' lists of enclosures, and the checklist (its open questions).
_SHOWN_IN = frozenset(
    {"payer-questionnaire", "fax-cover", "packet", "enclosures", "checklist"}
    | {"request-letter", "concurrent-review", "appeal-letter"}
)


def payer_documents(document: str, options: RenderOptions) -> dict[str, Any]:
    """The template context's ``questionnaire`` (:data:`_SHOWN_IN`) and
    ``payer_requirements`` (the checklist), from the render options; ``None`` otherwise."""
    given, found = options.questionnaire, options.coverage_requirements
    shown = questionnaire_view(given) if given is not None and document in _SHOWN_IN else None
    return {
        "questionnaire": shown,
        "payer_requirements": (
            payer_requirements(found, shown)
            if found is not None and document == "checklist"
            else None
        ),
    }


def payer_requirements(
    found: CoverageRequirementsLike, questionnaire: QuestionnaireView | None = None
) -> PayerRequirements:
    """The checklist's view of the payer's CRD answer; :class:`RenderError` for text out of
    bounds (naming the place, never the text). A questionnaire the payer named that is
    ``questionnaire`` (same address, and same version when both give one) is named by its
    title."""
    text = PayerText(_TEXT, _TOTAL)
    unknown = [0]

    def words(table: dict[str, str], codes: Sequence[str | None]) -> tuple[str, ...]:
        out: list[str] = []
        for code in codes:
            if code is None:
                continue
            if code in table:
                out.append(table[code])
            else:
                unknown[0] += 1
        return tuple(dict.fromkeys(out))

    coverage = found.coverage
    pa_codes = [c.pa_needed for c in coverage if c.pa_needed is not None]
    pa_words = words(_PA, pa_codes)
    if not pa_codes:
        pa_words = ("The payer's answer does not say whether prior authorization is needed.",)
    reasons = [
        text.optional(reason.text, f"coverage_requirements reason {i + 1}")
        for c in coverage
        for i, reason in enumerate(c.reasons[:MAX_LISTED])
    ]
    cards = tuple(
        (
            _INDICATOR.get(indicator, "Card"),
            text.optional(summary, f"coverage_requirements card {i + 1}") or "",
        )
        for i, (indicator, summary) in enumerate(found.cards[:MAX_LISTED])
    )
    questionnaires = tuple(
        _canonical(
            text.optional(q, f"coverage_requirements questionnaire {i + 1}") or "", questionnaire
        )
        for i, q in enumerate(found.questionnaires[:MAX_LISTED])
    )
    return PayerRequirements(
        prior_authorization=" ".join(pa_words),
        coverage=words(_COVERED, [c.covered for c in coverage]),
        documentation=words(_DOC, found.documentation_needed),
        purposes=words(_PURPOSE, [p for c in coverage for p in c.doc_purpose]),
        information=words(_INFO, [n for c in coverage for n in c.info_needed]),
        questionnaires=questionnaires,
        reasons=tuple(dict.fromkeys(r for r in reasons if r)),
        cards=cards,
        unknown=unknown[0],
    )


def _canonical(value: str, given: QuestionnaireView | None) -> str:
    """A questionnaire the payer named: by the title of ``given`` when it is that one, else
    by its address; with its version when the payer gave one."""
    url, _, version = value.partition("|")
    same = given is not None and given.url == url
    other_version = bool(version and given and given.version and given.version != version)
    name = given.title if given is not None and given.title and same and not other_version else url
    return f"{name}, version {version}" if version else name

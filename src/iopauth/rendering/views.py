"""The view records a template may read: plain frozen data, built elsewhere in this package.

These are the document views the sandbox allows a template to look into (besides the case
model and the criteria results); each is made by the module named beside it. This module
imports nothing of :mod:`iopauth.rendering`, so the sandbox can list the allowed types
without importing the modules that build them.
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from ..model import DocumentKind, Instrument

__all__ = [
    "AuthorizationView",
    "DecisionView",
    "DraftItem",
    "FindingView",
    "LetterheadView",
    "MeasureRow",
    "NeededDocument",
    "PayerRequirements",
    "Principle",
    "QuestionRow",
    "QuestionnaireView",
    "StateLaw",
    "UnmetAnswer",
]


# --- criteria findings and the draft note (made in context.py) -------------------------------


@frozen(kw_only=True)
class FindingView:
    """A finding ready to print: its status in words and the record's sentences on it.

    ``reason`` is the engine's explanation (the staff checklist prints it); ``basis`` is what
    the case says on the criterion in clinical sentences (letters print that, never the
    engine's evidence); ``citation`` is the primary authority by name, or empty.
    """

    criterion: str
    title: str
    kind: str
    status: str
    status_label: str
    tone: str
    reason: str
    basis: tuple[str, ...]
    citation: str
    documentation: tuple[str, ...]
    verified: bool


@frozen(kw_only=True)
class DraftItem:
    """One thing a draft letter's first-page note lists: unmet, applying or undocumented."""

    title: str
    state: str
    action: str


@frozen(kw_only=True)
class UnmetAnswer:
    """The appeal's answer to one criterion the payer cited as unmet."""

    criterion: str
    title: str
    finding: FindingView | None
    basis: tuple[str, ...]


# --- measures (made in measure_rows.py) ------------------------------------------------------


@frozen(kw_only=True)
class MeasureRow:
    """One instrument: baseline and latest administration, band and change.

    ``at_admission``: the baseline is the score at admission (the last administration on or
    before the admission date, or the first within a week after it); ``risk_words`` is a C-SSRS
    screener's risk level in words (``no risk identified``); ``baseline_words`` and
    ``latest_words`` each score's band in words (or its screen result, or ``no published
    bands``); ``meaning`` the change under the instrument's change rule (``improved``, ``no
    meaningful change``, ``worse``; empty without a rule) and ``rule_words`` that rule's size
    (``5 points``).
    """

    instrument: Instrument
    name: str
    count: int
    baseline_date: date
    baseline_total: int | None
    baseline_band: str | None
    latest_date: date
    latest_total: int | None
    latest_band: str | None
    maximum: int
    change: int | None
    risk_level: str | None
    flags: tuple[str, ...]
    points: tuple[tuple[date, int], ...]
    band_edges: tuple[int, ...]
    change_words: str
    risk_words: str = ""
    at_admission: bool = False
    baseline_words: str = ""
    latest_words: str = ""
    meaning: str = ""
    rule_words: str = ""


# --- the documents a payer needs (made in checklist.py) --------------------------------------


@frozen(kw_only=True)
class NeededDocument:
    """One document the payer needs: whether it is on hand, whether the letter states its
    content from the case, and how to close the gap.

    ``stated`` and ``attached`` differ: a discharge plan written in the case is stated in the
    letter even when no discharge-plan document is on hand to attach.
    """

    kind: DocumentKind
    label: str
    attached: bool
    stated: bool
    required: bool
    dated: object
    title: str | None
    resolution: str
    pages: int | None = None


# --- what an appeal cites (made in appeal.py) ------------------------------------------------


@frozen(kw_only=True)
class Principle:
    """A generally accepted standard of care an appeal can cite (payer-criteria.md §5)."""

    slug: str
    text: str


@frozen(kw_only=True)
class StateLaw:
    """A state law requiring nonprofit-association criteria, from ``state_laws.toml``."""

    state: str
    state_name: str
    name: str
    citation: str
    effective: date
    summary: str
    sources: tuple[str, ...]


# --- the letterhead (made in letterhead.py) --------------------------------------------------


@frozen(kw_only=True)
class LetterheadView:
    """The caller's letterhead for templates; ``logo`` is a ``data:`` URL, never a path."""

    name: str
    address_lines: tuple[str, ...]
    phone: str | None
    fax: str | None
    email: str | None
    website: str | None
    logo: str | None


# --- the payer's records (made in payer.py) --------------------------------------------------


@frozen(kw_only=True)
class AuthorizationView:
    """The current authorization as a concurrent review states it, in sentences.

    ``grant`` says what the payer approved (and what was asked, when it approved less);
    ``usage`` the units used and left through the document date; ``attendance`` the days
    attended under the authorization (``None`` when no usage is recorded: the case's own
    attendance is stated instead). ``partial`` is true for a partial approval.
    """

    number: str | None
    decision: str
    partial: bool
    period: str | None
    units: str | None
    requested: str | None
    used: str | None
    grant: str
    usage: str | None
    attendance: str | None


@frozen(kw_only=True)
class DecisionView:
    """The decision an appeal answers, as the letter quotes it.

    Each of ``decided_on``, ``reference`` and ``reasons`` comes from the payer's decision when
    it gives one, else from the case's recorded denial. ``reason_codes`` are the payer's codes
    as given; ``items`` one sentence per service line the decision denied or cut;
    ``partial`` says the payer approved part of the request (``approved`` says what).
    """

    decided_on: date | None
    reference: str | None
    reasons: tuple[str, ...]
    reason_codes: tuple[str, ...]
    items: tuple[str, ...]
    partial: bool
    approved: str | None
    from_payer: bool


# --- the payer's questionnaire page and documentation requirements ---------------------------
# (made in questionnaire.py and requirements.py)


@frozen(kw_only=True)
class QuestionRow:
    """One line of the payer questionnaire page, in document order.

    ``kind`` is ``heading`` (a group), ``note`` (text the payer shows, asking nothing) or
    ``question``; ``depth`` is how far it is nested. ``text`` is the payer's own wording;
    ``answers`` each answer in words. ``origin`` says who answered: ``record`` (filled from the
    record), ``changed`` (filled from the record, then changed by a person), ``person``
    (entered by a person), ``unstated`` (answered, origin not stated), ``open`` (left for the
    clinician); empty for headings and notes. ``required``: the payer requires an answer.
    """

    kind: str
    depth: int
    text: str
    answers: tuple[str, ...] = ()
    origin: str = ""
    required: bool = False


@frozen(kw_only=True)
class QuestionnaireView:
    """A payer's questionnaire as answered: its name as the payer gave it, and its lines.

    ``title``, ``url``, ``version`` and ``publisher`` are the payer's (from the Questionnaire
    when given, else the canonical the response names); ``completed`` is the response's own
    status; the counts are of questions answered from the record, by a person, with no source
    stated, and left open (``open_required`` of them required by the payer, their wording in
    :attr:`open_questions`); ``answered`` says the first three in words.
    """

    title: str | None
    url: str | None
    version: str | None
    publisher: str | None
    authored: date | None
    completed: bool
    rows: tuple[QuestionRow, ...]
    from_record: int
    by_person: int
    unstated: int
    open: int
    open_required: int
    answered: str

    @property
    def open_questions(self) -> tuple[str, ...]:
        """The payer's wording of each required question with no answer yet, in page order
        (the checklist lists them to resolve)."""
        return tuple(
            r.text for r in self.rows if r.kind == "question" and r.origin == "open" and r.required
        )


@frozen(kw_only=True)
class PayerRequirements:
    """What the payer's coverage-requirements answer (CRD) asks for, in words.

    ``prior_authorization`` and ``coverage`` are sentences; ``documentation``,
    ``purposes`` and ``information`` the codes' meanings; ``questionnaires`` each
    questionnaire the payer named, as it named it; ``reasons`` and ``cards`` the payer's own
    text as written (``cards`` as ``(urgency, summary)``); ``unknown`` how many codes the
    answer held that the guide does not define.
    """

    prior_authorization: str
    coverage: tuple[str, ...]
    documentation: tuple[str, ...]
    purposes: tuple[str, ...]
    information: tuple[str, ...]
    questionnaires: tuple[str, ...]
    reasons: tuple[str, ...]
    cards: tuple[tuple[str, str], ...]
    unknown: int

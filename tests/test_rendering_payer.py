"""Letters that read the payer's records: the concurrent review from an Authorization, the
appeal from a Decision (iopauth.rendering.payer)."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iopauth.authorization import (
    Authorization,
    Decision,
    DecisionItem,
    DecisionStatus,
    Review,
    ReviewType,
    Usage,
    add_request,
    apply_decision,
    from_case,
    record_usage,
)
from iopauth.caseformat.serialize import load_case
from iopauth.errors import RenderError
from iopauth.model import Case, LevelOfCare, Schedule, Session, Weekday
from iopauth.rendering import (
    RenderOptions,
    is_draft,
    layout_documents,
    render,
    render_documents,
    render_html,
)
from iopauth.rendering.payer import authorization_view, decision_view

from .strategies import authorizations, decisions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"
CONCURRENT = EXAMPLES / "medicaid-alcohol-depression-concurrent.json"
APPEAL = EXAMPLES / "commercial-adolescent-appeal.json"
NUMBER = "BCC-2026-118840"  # the concurrent example's authorization number


@pytest.fixture(scope="module")
def concurrent() -> Case:
    """A Medicaid SUD IOP stay asking to continue from June 1, 2026 (the shipped example)."""
    return load_case(CONCURRENT)


@pytest.fixture(scope="module")
def appeal() -> Case:
    """An adolescent's expedited appeal of an IOP denial (the shipped example)."""
    return load_case(APPEAL)


def _text(markup: str) -> str:
    """The visible words of an HTML document, whitespace collapsed."""
    body = markup[markup.index("<body") :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def _may_weekdays(count: int) -> list[date]:
    """The first ``count`` Monday-to-Thursday program days from May 4, 2026."""
    days = (date(2026, 5, 4) + timedelta(days=n) for n in range(60))
    return [d for d in days if d.weekday() < 4][:count]


def _current(case: Case, *, units: int = 12, attended: int = 11) -> Authorization:
    """May's authorization: 16 days asked, ``units`` approved May 4-31, ``attended`` used."""
    auth = Authorization(
        case_id=case.case_id,
        payer_name=case.coverage.payer_name,
        plan_type=case.coverage.plan_type,
        level_of_care=case.plan.level,
        service_codes=(case.request.service_code,),
        authorization_number=NUMBER,
        requested_units=16,
        requested_start=date(2026, 5, 4),
        requested_end=date(2026, 5, 31),
        reviews=(Review(kind=ReviewType.INITIAL, requested_on=date(2026, 4, 28)),),
    )
    status = DecisionStatus.PARTIALLY_APPROVED if units < 16 else DecisionStatus.APPROVED
    decision = Decision(
        status=status,
        decided_on=date(2026, 5, 1),
        authorization_number=NUMBER,
        authorized_units=units,
        authorized_start=date(2026, 5, 4),
        authorized_end=date(2026, 5, 31),
    )
    auth = apply_decision(auth, decision)
    return record_usage(auth, [Usage(day=d) for d in _may_weekdays(attended)])


def test_concurrent_review_pdf_states_the_partial_approval_and_units_left(
    concurrent: Case,
) -> None:
    """The PDF names the authorization, its dates, 12 of 16 days approved in part, 11 used
    and 1 left on the document date, and the days attended under it."""
    text = _pdf_text(render(concurrent, "concurrent-review", authorization=_current(concurrent)))
    assert f"Authorization number {NUMBER}" in text
    assert "Approved in part on May 1, 2026" in text
    assert "From May 4, 2026 to May 31, 2026" in text
    assert (
        f"Under authorization {NUMBER}, the plan approved 12 of the 16 program days requested "
        "(a partial approval), from May 4, 2026 to May 31, 2026." in text
    )
    assert (
        "Through June 1, 2026, 11 of the 12 program days authorized have been used and 1 "
        "remains." in text
    )
    attendance = text.split("Attendance", 1)[1].split("Services and progress", 1)[0]
    assert "Attended 11 program days from May 4, 2026 through May 31, 2026" in attendance
    # in the attendance section the payer's record replaces the case's count since admission
    assert "Attended 15 of 16" not in attendance
    for leak in ("partially_approved", "per_diem", "$.", "authorized_units", "= yes"):
        assert leak not in text


def test_full_approval_is_not_called_partial(concurrent: Case) -> None:
    """All 16 days approved: no partial wording, no requested figure."""
    text = _text(
        render_html(concurrent, "concurrent-review", authorization=_current(concurrent, units=16))
    )
    assert "the plan approved 16 program days, from May 4, 2026 to May 31, 2026." in text
    assert "partial" not in text
    assert "in part" not in text


def test_units_used_count_only_up_to_the_document_date(concurrent: Case) -> None:
    """Usage recorded after the document date is not counted as used on that date."""
    auth = _current(concurrent, attended=11)
    options = RenderOptions(document_date=date(2026, 5, 14))
    text = _text(render_html(concurrent, "concurrent-review", options=options, authorization=auth))
    used = sum(1 for d in _may_weekdays(11) if d <= date(2026, 5, 14))
    assert used == 8
    assert f"Through May 14, 2026, {used} of the 12 program days authorized have been used" in text
    assert "and 4 remain." in text


def test_attendance_against_a_schedule_with_weekdays(concurrent: Case) -> None:
    """With sessions on named weekdays, attendance is counted against the scheduled days."""
    sessions = tuple(Session(day=d, minutes=180) for d in (Weekday.MON, Weekday.WED))
    auth = attrs.evolve(_current(concurrent, attended=0), schedule=Schedule(sessions=sessions))
    # May 4-13: Mondays and Wednesdays are the 4th, 6th, 11th and 13th; three attended
    auth = record_usage(auth, [Usage(day=date(2026, 5, d)) for d in (4, 6, 11)])
    options = RenderOptions(document_date=date(2026, 5, 13))
    text = _text(render_html(concurrent, "concurrent-review", options=options, authorization=auth))
    assert (
        "Attended 3 of 4 program days scheduled (75%) from May 4, 2026 through May 13, 2026 "
        "under the current authorization, most recently on May 11, 2026." in text
    )


def test_authorization_without_usage_keeps_the_case_attendance(concurrent: Case) -> None:
    """No usage recorded: the review states the case's own attendance, and 0 units used."""
    auth = _current(concurrent, attended=0)
    text = _text(render_html(concurrent, "concurrent-review", authorization=auth))
    assert "Attended 15 of 16 scheduled program days" in text
    assert "0 of the 12 program days authorized have been used and 12 remain." in text


def _denial(**changes: Any) -> Decision:
    base = Decision(
        status=DecisionStatus.DENIED,
        decided_on=date(2026, 4, 16),
        authorization_number="GV-UM-2026-041553",
        reason_text="Does not meet medical necessity: outpatient therapy is sufficient.",
        reason_codes=("0U",),
        items=(
            DecisionItem(
                sequence=1, service_code="S9480", status=DecisionStatus.DENIED, reason_codes=("0U",)
            ),
        ),
    )
    return attrs.evolve(base, **changes)


def test_appeal_quotes_the_payers_decision_over_the_case(appeal: Case) -> None:
    """The decision's date, reference, reason, codes and denied line are quoted; the case's
    own stated reason gives way to the payer's words."""
    text = _pdf_text(render(appeal, "appeal-letter", decision=_denial()))
    assert "Date of decision April 16, 2026" in text
    assert "Reference GV-UM-2026-041553" in text
    assert "“Does not meet medical necessity: outpatient therapy is sufficient.”" in text
    assert "Reason codes given: 0U" in text
    assert (
        "Service line 1, S9480 (mental-health intensive outpatient, per diem): not approved" in text
    )
    assert appeal.request.denial is not None
    assert appeal.request.denial.stated_reason
    assert appeal.request.denial.stated_reason not in text
    assert "April 15, 2026" not in text.split("The decision we appeal")[1][:200]


def test_appeal_of_a_partial_approval_says_what_was_approved(appeal: Case) -> None:
    """A partial approval is appealed as one: what was approved, and the rest not."""
    decision = _denial(
        status=DecisionStatus.PARTIALLY_APPROVED,
        authorized_units=10,
        authorized_start=date(2026, 4, 20),
        authorized_end=date(2026, 5, 3),
        items=(
            DecisionItem(
                sequence=1,
                service_code="S9480",
                status=DecisionStatus.PARTIALLY_APPROVED,
                authorized_units=10,
                authorized_start=date(2026, 4, 20),
                authorized_end=date(2026, 5, 3),
            ),
        ),
    )
    text = _text(render_html(appeal, "appeal-letter", decision=decision))
    assert (
        "Approved in part: 10 program days from April 20, 2026 to May 3, 2026; the rest of the "
        "request was not approved" in text
    )
    assert "approved in part (10 program days from April 20, 2026 to May 3, 2026)" in text


def test_appeal_takes_the_latest_denial_from_the_authorization(appeal: Case) -> None:
    """Given only the authorization, the appeal quotes the denial in its review history."""
    initial = attrs.evolve(
        from_case(appeal),
        reviews=(Review(kind=ReviewType.INITIAL, requested_on=date(2026, 4, 10)),),
    )
    auth = apply_decision(initial, _denial())
    text = _text(render_html(appeal, "appeal-letter", authorization=auth))
    assert "Date of decision April 16, 2026" in text
    assert "“Does not meet medical necessity: outpatient therapy is sufficient.”" in text


def test_a_denial_recorded_without_its_decision_keeps_the_case_reason(appeal: Case) -> None:
    """from_case records the case's denial as a review with no Decision: the letter gives its
    date and reference and the case's stated reason."""
    text = _text(render_html(appeal, "appeal-letter", authorization=from_case(appeal)))
    assert appeal.request.denial is not None
    assert "Date of decision April 15, 2026" in text
    assert "Reference GV-UM-2026-041553" in text
    assert f"“{appeal.request.denial.stated_reason}”" in text


def test_appeal_without_a_reason_asks_for_one(appeal: Case) -> None:
    """A decision and a case that both give no reason: the letter asks for the specific one."""
    assert appeal.request.denial is not None
    denial = attrs.evolve(appeal.request.denial, stated_reason=None)
    case = attrs.evolve(appeal, request=attrs.evolve(appeal.request, denial=denial))
    text = _text(render_html(case, "appeal-letter", decision=_denial(reason_text=None)))
    assert "No specific reason was given." in text
    assert "We ask for the specific reason for this denial" in text


def test_without_records_the_letters_are_unchanged(concurrent: Case, appeal: Case) -> None:
    """No authorization or decision: no authorization section, the case's denial quoted; and
    an authorization changes no letter but the concurrent review."""
    review = _text(render_html(concurrent, "concurrent-review"))
    assert "Current authorization" not in review
    assert "Attended 15 of 16 scheduled program days" in review
    letter = _text(render_html(appeal, "appeal-letter"))
    assert appeal.request.denial is not None
    assert f"“{appeal.request.denial.stated_reason}”" in letter
    assert "Date of decision April 15, 2026" in letter
    auth = _current(concurrent)
    # the patient summary reads the authorization too (tests/test_rendering_summary.py)
    summary = _text(render_html(concurrent, "patient-summary", authorization=auth))
    assert "approved part of the care we asked for" in summary
    assert "approved part" not in _text(render_html(concurrent, "patient-summary"))


def _mismatches(case: Case) -> list[tuple[Authorization, str]]:
    auth = _current(case)
    return [
        (attrs.evolve(auth, case_id="another-case"), "authorization.case_id"),
        (attrs.evolve(auth, level_of_care=LevelOfCare.PHP), "authorization.level_of_care"),
        (attrs.evolve(auth, service_codes=("S9480",)), "authorization.service_codes"),
        (
            attrs.evolve(auth, authorization_number="OTHER-1"),
            "authorization.authorization_number",
        ),
    ]


def test_an_authorization_for_another_case_is_refused_by_name(concurrent: Case) -> None:
    """Another case, level, service or number: a RenderError naming the field, no values."""
    secrets = (concurrent.patient.name.full, concurrent.case_id, NUMBER, "another-case")
    for auth, field in _mismatches(concurrent):
        with pytest.raises(RenderError) as caught:
            render_html(concurrent, "concurrent-review", authorization=auth)
        message = str(caught.value)
        assert message.startswith(f"{field}: ")
        assert not any(s in message for s in secrets)


def test_every_entry_point_checks_the_records(concurrent: Case, appeal: Case) -> None:
    """render, render_documents, layout_documents and is_draft refuse the same mismatch."""
    wrong = attrs.evolve(_current(concurrent), case_id="another-case")
    calls = (
        lambda: render(concurrent, "concurrent-review", authorization=wrong),
        lambda: render_documents(concurrent, ["checklist"], authorization=wrong),
        lambda: layout_documents(concurrent, ["checklist"], authorization=wrong),
        lambda: is_draft(concurrent, "concurrent-review", authorization=wrong),
    )
    for call in calls:
        with pytest.raises(RenderError, match=r"^authorization\.case_id: "):
            call()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": DecisionStatus.APPROVED}, r"^decision\.status: an appeal answers a denial"),
        ({"decided_on": date(2026, 4, 18)}, r"^decision\.decided_on: must not be after"),
        ({"authorization_number": "OTHER-2"}, r"^decision\.authorization_number: "),
    ],
)
def test_a_decision_the_appeal_cannot_answer_is_refused(
    appeal: Case, changes: dict[str, Any], message: str
) -> None:
    """An approval, a decision after the appeal's date, or another number: RenderError."""
    with pytest.raises(RenderError, match=message):
        render_html(appeal, "appeal-letter", decision=_denial(**changes))


def test_fax_cover_reference_follows_the_decision(appeal: Case) -> None:
    """The packet's cover gives the payer reference the decision carries."""
    case = attrs.evolve(appeal, request=attrs.evolve(appeal.request, authorization_number=None))
    decision = _denial(authorization_number="GV-REF-9")
    cover = _text(render_html(case, "fax-cover", decision=decision))
    assert "payer reference GV-REF-9" in cover


_RAW = re.compile(r"\b[a-z]+_[a-z_]+\b")  # an enum value or field name such as per_diem


@given(auth=authorizations(), offset=st.integers(-10, 130))
@settings(max_examples=60, deadline=None)
def test_authorization_view_adds_up_and_speaks_plainly(auth: Authorization, offset: int) -> None:
    """For any authorization and date: used plus remaining equals what was authorized (when
    not overused), and no sentence carries a field name or enum value."""
    as_of = (auth.requested_start or date(2026, 1, 1)) + timedelta(days=offset)
    view = authorization_view(auth, as_of)
    sentences = [s for s in (view.grant, view.usage, view.attendance, view.decision) if s]
    for sentence in sentences:
        assert not _RAW.search(sentence), sentence
    if auth.authorized_units is None:
        assert view.usage is None
        return
    assert view.usage is not None
    found = re.search(r"(\d+) of the (\d+) .* and (\d+) remains?\.$", view.usage)
    assert found is not None
    used, granted, left = (int(g) for g in found.groups())
    assert granted == auth.authorized_units
    assert 0 <= left <= granted
    if used <= granted:
        assert used + left == granted


@given(decision=decisions(DecisionStatus.PARTIALLY_APPROVED) | decisions(DecisionStatus.DENIED))
@settings(max_examples=60, deadline=None)
def test_decision_view_quotes_without_enum_values(decision: Decision) -> None:
    """Any denial or partial approval is quoted in plain words; its codes as given."""
    case = load_case(APPEAL)
    view = decision_view(case, decision)
    assert view is not None
    assert view.partial == (decision.status is DecisionStatus.PARTIALLY_APPROVED)
    assert view.reason_codes == tuple(dict.fromkeys(decision.reason_codes))
    for line in (*view.items, view.approved or ""):
        assert not _RAW.search(line), line
    if decision.reason_text:
        assert view.reasons == (decision.reason_text,)


def test_an_extension_adding_to_the_grant_is_not_a_partial_approval(concurrent: Case) -> None:
    """A concurrent approval that extends the window adds its units: no "requested" figure
    and no partial wording, though the total exceeds the latest request."""
    auth = _current(concurrent, units=16, attended=0)
    auth = add_request(
        auth,
        kind=ReviewType.CONCURRENT,
        requested_on=date(2026, 5, 26),
        units=16,
        start=date(2026, 6, 1),
        end=date(2026, 6, 28),
    )
    extension = Decision(
        status=DecisionStatus.APPROVED,
        decided_on=date(2026, 5, 28),
        authorization_number=NUMBER,
        authorized_units=16,
        authorized_start=date(2026, 6, 1),
        authorized_end=date(2026, 6, 28),
    )
    auth = apply_decision(auth, extension)
    assert auth.authorized_units == 32
    view = authorization_view(auth, date(2026, 6, 1))
    assert view.requested is None
    assert not view.partial
    assert view.grant == (
        f"Under authorization {NUMBER}, the plan approved 32 program days, "
        "from May 4, 2026 to June 28, 2026."
    )
    assert view.decision == "Approved on May 28, 2026"


def test_letters_with_payer_records_pass_the_layout_check(concurrent: Case, appeal: Case) -> None:
    """The authorization table and the quoted decision lay out cleanly: no heading at a
    page's foot, no empty labelled field, no label broken across lines."""
    from .layoutcheck import problems

    review = layout_documents(concurrent, ["concurrent-review"], authorization=_current(concurrent))
    letter = layout_documents(appeal, ["appeal-letter"], decision=_denial())
    found = [p for laid in (review, letter) for n, d in laid.items() for p in problems(n, d)]
    assert found == []


def test_the_packet_carries_the_records_into_its_letter(concurrent: Case) -> None:
    """The packet's concurrent review states the authorization as the review alone does, and
    its cover gives the authorization number as the payer reference."""
    auth = _current(concurrent)
    text = _text(render_html(concurrent, "packet", authorization=auth))
    assert f"payer reference {NUMBER}" in text
    assert "11 of the 12 program days authorized have been used and 1 remains." in text

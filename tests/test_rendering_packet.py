"""The packet by request kind, assembled from laid-out parts; drafts; what archival PDFs embed."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pypdf
import pytest

from iopauth.caseformat.serialize import load_case
from iopauth.criteria.result import Outcome
from iopauth.errors import RenderError
from iopauth.model import Case, Denial, DocumentKind, DocumentOnHand, RequestKind
from iopauth.rendering import (
    RenderOptions,
    applicable_documents,
    is_draft,
    packet_parts,
    render,
    render_documents,
    render_html,
)
from iopauth.rendering.session import Session

from .casebuilder import build_case
from .test_rendering import DETERMINATION

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"
MILD = EXAMPLES / "commercial-mild-adjustment.json"  # does not meet iop-standard: 4 h a week


def _kind(case: Case, kind: RequestKind, **request: Any) -> Case:
    return attrs.evolve(case, request=attrs.evolve(case.request, kind=kind, **request))


def _pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def _denied(case: Case) -> Case:
    # decided before the request_date, as validation requires
    denial = Denial(decided_on=date(2026, 3, 18), unmet_criteria=("adm.impairment",))
    return _kind(case, RequestKind.APPEAL, denial=denial)


def test_packet_parts_follow_the_request_kind() -> None:
    """Initial: letter and enclosures; concurrent or extension: the review; appeal: the appeal
    letter, with the original request only when asked for. Never the checklist."""
    case = build_case()
    docs = (DocumentOnHand(kind=DocumentKind.TREATMENT_PLAN),)
    initial = attrs.evolve(case, request=attrs.evolve(case.request, documents=docs))
    assert packet_parts(initial) == ("request-letter", "enclosures")
    assert packet_parts(case) == ("request-letter",)  # nothing on hand, nothing to list
    assert packet_parts(_kind(case, RequestKind.CONCURRENT)) == ("concurrent-review",)
    assert packet_parts(_kind(case, RequestKind.EXTENSION)) == ("concurrent-review",)
    appeal = _denied(case)
    assert packet_parts(appeal) == ("appeal-letter",)
    with_original = RenderOptions(original_request=True)
    assert packet_parts(appeal, with_original) == ("appeal-letter", "original-request")
    # every kind of packet lists its enclosures when there are any (review 2 item 31)
    assert packet_parts(_kind(initial, RequestKind.CONCURRENT)) == (
        "concurrent-review",
        "enclosures",
    )
    appeal_docs = _denied(initial)
    assert packet_parts(appeal_docs) == ("appeal-letter", "enclosures")
    assert packet_parts(appeal_docs, with_original) == (
        "appeal-letter",
        "original-request",
        "enclosures",
    )


def test_initial_packet_is_cover_letter_and_enclosures_without_the_checklist() -> None:
    """An initial packet holds the cover, the request letter and the list of enclosures; its
    cover counts exactly the packet's pages; the staff checklist is not in it."""
    case = load_case(EXAMPLES / "medicare-stepdown-depression.json")
    pages = _pages(render(case, "packet"))
    assert f"{len(pages)}, including this cover" in pages[0]
    text = " ".join(pages)
    assert "letter of medical necessity" in text
    assert "Enclosures" in pages[-1]
    assert "Prior authorization checklist" not in text


def test_concurrent_and_appeal_packets_hold_their_letters() -> None:
    """A concurrent packet holds the continued-stay review; an appeal packet the appeal, and
    the original request only when asked for."""
    concurrent = render(
        load_case(EXAMPLES / "medicaid-alcohol-depression-concurrent.json"), "packet"
    )
    text = " ".join(_pages(concurrent))
    assert "Continued-stay review: request to extend" in text
    assert "letter of medical necessity" not in text
    appeal_case = load_case(EXAMPLES / "commercial-adolescent-appeal.json")
    alone = " ".join(_pages(render(appeal_case, "packet")))
    assert "ppeal of adverse determination" in alone
    assert "Copy of our original request" not in alone
    both = _pages(render(appeal_case, "packet", options=RenderOptions(original_request=True)))
    assert "Copy of our original request" in " ".join(both)
    assert f"{len(both)}, including this cover" in both[0]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_fax_cover_counts_the_packet_it_covers(example: Path) -> None:
    """For every example, the standalone cover states the page count of the packet."""
    case = load_case(example)
    rendered = render_documents(case, ["fax-cover", "packet"])
    packet_pages = len(_pages(rendered["packet"]))
    assert f"{packet_pages}, including this cover" in _pages(rendered["fax-cover"])[0]


def test_every_document_is_laid_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering a case's documents lays out each distinct document once, the packet's parts
    included (the packet reuses their pages), and the packet's page numbers once on their own
    pages; each PDF equals the one render() gives alone."""
    from iopauth.rendering import pdf

    case = load_case(EXAMPLES / "medicare-stepdown-depression.json")
    names = applicable_documents(case)
    laid_out: list[str] = []
    real = pdf.layout

    def counting(html: str, *args: Any, **kwargs: Any) -> Any:
        laid_out.append(html.split('<body class="', 1)[1].split('"', 1)[0])
        return real(html, *args, **kwargs)

    monkeypatch.setattr(pdf, "layout", counting)
    together = render_documents(case, names)
    alone = ["request-letter", "checklist", "fax-cover", "patient-summary", "enclosures"]
    assert sorted(laid_out) == sorted([*alone, "packet-numbers"])
    monkeypatch.setattr(pdf, "layout", real)
    for name in names:
        assert together[name] == render(case, name), name


def _packet_cases() -> list[tuple[Path, RenderOptions]]:
    """Every example with its default packet, and the appeal's with its original request."""
    cases = [(path, RenderOptions()) for path in sorted(EXAMPLES.glob("*.json"))]
    appeal = EXAMPLES / "commercial-adolescent-appeal.json"
    return [*cases, (appeal, RenderOptions(original_request=True))]


@pytest.mark.parametrize(
    ("example", "options"),
    _packet_cases(),
    ids=lambda v: v.stem if isinstance(v, Path) else ("original" if v.original_request else ""),
)
def test_each_packet_part_is_laid_out_once(
    example: Path, options: RenderOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint's layout (HTML.render) runs once per distinct document of the set, the
    packet's parts among them, and once for the packet's page numbers: never twice for a
    part, whatever the packet holds. Only a cover that runs past one page is laid out again,
    once it knows its own page count (the count it states changes)."""
    import weasyprint

    from iopauth.rendering import pdf

    case = load_case(example)
    names = applicable_documents(case)
    parts = packet_parts(case, options)
    calls: list[str] = []
    laid_out: list[str] = []
    real_render, real_layout = weasyprint.HTML.render, pdf.layout

    def counting_render(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("render")
        return real_render(self, *args, **kwargs)

    def counting_layout(html: str, *args: Any, **kwargs: Any) -> Any:
        document = real_layout(html, *args, **kwargs)
        name = html.split('<body class="', 1)[1].split('"', 1)[0]
        laid_out.append("original-request" if "Copy of our original request" in html else name)
        return document

    monkeypatch.setattr(weasyprint.HTML, "render", counting_render)
    monkeypatch.setattr(pdf, "layout", counting_layout)
    rendered = render_documents(case, names, options=options)
    cover_pages = len(_pages(rendered["fax-cover"]))
    expected = [n for n in names if n != "packet"]
    expected += [p for p in parts if p not in expected] + ["packet-numbers"]
    expected += ["fax-cover"] * (cover_pages - 1)
    assert sorted(laid_out) == sorted(expected)
    assert len(calls) == len(laid_out)  # nothing is laid out outside pdf.layout
    calls.clear()
    packet = render(case, "packet", options=options)  # the packet alone: parts, cover, numbers
    assert len(calls) == len(parts) + cover_pages + 1
    pages = _pages(packet)
    assert all(f"Packet page {i} of {len(pages)}" in p for i, p in enumerate(pages, start=1))


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_packet_pages_are_the_parts_pages_with_a_packet_number(example: Path) -> None:
    """Each page after the cover reads exactly as the part's own page, but for its packet
    number; the parts written after the packet are unchanged by it (the numbers are drawn on
    copies of their pages)."""
    case = load_case(example)
    options = RenderOptions()
    session = Session(case, None, options, ())
    packet = _pages(session.pdf("packet"))
    cover = _pages(session.pdf("fax-cover"))
    own = [page for part in packet_parts(case, options) for page in _pages(session.pdf(part))]
    assert packet[: len(cover)] == cover
    numbered = packet[len(cover) :]
    assert len(numbered) == len(own)
    for number, (page, alone) in enumerate(zip(numbered, own, strict=True), len(cover) + 1):
        mark = f"Packet page {number} of {len(packet)}"
        assert mark in page
        assert "Packet page" not in alone
        assert re.sub(" " + mark, "", page) == alone, number
    for part in packet_parts(case, options):
        assert session.pdf(part) == Session(case, None, options, ()).pdf(part), part


def test_a_cover_past_one_page_counts_and_numbers_every_page(tmp_path: Path) -> None:
    """A cover that runs to two pages (a user's cover template) counts both, and the parts'
    packet numbers start after it."""
    (tmp_path / "fax-cover.html.j2").write_text(
        '{% extends "partials/base.html.j2" %}{% block body %}'
        '{% include "partials/fax-cover-body.html.j2" %}'
        '<p style="break-before: page">Routing sheet for the mail room.</p>{% endblock %}',
        encoding="utf-8",
    )
    case = load_case(EXAMPLES / "medicare-stepdown-depression.json")
    pages = _pages(render(case, "packet", template_dirs=[tmp_path]))
    total = len(pages)
    assert f"{total}, including this cover" in pages[0]
    assert "Routing sheet" in pages[1]
    for number, page in enumerate(pages, start=1):
        assert f"Packet page {number} of {total}" in page, number
    assert "Page 1 of" in pages[2]  # the letter's first page is the packet's third


def _margin_box(page: Any, at_keyword: str) -> Any:
    return next(c for c in page._page_box.children if getattr(c, "at_keyword", None) == at_keyword)


def test_packet_number_is_drawn_on_a_copy_in_drawing_order() -> None:
    """with_margin_box adds the source page's box to a copy of the page, between the bottom
    left and bottom right boxes (WeasyPrint's drawing order, so extracted text reads as
    before), moved with the page's size; the page itself keeps its boxes."""
    from iopauth.rendering import pdf

    case = load_case(EXAMPLES / "medicare-stepdown-depression.json")
    session = Session(case, None, RenderOptions(), ())
    page = session.layout("request-letter").pages[1]
    numbers = session.packet_numbers().pages
    before = tuple(page._page_box.children)
    numbered = pdf.with_margin_box(page, numbers[2], "@bottom-center")
    assert tuple(page._page_box.children) == before
    keywords = [getattr(c, "at_keyword", None) for c in numbered._page_box.children]
    assert keywords == [None, "@top-right", "@bottom-left", "@bottom-center", "@bottom-right"]
    assert numbered._page_box.children[3] is _margin_box(numbers[2], "@bottom-center")
    assert pdf.with_margin_box(page, numbers[2], "@top-center") is page  # no such box
    a4 = Session(case, None, RenderOptions(paper="a4"), ()).packet_numbers().pages[2]
    moved = pdf.with_margin_box(page, a4, "@bottom-center")._page_box.children[3]
    source = _margin_box(a4, "@bottom-center")
    assert moved is not source  # a moved copy; the A4 page keeps its own box
    assert moved.position_x == pytest.approx(source.position_x + (page.width - a4.width) / 2)
    assert moved.position_y == pytest.approx(source.position_y + page.height - a4.height)


def test_documents_that_do_not_fit_are_refused() -> None:
    """A concurrent review for an initial request and a request letter for an appeal raise
    RenderError naming the rule; neither is offered for those cases."""
    case = build_case()
    with pytest.raises(RenderError, match=r"concurrent-review fits a concurrent"):
        render_html(case, "concurrent-review")
    appeal = _denied(case)
    with pytest.raises(RenderError, match="request-letter is not offered for an appeal"):
        render_html(appeal, "request-letter")
    assert "concurrent-review" not in applicable_documents(case)
    assert "request-letter" not in applicable_documents(appeal)
    assert "appeal-letter" in applicable_documents(appeal)


def test_a_letter_for_a_case_that_does_not_meet_is_a_marked_draft() -> None:
    """Every page says DRAFT; the first page lists what is unmet or undocumented and the
    criteria table marks the failing rows; final=True writes it clean, without the review."""
    case = load_case(MILD)
    assert is_draft(case, "request-letter")
    pages = _pages(render(case, "request-letter"))
    assert all("DRAFT" in page for page in pages)
    first = pages[0]
    assert "Draft, not for submission" in first
    assert "Program intensity: not met" in first
    assert "Outpatient care not enough: not documented" in first
    assert "A lower level would do: exclusion applies" in first
    assert "Program intensity Not met" in " ".join(pages)  # the draft shows the failing row
    final = RenderOptions(final=True)
    assert not is_draft(case, "request-letter", options=final)
    clean = " ".join(_pages(render(case, "request-letter", options=final)))
    assert "DRAFT" not in clean
    assert "Not met" not in clean
    assert "Program intensity" not in clean  # what counts against the request is not argued


def test_a_draft_letter_makes_its_packet_and_cover_drafts() -> None:
    """The packet and cover that hold a draft letter are marked; a meeting case's are not;
    the checklist is never a draft; the patient summary is one while its letter is (issue 22
    §6: it must not tell the patient a request is made)."""
    mild = load_case(MILD)
    for name in ("packet", "fax-cover", "patient-summary"):
        assert is_draft(mild, name)
        assert all("DRAFT" in page for page in _pages(render(mild, name)))
    assert not is_draft(mild, "patient-summary", options=RenderOptions(final=True))
    assert not is_draft(mild, "checklist")
    meets = load_case(EXAMPLES / "medicare-stepdown-depression.json")
    assert not is_draft(meets, "packet")
    assert "DRAFT" not in " ".join(_pages(render(meets, "packet")))


def test_a_meeting_determination_is_never_a_draft() -> None:
    """A determination that meets gives a clean letter; one that does not gives a draft."""
    case = build_case()
    meets = attrs.evolve(DETERMINATION, outcome=Outcome.MEETS)
    assert not is_draft(case, "request-letter", meets)
    assert is_draft(case, "request-letter", DETERMINATION)


def test_archival_cover_and_summary_embed_no_case() -> None:
    """Minimum necessary: a fax cover and a patient summary embed no case JSON (the caller's
    own attachments only); a clinical letter embeds the case facts it states, without the
    patient's contact details."""
    case = load_case(EXAMPLES / "commercial-adolescent-appeal.json")
    archival = RenderOptions(archival=True)
    for name in ("fax-cover", "patient-summary"):
        reader = pypdf.PdfReader(io.BytesIO(render(case, name, options=archival)))
        assert "case.json" not in reader.attachments, name
    reader = pypdf.PdfReader(io.BytesIO(render(case, "appeal-letter", options=archival)))
    embedded = json.loads(reader.attachments["case.json"][0])
    assert embedded["diagnoses"][0]["code"] == "F32.1"
    for field in ("address", "phone", "guardian"):
        assert field not in embedded["patient"], field
    assert load_case(embedded).patient.name == case.patient.name


def test_missing_template_folder_is_an_error(tmp_path: Path) -> None:
    """A template folder that does not exist raises RenderError naming it."""
    with pytest.raises(RenderError, match="no-such-templates"):
        render_html(build_case(), "patient-summary", template_dirs=[tmp_path / "no-such-templates"])


def test_tagged_archival_packet_keeps_its_title_tags_and_case() -> None:
    """A packet combined from laid-out parts is still titled, tagged and archival."""
    case = load_case(EXAMPLES / "medicare-stepdown-depression.json")
    pdf = render(case, "packet", options=RenderOptions(tagged=True, archival=True))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Prior authorization fax packet"
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert list(reader.attachments) == ["case.json"]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_packet_pages_are_numbered_across_the_packet(example: Path) -> None:
    """Every page of the packet says "Packet page i of N" in order, N its page count, while each
    letter keeps its own "Page j of M"."""
    case = load_case(example)
    pages = _pages(render(case, "packet"))
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Packet page {number} of {total}" in page, number
    assert any("Page 1 of" in page for page in pages[1:])
    alone = " ".join(_pages(render(case, "fax-cover")))
    assert f"Packet page 1 of {total}" in alone


def _with_documents(case: Case, *pages: int | None) -> Case:
    kinds = (DocumentKind.PROGRESS_NOTES, DocumentKind.ATTENDANCE_RECORD)
    documents = tuple(
        DocumentOnHand(kind=kind, dated=case.request.request_date, pages=n)
        for kind, n in zip(kinds, pages, strict=False)
    )
    return attrs.evolve(case, request=attrs.evolve(case.request, documents=documents))


def test_fax_cover_counts_the_enclosures_staff_add() -> None:
    """Known page counts are added to the packet's; an unknown one makes the cover say "plus
    the enclosures listed"; each enclosure is listed with its count."""
    case = load_case(EXAMPLES / "medicare-stepdown-depression.json")
    known = _with_documents(case, 3, 4)
    packet = len(_pages(render(known, "packet")))
    cover = _pages(render(known, "fax-cover"))[0]
    assert f"{packet + 7}, including this cover: {packet} in this packet and 7 of enclosures" in (
        cover
    )
    assert "(3 pages)" in cover
    assert "(4 pages)" in cover
    listed = _pages(render(known, "packet"))[-1]  # the list of enclosures, with a page column
    assert "No. Document Dated Pages" in listed
    assert "Recent progress notes June 5, 2026 3" in listed
    unknown = _with_documents(case, 3, None)
    cover = _pages(render(unknown, "fax-cover"))[0]
    assert "including this cover, plus the enclosures listed" in cover
    assert "in this packet and" not in cover

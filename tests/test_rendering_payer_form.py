"""The payer's filled form in the packet: in place of or beside the letter, counted on the
cover (RenderOptions(form=PayerForm(...)))."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest

from iopauth.caseformat.serialize import load_case
from iopauth.errors import RenderError
from iopauth.model import Case
from iopauth.rendering import (
    PayerForm,
    RenderOptions,
    is_draft,
    packet_parts,
    render,
    render_html,
)

from .formfiles import NOFR001, requires_nofr001

# the real TDI form these tests put into packets is absent from the source distribution
pytestmark = requires_nofr001

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "examples" / "forms" / "tdi-nofr001.toml"
STEPDOWN = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"
MILD = ROOT / "examples" / "cases" / "commercial-mild-adjustment.json"
TITLE = "Texas Standard Prior Authorization Request Form for Health Care Services"
LETTER_HEADING = "letter of medical necessity"


@pytest.fixture(scope="module")
def case() -> Case:
    """The Medicare step-down example: an initial request with documents on hand."""
    return load_case(STEPDOWN)


def _options(placement: str, *, flatten: bool = True) -> RenderOptions:
    form = PayerForm(pdf=NOFR001, mapping=MAPPING, placement=placement, flatten=flatten)
    return RenderOptions(final=True, form=form)


def _pages(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def _cover_count(cover: str) -> int:
    found = re.search(r"Pages (\d+), including this cover", cover)
    assert found is not None
    return int(found.group(1))


@pytest.fixture(scope="module")
def replaced(case: Case) -> list[str]:
    """The packet's pages with the filled form in place of the request letter."""
    return _pages(render(case, "packet", options=_options("replace")))


@pytest.fixture(scope="module")
def beside(case: Case) -> list[str]:
    """The packet's pages with the filled form right after the request letter."""
    return _pages(render(case, "packet", options=_options("beside")))


def test_form_in_place_of_the_letter(case: Case, replaced: list[str]) -> None:
    """Cover, the form's two filled pages, the enclosures; no request letter; the cover
    counts every page and lists the form by its title."""
    assert packet_parts(case, _options("replace")) == ("payer-form", "enclosures")
    cover, *rest = replaced
    assert _cover_count(cover) == len(replaced) == 4
    assert f"Enclosed {TITLE} List of enclosures" in cover
    assert rest[0].startswith(TITLE)  # the form's instructions page
    assert "Harold J Testperson" in rest[1]  # the filled values on the form's page
    assert "F33.2" in rest[1]
    assert "CSA-0047-1193" in rest[1]
    assert not any(LETTER_HEADING in page for page in rest)


def test_form_beside_the_letter(case: Case, beside: list[str]) -> None:
    """The letter first, then the filled form, then the enclosures; the count includes all."""
    parts = packet_parts(case, _options("beside"))
    assert parts == ("request-letter", "payer-form", "enclosures")
    cover = beside[0]
    assert _cover_count(cover) == len(beside)
    assert (
        "Enclosed Prior authorization request and letter of medical necessity "
        f"{TITLE} List of enclosures" in cover
    )
    letter = _pages(render(case, "request-letter", options=RenderOptions(final=True)))
    # the letter, whole, after the cover (its pages also numbered across the packet)
    unnumbered = [re.sub(r" ?Packet page \d+ of \d+", "", p) for p in beside]
    assert unnumbered[1 : 1 + len(letter)] == letter
    assert f"Packet page 2 of {len(beside)}" in beside[1]
    form = [i for i, page in enumerate(beside) if page.startswith(TITLE)]
    assert form == [1 + len(letter)]  # the form's first page follows the letter
    filled = beside[form[0] + 1]
    assert filled.startswith(TITLE.upper())
    assert "Harold J Testperson" in filled
    assert "F33.2" in filled
    assert form[0] + 2 == len(beside) - 1  # then the list of enclosures, last


def test_editable_form_keeps_its_fields_in_the_packet(case: Case) -> None:
    """Left editable, the form's fields come into the packet with their values."""
    pdf = render(case, "packet", options=_options("replace", flatten=False))
    fields = pypdf.PdfReader(io.BytesIO(pdf)).get_fields() or {}
    assert fields["Patient Name"].get("/V") == "Harold J Testperson"


def test_packet_html_leaves_the_form_out(case: Case) -> None:
    """The packet's HTML has no form (it is PDF pages) and, when replaced, no letter."""
    markup = render_html(case, "packet", options=_options("replace"))
    assert LETTER_HEADING not in markup.lower().split("</table>", 1)[1]
    assert TITLE in markup  # named on the cover


def test_a_form_in_place_of_a_draft_letter_keeps_the_packet_a_draft() -> None:
    """A case that does not meet its criteria: the packet stays a draft with the form."""
    mild = load_case(MILD)
    options = RenderOptions(form=PayerForm(pdf=NOFR001, mapping=MAPPING, placement="replace"))
    assert is_draft(mild, "packet", options=options)


def test_archival_or_tagged_packet_with_a_form_is_refused(case: Case) -> None:
    """PDF/A or tagged output cannot hold the payer's form: a RenderError naming the option."""
    form = PayerForm(pdf=NOFR001, mapping=MAPPING)
    for options in (
        RenderOptions(archival=True, form=form),
        RenderOptions(tagged=True, form=form),
    ):
        with pytest.raises(RenderError, match=r"^RenderOptions\.form: "):
            render(case, "packet", options=options)


def test_bad_placement_is_refused() -> None:
    """A placement other than replace or beside is a ValueError."""
    with pytest.raises(ValueError, match="sideways"):
        PayerForm(pdf=NOFR001, mapping=MAPPING, placement="sideways")


def test_render_command_puts_the_form_in_the_packet(tmp_path: Path) -> None:
    """``iopauth render -d packet --form FORM MAPPING --form-placement replace``."""
    from iopauth.cli import main

    target = tmp_path / "packet.pdf"
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "render", str(STEPDOWN), "-d", "packet", "--final", "-o", str(target),
        "--form", str(NOFR001), str(MAPPING), "--form-placement", "replace",
    ]  # fmt: skip
    assert main(argv, stdout=out, stderr=err) == 0, err.getvalue()
    pages = _pages(target.read_bytes())
    assert _cover_count(pages[0]) == len(pages) == 4
    assert "Harold J Testperson" in pages[2]


APPEAL = ROOT / "examples" / "cases" / "commercial-adolescent-appeal.json"


def test_the_texas_form_ticks_no_request_type_for_an_appeal() -> None:
    """The NOFR001 form says not to use it for appeals: filled for an appeal (by fill, which
    does not refuse), neither "Initial" nor "Extension/Renewal/Amendment" is ticked."""
    from iopauth.forms import fill, load_mapping

    mapping = load_mapping(MAPPING)
    assert mapping.request_kinds == ("initial", "concurrent", "extension")
    fields = pypdf.PdfReader(io.BytesIO(fill(load_case(APPEAL), NOFR001, mapping))).get_fields()
    assert fields is not None
    assert fields["Request Type - Initial"].get("/V") in (None, "/Off")
    assert fields["Request Type - Extension/Renewal/Amendment"].get("/V") in (None, "/Off")


def test_render_refuses_a_form_not_for_the_request_kind() -> None:
    """An appeal packet with the Texas form is refused before anything is laid out."""
    with pytest.raises(RenderError, match=r"for initial, concurrent or extension requests only"):
        render(load_case(APPEAL), "packet", options=_options("beside"))


def test_cli_render_form_for_an_appeal_exits_2(tmp_path: Path) -> None:
    """`iopauth render --form` for an appeal: exit 2, a message naming the form and the kind,
    and no file written."""
    from iopauth.cli.main import main

    out = tmp_path / "packet.pdf"
    err = io.StringIO()
    code = main(
        [
            "render",
            str(APPEAL),
            "-d",
            "packet",
            "--form",
            str(NOFR001),
            str(MAPPING),
            "-o",
            str(out),
        ],
        io.StringIO(),
        err,
    )
    assert code == 2
    message = err.getvalue()
    assert TITLE in message
    assert "this request's kind is appeal" in message
    assert not out.exists()

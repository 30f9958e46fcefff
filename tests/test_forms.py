"""Filling payer PDF forms from a case (iopauth.forms) on a real form and a test form."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

from iopauth import load_case
from iopauth.errors import FormError, FormMappingError, IopAuthError
from iopauth.forms import check, fill, form_fields, parse_mapping
from iopauth.model import Case, RequestKind, Urgency

from .formfiles import NOFR001, requires_nofr001
from .strategies import form_texts

ROOT = Path(__file__).parent.parent
FORMS = Path(__file__).parent / "forms"
NOFR001_MAPPING = ROOT / "examples" / "forms" / "tdi-nofr001.toml"
TEST_MAPPING = FORMS / "iop-request.toml"
STEPDOWN = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"


@pytest.fixture(scope="module")
def case() -> Case:
    """The Medicare step-down example case."""
    return load_case(STEPDOWN)


@pytest.fixture(scope="module")
def nofr001_flat(case: Case) -> bytes:
    """The NOFR001 form filled from the step-down case by the example mapping, flattened."""
    return fill(case, NOFR001, NOFR001_MAPPING, flatten=True)


@pytest.fixture(scope="module")
def test_form() -> bytes:
    """tests/forms/iop-request.pdf: iop-request.html made fillable by WeasyPrint."""
    return (FORMS / "iop-request.pdf").read_bytes()


def _reader(pdf: bytes) -> Any:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    """Every page's text, values of flattened fields included."""
    return "\n".join(page.extract_text() for page in _reader(pdf).pages)


def _appearances(pdf: bytes) -> dict[str, bytes]:
    """Each widget's normal appearance stream (the drawing a viewer shows), by field name."""
    from iopauth.forms._pdf import field_of, qualified_name

    found: dict[str, bytes] = {}
    for page in _reader(pdf).pages:
        for annotation in page.get("/Annots", ()):
            widget = annotation.get_object()
            normal = widget.get("/AP", {}).get("/N")
            if normal is not None and hasattr(normal.get_object(), "get_data"):
                name = qualified_name(field_of(widget))
                found[name] = found.get(name, b"") + normal.get_object().get_data()
    return found


def _states(pdf: bytes) -> dict[str, tuple[str, ...]]:
    """Each button widget's appearance state (/AS), by field name."""
    from iopauth.forms._pdf import field_of, qualified_name

    found: dict[str, tuple[str, ...]] = {}
    for page in _reader(pdf).pages:
        for annotation in page.get("/Annots", ()):
            widget = annotation.get_object()
            if "/AS" in widget:
                name = qualified_name(field_of(widget))
                found[name] = (*found.get(name, ()), str(widget["/AS"]))
    return found


# --- the real form: Texas NOFR001 -----------------------------------------------------------


@requires_nofr001
def test_nofr001_fixture_is_the_unaltered_tdi_form() -> None:
    """The kept form is byte-for-byte the file tests/forms/README.md describes (kept unaltered)."""
    import hashlib

    digest = hashlib.sha256(NOFR001.read_bytes()).hexdigest()
    assert digest == "c5dd439b0a695eac3acf0e85b7023445911e0b31af3ee61de30f4775e44ec748"
    assert _reader(NOFR001.read_bytes()).metadata.title == (
        "Texas Standard Prior Authorization Request Form for Health Care Services - NOFR001"
    )


@requires_nofr001
def test_nofr001_fields_are_listed_with_their_kinds() -> None:
    """The TDI form's 98 fields are read: text, check boxes and its two push buttons."""
    fields = form_fields(NOFR001)
    assert len(fields) == 98
    assert fields["Patient Name"].kind == "text"
    assert fields["Paitent Gender - Male"].kind == "checkbox"
    assert fields["Paitent Gender - Male"].options == ("On",)
    assert fields["Print"].kind == "button"
    assert not fields["Print"].fillable
    section_vi = "SECTION VI  CLINICAL DOCUMENTATION SEE INSTRUCTIONS PAGE SECTION VI"
    assert fields[section_vi].multiline


@requires_nofr001
def test_nofr001_flattened_shows_the_case_on_the_page(nofr001_flat: bytes) -> None:
    """Flattened, the filled NOFR001 carries the values as page text and has no fields left."""
    pdf = nofr001_flat
    text = _text(pdf)
    for value in (
        "Cascade Senior Advantage (fictional)",  # issuer
        "06/05/2026",  # submission date in the form's date format
        "Harold J Testperson",
        "09/14/1958",
        "CSA-0047-1193",
        "Dana Whitfield, RN",  # derived: contact with credentials
        "G0410",
        "06/09/2026",
        "07/06/2026",
        "F33.2",  # derived: primary diagnosis code
        "12",  # derived: units (per diem, 4 weeks of 3 days)
        "10.5 hours a week (IOP)",  # derived: hours per week, format .1f and a suffix
        "3 days a week",
        "Same",  # fixed text
    ):
        assert value in text, value
    assert "Discharged from a 12-day inpatient" in text  # the multi-line narrative
    reader = _reader(pdf)
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert all("/Annots" not in p or not p["/Annots"] for p in reader.pages)


@requires_nofr001
def test_nofr001_editable_has_values_appearances_and_checked_boxes(case: Case) -> None:
    """Left editable, each filled field has its value and an appearance stream drawing it."""
    pdf = fill(case, NOFR001, NOFR001_MAPPING)
    fields = _reader(pdf).get_fields()
    assert fields["Patient Name"]["/V"] == "Harold J Testperson"
    assert fields["Paitent Gender - Male"]["/V"] == "/On"
    assert fields["Paitent Gender - Female"]["/V"] == "/Off"
    assert fields["Request Type - Initial"]["/V"] == "/On"
    appearances = _appearances(pdf)
    assert b"(Harold J Testperson)" in appearances["Patient Name"]
    assert b"(F33.2)" in appearances["Planned Service or Procedure Diagnosis Code Row 1"]
    states = _states(pdf)
    assert states["Paitent Gender - Male"] == ("/On",)
    assert states["Review Type - Urgent"] == ("/Off",)
    # appearance streams are written, so viewers are not asked to redraw (nor to save)
    acro_form = _reader(pdf).trailer["/Root"]["/AcroForm"]
    assert acro_form.get("/NeedAppearances") in (None, False)


@requires_nofr001
def test_nofr001_check_reports_left_out_and_empty_fields(case: Case) -> None:
    """check() names the fields the example mapping leaves out and those empty for the case."""
    report = check(case, NOFR001, NOFR001_MAPPING)
    assert report.ok
    assert report.unknown == ()
    assert "Clinical Reason for Urgency" in report.unmapped
    assert "Print" not in report.unmapped  # push buttons are never filled
    assert report.empty == ("Previous Authorization Number",)  # an initial request has none


# --- every kind of field on the WeasyPrint test form ----------------------------------------


def test_every_field_kind_fills_and_shows(case: Case, test_form: bytes) -> None:
    """Text, split date, split phone, choice, radio, check box and multi-line text all fill."""
    pdf = fill(case, test_form, TEST_MAPPING)
    fields = _reader(pdf).get_fields()
    values = {name: fields[name].get("/V") for name in fields}
    assert values["member_last"] == "Testperson"
    assert (values["dob_mm"], values["dob_dd"], values["dob_yyyy"]) == ("09", "14", "1958")
    assert (values["phone_area"], values["phone_prefix"], values["phone_line"]) == (
        "555",
        "010",
        "2233",
    )
    assert values["sex"] == "M"  # choice: the enum value mapped to the form's option
    assert values["request_type"] == "/0"  # radio: "initial" is the group's first option
    assert values["expedited"] == "/Off"  # check box: standard urgency
    assert values["hours_week"] == "10.5"
    assert _states(pdf)["request_type"] == ("/0", "/Off")
    flat = _text(fill(case, test_form, TEST_MAPPING, flatten=True))
    for shown in ("Testperson", "Harold", "09", "1958", "2233", "CSA-0047-1193", "F33.2", "M"):
        assert shown in flat, shown
    assert "Program schedule and treatment" in flat


def test_radio_and_check_box_follow_the_case(case: Case, test_form: bytes) -> None:
    """A concurrent, expedited request picks the radio's second option and checks the box."""
    request = attrs.evolve(case.request, kind=RequestKind.CONCURRENT, urgency=Urgency.EXPEDITED)
    changed = attrs.evolve(case, request=request)
    pdf = fill(changed, test_form, TEST_MAPPING)
    states = _states(pdf)
    assert states["request_type"] == ("/Off", "/1")
    assert states["expedited"] == ("/on",)


def test_over_long_value_is_an_error_naming_the_field(case: Case, test_form: bytes) -> None:
    """A value longer than the field's /MaxLen is refused, naming the field, not the value."""
    long_name = attrs.evolve(case.patient.name, family="Featherstonehaugh-Worthington")
    changed = attrs.evolve(case, patient=attrs.evolve(case.patient, name=long_name))
    with pytest.raises(FormMappingError) as caught:
        fill(changed, test_form, TEST_MAPPING)
    assert caught.value.errors == (
        "fields[0].field: 'member_last' holds at most 20 characters; the value has 29 "
        "(it is never cut: shorten it in the case or the mapping)",
    )
    assert "Featherstonehaugh" not in str(caught.value)


def test_unknown_field_is_an_error_with_a_suggestion(case: Case, test_form: bytes) -> None:
    """An entry naming no field of the form is an error at its TOML path."""
    mapping = parse_mapping('[[fields]]\nfield = "member_lst"\npath = "patient.name.family"\n')
    with pytest.raises(FormMappingError) as caught:
        fill(case, test_form, mapping)
    assert caught.value.errors == (
        "fields[0]: the form has no field 'member_lst'; did you mean 'member_last'?",
    )
    report = check(case, test_form, mapping)
    assert report.unknown == (("fields[0]", "member_lst"),)
    assert not report.ok


def test_split_phone_with_the_wrong_digit_count_is_an_error(case: Case, test_form: bytes) -> None:
    """A phone number whose digits do not fill the boxes exactly is refused, not cut."""
    changed = attrs.evolve(case, patient=attrs.evolve(case.patient, phone="555-0102 ext 7"))
    with pytest.raises(FormMappingError) as caught:
        fill(changed, test_form, TEST_MAPPING)
    assert caught.value.errors == ("fields[3].digits: the value has 8 digits; the groups take 10",)


def test_value_not_among_the_options_is_an_error(case: Case, test_form: bytes) -> None:
    """A choice value the form does not offer names the field and its options."""
    mapping = parse_mapping('[[fields]]\nfield = "sex"\npath = "patient.sex"\n')
    with pytest.raises(FormMappingError) as caught:
        fill(case, test_form, mapping)
    assert caught.value.errors == (
        "fields[0].field: 'sex' takes one of , F, M, U; map the case's value to one with choices",
    )


def test_criterion_entry_uses_the_determination(case: Case, test_form: bytes) -> None:
    """A criterion entry checks its box by the finding: 10.5 planned hours meet Medicare's 9."""
    from iopauth import evaluate

    mapping = parse_mapping(
        '[[fields]]\nfield = "expedited"\ncriterion = "mcr.poc_9h"\nchecked_when = "met"\n'
    )
    determination = evaluate(case, criteria="medicare-iop")
    assert _states(fill(case, test_form, mapping, determination))["expedited"] == ("/on",)
    short = attrs.evolve(case.plan.schedule, days_per_week=2, hours_per_day=3.0)  # 6 hours
    # the services go too: 10.5 hours of them cannot fit 6 scheduled hours (evaluate refuses it)
    fewer = attrs.evolve(case, plan=attrs.evolve(case.plan, schedule=short, services=()))
    determination = evaluate(fewer, criteria="medicare-iop")
    assert _states(fill(fewer, test_form, mapping, determination))["expedited"] == ("/Off",)


def test_criterion_missing_from_the_set_is_an_error(case: Case, test_form: bytes) -> None:
    """A criterion the determination's set lacks is named with the set (default set here)."""
    mapping = parse_mapping('[[fields]]\nfield = "notes"\ncriterion = "no.such"\n')
    with pytest.raises(FormMappingError) as caught:
        fill(case, test_form, mapping)  # evaluated against the case's default set
    # the example is a Medicare Advantage case: its default set is medicare-iop
    assert caught.value.errors == (
        "fields[0].criterion: criteria set 'medicare-iop' has no criterion 'no.such' "
        "for this review",
    )


@requires_nofr001
def test_long_single_line_value_shrinks_to_its_box_not_cut(case: Case) -> None:
    """A value wider than its box at the form's 10 pt is drawn smaller, whole, not cut off."""
    mapping = parse_mapping(
        '[[fields]]\nfield = "Planned Service or Procedure Diagnosis Description Row 1"\n'
        'derived = "primary_diagnosis_description"\n'
        '[[fields]]\nfield = "Planned Service or Procedure Code Row 1"\n'
        'path = "request.service_code"\n'
    )
    pdf = fill(case, NOFR001, mapping)
    appearances = _appearances(pdf)
    long_one = appearances["Planned Service or Procedure Diagnosis Description Row 1"]
    assert b"(Major depressive disorder, recurrent, severe without psychotic features)" in long_one
    assert _font_size(long_one) < 10
    assert _font_size(appearances["Planned Service or Procedure Code Row 1"]) == 10


def _font_size(stream: bytes) -> float:
    words = stream.split()
    return float(words[words.index(b"Tf") - 1])


@requires_nofr001
def test_characters_the_font_cannot_draw_are_an_error(case: Case, test_form: bytes) -> None:
    """A name the form's (subset) font cannot draw is refused, naming the field, not garbled."""
    name = attrs.evolve(case.patient.name, family="Nguyễn-Łukasz")
    changed = attrs.evolve(case, patient=attrs.evolve(case.patient, name=name))
    with pytest.raises(FormMappingError) as caught:
        fill(changed, test_form, TEST_MAPPING)
    assert caught.value.errors == (
        "fields[0]: the form's font for 'member_last' cannot draw some characters of the value "
        "(it would come out garbled); leave the field out and write it by hand",
    )
    assert "Nguy" not in str(caught.value)
    # the real form embeds a whole TrueType font: pypdf re-encodes and the name is drawn
    text = _text(fill(changed, NOFR001, NOFR001_MAPPING, flatten=True))
    assert "Harold J Nguyễn-Łukasz" in text


@requires_nofr001
def test_nothing_reaches_the_logs_and_logging_is_restored(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    """pypdf's notes on the real form (some quote field text) never reach the caller's logs."""
    import logging

    pypdf_logger = logging.getLogger("pypdf")
    before = (pypdf_logger.level, pypdf_logger.propagate, list(pypdf_logger.handlers))
    with caplog.at_level(logging.DEBUG):
        fill(case, NOFR001, NOFR001_MAPPING, flatten=True)
        check(case, NOFR001, NOFR001_MAPPING)
    assert caplog.records == []
    assert (pypdf_logger.level, pypdf_logger.propagate, list(pypdf_logger.handlers)) == before


@requires_nofr001
def test_flattened_page_draws_only_objects_it_holds(nofr001_flat: bytes) -> None:
    """Every XObject the flattened page names exists: check boxes included, none dangling."""
    pdf = nofr001_flat
    page = _reader(pdf).pages[1]
    xobjects = page["/Resources"]["/XObject"]
    assert "/Fm_Paitent_Gender_-_Male" in xobjects
    for name in xobjects:
        assert xobjects[name].get_object() is not None, name
        assert xobjects[name].get_object().get("/Subtype") == "/Form", name
    assert len(pdf) < 1_300_000  # objects nothing refers to are not written (6.3 MB before)


# --- the PDF itself -------------------------------------------------------------------------


def test_not_a_pdf_and_a_pdf_without_fields_are_form_errors(case: Case) -> None:
    """Bytes that are no PDF, and a PDF with no form, raise FormError (an IopAuthError)."""
    with pytest.raises(FormError, match="not a PDF"):
        form_fields(b"hello")
    from pypdf import PdfWriter

    blank = PdfWriter()
    blank.add_blank_page(612, 792)
    buffer = io.BytesIO()
    blank.write(buffer)
    letter = buffer.getvalue()  # a PDF page with no form on it
    with pytest.raises(FormError, match="no fillable"):
        fill(case, letter, TEST_MAPPING)
    assert issubclass(FormMappingError, IopAuthError)
    assert issubclass(FormMappingError, ValueError)


def test_checked_when_on_a_text_field_is_an_error(case: Case, test_form: bytes) -> None:
    """checked_when belongs to check boxes; on a text field it is refused, not ignored."""
    mapping = parse_mapping(
        '[[fields]]\nfield = "units"\npath = "patient.sex"\nchecked_when = "male"\n'
    )
    with pytest.raises(FormMappingError) as caught:
        fill(case, test_form, mapping)
    assert caught.value.errors == (
        "fields[0].checked_when: 'units' is a text field, not a check box",
    )


@requires_nofr001
def test_push_button_in_a_mapping_is_an_error(case: Case) -> None:
    """A mapping entry aimed at the form's Print button says what the field is."""
    mapping = parse_mapping('[[fields]]\nfield = "Print"\ntext = true\n')
    with pytest.raises(FormMappingError) as caught:
        fill(case, NOFR001, mapping)
    assert caught.value.errors == ("fields[0]: 'Print' is a button, which is never filled",)


@settings(max_examples=8, deadline=None)
@given(value=form_texts(30))
def test_any_text_fills_exactly_or_is_refused_whole(value: str) -> None:
    """Text within the field's 20 characters shows on the page as given; longer is refused."""
    mapping = parse_mapping(f'[[fields]]\nfield = "member_last"\ntext = "{value}"\n')
    expected = " ".join(value.split())
    if len(expected) > 20:
        with pytest.raises(FormMappingError, match="'member_last' holds at most 20 characters"):
            fill(_STEPDOWN_CASE, FORMS / "iop-request.pdf", mapping)
        return
    pdf = fill(_STEPDOWN_CASE, FORMS / "iop-request.pdf", mapping, flatten=True)
    assert expected in _text(pdf).splitlines()


_STEPDOWN_CASE = load_case(STEPDOWN)


def test_form_bytes_over_the_cap_are_refused(case: Case, test_form: bytes) -> None:
    """``fill`` refuses form bytes over MAX_FORM_BYTES with a FormError saying so."""
    from iopauth.forms import MAX_FORM_BYTES

    too_big = test_form.ljust(MAX_FORM_BYTES + 1, b"\0")
    with pytest.raises(FormError, match=f"larger than {MAX_FORM_BYTES} bytes"):
        fill(case, too_big, TEST_MAPPING)

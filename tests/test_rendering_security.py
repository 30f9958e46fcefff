"""Documents under attack: hostile case text, hostile user templates, URL fetching."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings

from iopauth.criteria.result import Determination, Outcome, Review
from iopauth.errors import RenderError
from iopauth.model import Case, RequestKind
from iopauth.rendering import RenderOptions, documents, render, render_html

from .casebuilder import build_case
from .strategies import HOSTILE_SNIPPETS, hostile_case, with_text

DETERMINATION = Determination(
    criteria_set="test-set",
    criteria_version="1",
    review=Review.INITIAL,
    as_of=build_case().request.request_date,
    outcome=Outcome.MEETS,
    findings=(),
)
PAYLOAD = '<b>B</b> {{ 7*7 }} <img src="file:///etc/passwd"> <style>body{display:none}</style>'


def _hostile(case: Case) -> Case:
    return with_text(case, lambda _name: PAYLOAD)  # type: ignore[no-any-return]


def _appeal(case: Case) -> Case:
    from iopauth.model import Denial

    denial = Denial(decided_on=case.request.request_date, stated_reason=PAYLOAD)
    return attrs.evolve(
        case, request=attrs.evolve(case.request, kind=RequestKind.APPEAL, denial=denial)
    )


@pytest.mark.parametrize("document", documents())
def test_hostile_text_is_escaped_in_html(document: str) -> None:
    """Markup, CSS, template syntax and file URLs in every text field print as text."""
    case = _hostile(_appeal(build_case()))
    if document == "request-letter":  # a request letter is not offered for an appeal
        case = attrs.evolve(case, request=attrs.evolve(case.request, kind=RequestKind.INITIAL))
    if document == "concurrent-review":
        case = attrs.evolve(case, request=attrs.evolve(case.request, kind=RequestKind.CONCURRENT))
    html = render_html(case, document, DETERMINATION)
    assert '<img src="file:' not in html
    assert "<b>B</b>" not in html
    assert "body{display:none}</style>" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "{{ 7*7 }}" in html  # printed as given, never evaluated


def test_hostile_text_prints_literally_in_the_pdf() -> None:
    """The PDF shows the hostile text as characters, and no file was read for it."""
    pdf = render(_hostile(build_case()), "request-letter", DETERMINATION)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert '<img src="file:///etc/passwd">' in text
    assert "{{ 7*7 }}" in text
    assert "<b>B</b>" in text
    assert b"root:" not in pdf


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=hostile_case(build_case()))
def test_any_hostile_text_is_escaped(case: Case) -> None:
    """For generated hostile text in every field, no snippet reaches the HTML unescaped."""
    html = render_html(case, "request-letter", DETERMINATION)
    body = html.split("<body", 1)[1]
    for snippet in HOSTILE_SNIPPETS:
        if "<" in snippet:
            assert snippet not in body


def _template_dir(tmp_path: Path, name: str, source: str) -> Path:
    folder = tmp_path / "templates"
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "source",
    [
        "{{ case.__class__ }}",
        "{{ case.__class__.__mro__[1].__subclasses__() }}",
        "{{ render_template.__globals__ }}",
        "{{ patient.age_on.__globals__['os'] }}",
        "{{ os.system('true') }}",
        "{{ open('/etc/passwd').read() }}",
        "{% if case.__class__ is defined %}x{% endif %}",
        "{{ ''.__class__.__base__.__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_user_template_escape_attempts_fail(tmp_path: Path, source: str) -> None:
    """Reaching for __class__, __globals__, os or open raises RenderError without case data."""
    folder = _template_dir(tmp_path, "request-letter.html.j2", source)
    with pytest.raises(RenderError) as info:
        render_html(build_case(), "request-letter", DETERMINATION, template_dirs=[folder])
    message = str(info.value)
    assert "request-letter.html.j2" in message
    assert "Test" not in message  # the patient's name
    assert info.value.__cause__ is None


def test_user_template_error_messages_do_not_quote_case_data(tmp_path: Path) -> None:
    """A failing lookup keyed by patient data reports the template and line, not the data."""
    source = "line one\n{{ {}[patient.name.family] }}"
    folder = _template_dir(tmp_path, "checklist.html.j2", source)
    with pytest.raises(RenderError) as info:
        render_html(build_case(), "checklist", DETERMINATION, template_dirs=[folder])
    assert "Patient" not in str(info.value)
    assert "line 2" in str(info.value)


def test_user_template_syntax_error_names_the_template(tmp_path: Path) -> None:
    """A template that does not parse raises RenderError naming the file and line."""
    folder = _template_dir(tmp_path, "fax-cover.html.j2", "ok\n{% if %}")
    with pytest.raises(RenderError, match=r"fax-cover\.html\.j2:2"):
        render_html(build_case(), "fax-cover", DETERMINATION, template_dirs=[folder])


def test_user_template_overrides_ours_by_name(tmp_path: Path) -> None:
    """A file named like a shipped template replaces it; others still come from the package."""
    folder = _template_dir(
        tmp_path,
        "partials/letterhead.html.j2",
        "<header>Custom head for {{ program.name }}</header>",
    )
    html = render_html(build_case(), "request-letter", DETERMINATION, template_dirs=[folder])
    assert "Custom head for Test IOP" in html
    assert "letter of medical necessity" in html
    text = render(build_case(), "request-letter", DETERMINATION, template_dirs=[folder])
    assert text.startswith(b"%PDF-")


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared by the server's handler instances

    def do_GET(self) -> None:
        """Record the request and answer with a tiny image."""
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    """A local HTTP server that records every request it gets."""
    _Recorder.hits = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "reference",
    [
        '<img src="{url}/logo.png">',
        '<link rel="stylesheet" href="{url}/style.css">',
        "<style>body {{ background: url({url}/bg.png) }}</style>",
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        "<style>@import url(file:///etc/hostname);</style>",
        '<img src="ftp://127.0.0.1/x.png">',
    ],
)
def test_template_urls_are_refused(tmp_path: Path, server: str, reference: str) -> None:
    """A template reaching for a file: or network URL gets nothing and sends no request."""
    source = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        + reference.format(url=server)
        + "<p>text</p></body></html>"
    )
    folder = _template_dir(tmp_path, "patient-summary.html.j2", source)
    with pytest.raises(RenderError, match="refused"):
        render(build_case(), "patient-summary", template_dirs=[folder])
    assert _Recorder.hits == []


def test_named_asset_file_is_served(tmp_path: Path) -> None:
    """A file the caller lists in options.assets may be used by a user template."""
    image = tmp_path / "stamp.svg"
    image.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    source = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        f'<img src="{image.as_uri()}" alt="stamp"><p>text</p></body></html>'
    )
    folder = _template_dir(tmp_path, "patient-summary.html.j2", source)
    options = RenderOptions(assets=[image])
    pdf = render(build_case(), "patient-summary", options=options, template_dirs=[folder])
    assert pdf.startswith(b"%PDF-")
    with pytest.raises(RenderError, match="refused"):
        render(build_case(), "patient-summary", template_dirs=[folder])

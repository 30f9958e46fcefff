"""The template sandbox: what a template may reach, how much it may build, and no clock."""

from __future__ import annotations

import enum
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from markupsafe import Markup

from iopauth.caseformat.serialize import load_case
from iopauth.criteria import default_criteria, default_review, evaluate
from iopauth.errors import RenderError
from iopauth.rendering import Letterhead, RenderOptions, documents, render_html
from iopauth.rendering.context import build_context
from iopauth.rendering.environment import environment, render_template
from iopauth.rendering.sandbox import MAX_OUTPUT, allowed_attributes

from .casebuilder import build_case
from .strategies import hostile_templates

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.json"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
PLAIN = (str, Markup, int, float, bool, type(None), date, tuple, list, dict)


def _template(tmp_path: Path, source: str, name: str = "patient-summary.html.j2") -> Path:
    folder = tmp_path / "templates"
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")
    return folder


def _render(tmp_path: Path, source: str, options: RenderOptions | None = None) -> str:
    folder = _template(tmp_path, source)
    return render_html(build_case(), "patient-summary", options=options, template_dirs=[folder])


def _is_plain_data(value: object) -> bool:
    """Plain data, or iopauth's own frozen attrs records and enums (checked without the
    sandbox's list, so the test fails on code that has none)."""
    cls = type(value)
    if cls in PLAIN:
        return True
    ours = cls.__module__.startswith("iopauth.")
    frozen_record = attrs.has(cls) and cls.__setattr__ is not object.__setattr__
    return ours and (frozen_record or isinstance(value, enum.Enum))


def _walk(value: object, path: str, seen: set[int], bad: list[str]) -> None:
    if id(value) in seen:
        return
    seen.add(id(value))
    if not _is_plain_data(value) or allowed_attributes(type(value)) is None:
        bad.append(f"{path}: {type(value).__module__}.{type(value).__qualname__}")
        return
    if isinstance(value, tuple | list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", seen, bad)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(key, f"{path} key", seen, bad)
            _walk(item, f"{path}[{key!r}]", seen, bad)
    elif attrs.has(type(value)):
        names = allowed_attributes(type(value)) or frozenset()
        for name in sorted(names):
            item = getattr(value, name)
            if not callable(item):  # fields and properties; methods are our own, pure
                _walk(item, f"{path}.{name}", seen, bad)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_context_holds_only_allowed_plain_data(example: Path, tmp_path: Path) -> None:
    """Every value reachable in every document's context is plain data the sandbox allows."""
    case = load_case(example)
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    options = RenderOptions(
        letterhead=Letterhead(name="Lakeside", address_lines=["1 Road"], logo=logo),
        assets=[logo],
    )
    determination = evaluate(case, criteria=default_criteria(case), review=default_review(case))
    bad: list[str] = []
    for document in documents():
        context = build_context(case, document, determination, options, {"total_pages": 3})
        _walk(context, document, set(), bad)
    assert bad == []


def test_logo_reaches_templates_as_a_data_url(tmp_path: Path) -> None:
    """The letterhead's logo is a data: URL string in the context, never a path."""
    logo = tmp_path / "logo.svg"
    logo.write_bytes(SVG)
    options = RenderOptions(letterhead=Letterhead(name="Lakeside", logo=logo))
    source = "{{ letterhead.logo[:26] }}|{{ logo_url == letterhead.logo }}"
    html = _render(tmp_path, source, options)
    assert html == "data:image/svg+xml;base64,|True"


def test_the_probes_logo_escape_is_refused(tmp_path: Path) -> None:
    """The template that read /etc/passwd through the logo's Path raises RenderError."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    options = RenderOptions(letterhead=Letterhead(name="Lakeside", logo=logo))
    source = (
        "{{ letterhead.logo.resolve().parents[-1].joinpath('etc/passwd').read_text() }}"
        "{{ letterhead.logo.parent.iterdir()|list }}"
    )
    with pytest.raises(RenderError, match="patient-summary"):
        _render(tmp_path, source, options)


@pytest.mark.parametrize(
    "source",
    [
        "{{ thing.name }}",
        "{{ thing.read_text() }}",
        "{{ thing['x'] }}",
        "{{ 'x'.ljust(20) }}",
        "{{ '{:>20}'.format(1) }}",
        "{{ (1).to_bytes(8, 'big') }}",
    ],
)
def test_attributes_outside_the_allow_list_are_refused(tmp_path: Path, source: str) -> None:
    """An object of a type not on the list is refused even if it slips into the context."""
    folder = _template(tmp_path, source, "probe.html.j2")
    env = environment((str(folder),))
    with pytest.raises(RenderError, match=r"probe\.html\.j2"):
        render_template(env, "probe.html.j2", {"thing": tmp_path})


def test_allowed_reads_still_work(tmp_path: Path) -> None:
    """Fields, properties, str and date methods on the list, loops and namespaces still work."""
    source = (
        "{{ patient.name.full|upper }}|{{ request.request_date.isoformat() }}|"
        "{{ plan.level.value }}|{{ case.age }}|{% set ns = namespace(n=0) %}"
        "{% for d in diagnoses %}{% set ns.n = ns.n + 1 %}{{ loop.index }}{% endfor %}|{{ ns.n }}"
        "|{{ ('a' ~ 'b') * 2 }}|{{ 'a-b'.split('-')|join('+') }}"
    )
    html = _render(tmp_path, source.replace("diagnoses", "case.diagnoses"))
    assert html == "TEST PATIENT|2026-03-20|iop|40|12|2|abab|a+b"


@pytest.mark.parametrize(
    "source",
    [
        "{{ date.today() }}",
        "{{ request.request_date.today() }}",
        "{{ patient.birth_date.fromtimestamp(0) }}",
        "{{ [1, 2, 3]|random }}",
        "{{ lipsum(1) }}",
    ],
)
def test_templates_cannot_read_the_clock_or_chance(tmp_path: Path, source: str) -> None:
    """Nothing reachable reads today's date or a random source."""
    with pytest.raises(RenderError):
        _render(tmp_path, source)


def test_symlinked_template_leaving_its_folder_is_refused(tmp_path: Path) -> None:
    """A template that is a link to a file outside the named folder is not read."""
    outside = tmp_path / "secret.txt"
    outside.write_text("not a template", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "patient-summary.html.j2").symlink_to(outside)
    with pytest.raises(RenderError, match="link out of its folder"):
        render_html(build_case(), "patient-summary", template_dirs=[folder])


def test_a_template_is_checked_before_it_is_read_and_read_bounded(tmp_path: Path) -> None:
    """A link out of the folder to a 1.2 GB file is refused unread; a 2 MiB template in the
    folder is refused at the cap (MAX_TEMPLATE_BYTES), not loaded whole."""
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(1_200_000_000)  # sparse
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "patient-summary.html.j2").symlink_to(huge)
    with pytest.raises(RenderError, match="link out of its folder"):
        render_html(build_case(), "patient-summary", template_dirs=[folder])
    (folder / "patient-summary.html.j2").unlink()
    (folder / "patient-summary.html.j2").write_text("x" * (2 * 1024 * 1024), encoding="utf-8")
    with pytest.raises(RenderError, match="is larger than 1048576 bytes"):
        render_html(build_case(), "patient-summary", template_dirs=[folder])


def test_symlinked_template_inside_its_folder_is_read(tmp_path: Path) -> None:
    """A link to another file of the same folder is fine."""
    folder = _template(tmp_path, "inside", "real.html.j2")
    (folder / "patient-summary.html.j2").symlink_to(folder / "real.html.j2")
    assert render_html(build_case(), "patient-summary", template_dirs=[folder]) == "inside"


def test_symlinked_logo_is_refused(tmp_path: Path) -> None:
    """A logo path that is a symbolic link is not followed."""
    real = tmp_path / "real.png"
    real.write_bytes(PNG)
    link = tmp_path / "logo.png"
    link.symlink_to(real)
    options = RenderOptions(letterhead=Letterhead(name="X", logo=link))
    with pytest.raises(RenderError, match="symbolic link"):
        render_html(build_case(), "patient-summary", options=options)


@pytest.mark.parametrize(
    ("name", "data"),
    [("logo.png", SVG), ("logo.svg", PNG), ("logo.jpg", b"GIF89a..."), ("logo.gif", b"text")],
)
def test_logo_bytes_must_match_its_suffix(tmp_path: Path, name: str, data: bytes) -> None:
    """A logo whose first bytes are not the image type its suffix claims is refused."""
    logo = tmp_path / name
    logo.write_bytes(data)
    options = RenderOptions(letterhead=Letterhead(name="X", logo=logo))
    with pytest.raises(RenderError, match="not the image/"):
        render_html(build_case(), "patient-summary", options=options)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_logo_must_be_a_regular_file(tmp_path: Path) -> None:
    """A FIFO named as the logo is refused without blocking."""
    fifo = tmp_path / "logo.png"
    os.mkfifo(fifo)
    options = RenderOptions(letterhead=Letterhead(name="X", logo=fifo))
    with pytest.raises(RenderError, match="regular file"):
        render_html(build_case(), "patient-summary", options=options)


def _refused(tmp_path: Path, source: str, rule: str) -> None:
    with pytest.raises(RenderError, match=rule) as info:
        _render(tmp_path, source)
    assert info.value.__cause__ is None


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("{{ 'A' * 2000000 }}", "repeats a value"),
        ("{{ ['A'] * 2000000 }}", "repeats a value"),
        ("{{ (7 ** 200000) > 1 }}", "larger than 4096 bits"),
        ("{{ (3 ** 3000 * 3 ** 3000) > 1 }}", "larger than 4096 bits"),
        ("{{ 'A'|center(2000000) }}", "a width"),
        ("{{ '%2000000d' % 1 }}", "width or precision"),
        ("{{ '%2000000d'|format(1) }}", "width or precision"),
        ("{{ range(200000)|length }}", "range of more than"),
        ("{{ range(10000)|join('A' * 1000) }}", "joins a value"),
        ("{{ ('A' * 1000)|replace('', 'B' * 1000) }}", "replaces a value"),
        (
            "{% set ns = namespace(s='AB') %}{% for i in range(21) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "builds a value longer",
        ),
        (
            "{% set ns = namespace(s='AB') %}{% for i in range(21) %}"
            "{% set ns.s = ns.s + ns.s %}{% endfor %}",
            "builds a value longer",
        ),
        (
            "{% for i in range(3000) %}{% for j in range(3000) %}{% endfor %}{% endfor %}",
            "loops more than",
        ),
        ("{% for i in range(10000) %}{{ 'A' * 999999 }}{% endfor %}", "builds more than"),
        ("{% for i in range(10000) %}" + "B" * 1100 + "{% endfor %}", "writes more than"),
        (
            "{% macro m() %}{% for i in range(10000) %}" + "B" * 1100 + "{% endfor %}"
            "{% endmacro %}{% set x = m() %}",
            "writes more than",
        ),
        (
            "{% set big = 'a' * 999999 %}{% set ns = namespace(kept=[]) %}"
            "{% for i in range(100) %}{% set ns.kept = ns.kept + [big|upper] %}{% endfor %}",
            "builds more than",
        ),
        (
            "{% set big = 'a' * 999999 %}{% set ns = namespace(kept=[]) %}"
            "{% for i in range(100) %}{% set ns.kept = ns.kept + [big.upper()] %}{% endfor %}",
            "builds more than",
        ),
        (
            "{% for x in range(10000) recursive %}{% if loop.depth < 4 %}"
            "{{ loop(range(10000)) }}{% endif %}{% endfor %}",
            "loops more than",
        ),
    ],
)
def test_templates_cannot_build_without_bound(tmp_path: Path, source: str, rule: str) -> None:
    """Repetition, big numbers, padding, ranges, joins, doubling and loops stop at a limit."""
    _refused(tmp_path, source, rule)


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recurses too deeply"),
        ("{% include 'patient-summary.html.j2' %}", "recurses too deeply"),
        ("{{ 2.0 ** 100000 }}", "OverflowError"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ],
)
def test_runaway_templates_are_render_errors(tmp_path: Path, source: str, rule: str) -> None:
    """Recursion, float overflow and division by zero are RenderError, not tracebacks."""
    _refused(tmp_path, source, rule)


def test_memory_error_while_rendering_is_a_render_error(tmp_path: Path) -> None:
    """Running out of memory inside a template becomes RenderError."""

    def exhausted() -> Any:
        raise MemoryError

    folder = _template(tmp_path, "{{ grow() }}", "probe.html.j2")
    env = environment((str(folder),))
    with pytest.raises(RenderError, match=r"MemoryError"):
        render_template(env, "probe.html.j2", {"grow": exhausted})


def test_constants_are_not_folded_at_compile_time(tmp_path: Path) -> None:
    """A constant expression past a limit fails when rendered, not while compiling."""
    folder = _template(tmp_path, "{% if false %}{{ 'A' * 4000000000 }}{% endif %}ok")
    assert render_html(build_case(), "patient-summary", template_dirs=[folder]) == "ok"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=hostile_templates())
def test_any_hostile_template_renders_or_is_a_render_error(source: str) -> None:
    """Combinations of growing operators, filters and loops end in output or RenderError."""
    folder = Path(tempfile.mkdtemp())
    html: str | None = None
    error: RenderError | None = None
    try:
        (folder / "probe.html.j2").write_text(source, encoding="utf-8")
        env = environment((str(folder),))
        context = build_context(build_case(), "patient-summary", None, RenderOptions())
        try:
            html = render_template(env, "probe.html.j2", context)
        except RenderError as exc:  # any other exception fails the test
            error = exc
    finally:
        shutil.rmtree(folder)
    if error is not None:
        assert error.__cause__ is None
    else:
        assert html is not None
        assert len(html) <= MAX_OUTPUT

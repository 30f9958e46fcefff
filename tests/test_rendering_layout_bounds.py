"""Layout bounds: tiny user templates inside every Jinja limit cannot exhaust the machine."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from iopauth.errors import RenderError
from iopauth.rendering import render
from iopauth.rendering.layout_bounds import (
    MAX_COLSPAN,
    MAX_ELEMENTS,
    MAX_PAGE_BREAKS,
    MAX_REPEAT,
    MAX_VAR_EXPANSION,
    check_layout_input,
)

from .casebuilder import build_case

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.json"))


def _refused(html: str, rule: str, css: str = "") -> None:
    with pytest.raises(RenderError, match=rule):
        check_layout_input(html, css)


def test_the_shipped_documents_are_well_inside_the_bounds() -> None:
    """Every example case's documents pass the checks (they use a few hundred elements)."""
    from iopauth import load_case
    from iopauth.rendering.render import applicable_documents, render_html

    for path in EXAMPLES:
        case = load_case(path)
        for document in applicable_documents(case):
            if document != "packet":
                check_layout_input(render_html(case, document))


@pytest.mark.parametrize(
    ("html", "rule"),
    [
        ("<div></div>" * (MAX_ELEMENTS + 1), f"more than {MAX_ELEMENTS} elements"),
        ('<table><tr><td colspan="1000000">x</td></tr></table>', f"colspan over {MAX_COLSPAN}"),
        ('<table><tr><td colspan=" +0001000000">x</td></tr></table>', "colspan over"),
        ('<table><tr><td rowspan="65534">x</td></tr></table>', "rowspan over"),
        ('<td colspan="99999999999999999999">', "colspan over"),
        (
            '<p style="break-after: page">x</p>' * (MAX_PAGE_BREAKS + 1),
            f"more than {MAX_PAGE_BREAKS} page breaks",
        ),
        (
            "<style>" + "p.a{page-break-before:always}" * (MAX_PAGE_BREAKS + 1) + "</style>",
            "page breaks",
        ),
        (
            '<div style="display:grid;grid-template-columns:repeat(100000, 1px)">x</div>',
            f"more than {MAX_REPEAT} tracks",
        ),
        ("<style>" + "a{color:red}" * 50_000 + "</style>", "characters of CSS"),
    ],
)
def test_work_past_a_bound_is_refused_before_layout(html: str, rule: str) -> None:
    """Elements, spans, page breaks, grid repeats and CSS size are bounded up front."""
    _refused(html, rule)


def test_a_custom_property_bomb_is_refused() -> None:
    """--p20 = 2^20 copies of 'xx' through twenty var() levels: refused, not expanded."""
    levels = ["--p0: xxxxxxxxxx;"] + [
        f"--p{i}: var(--p{i - 1}) var(--p{i - 1});" for i in range(1, 21)
    ]
    css = ":root{" + "".join(levels) + "} p{width: var(--p20)}"
    _refused("<p>x</p>", f"expands past {MAX_VAR_EXPANSION} characters", css)
    _refused(f"<style>{css}</style><p>x</p>", "expands past")
    _refused("<style>:root{--a: var(--b); --b: var(--a)}</style>", "refers to itself")
    check_layout_input("<style>:root{--a: 1px; --b: var(--a) var(--a)}</style><p>x</p>")


@pytest.mark.parametrize(
    "template",
    [
        '{% for i in range(300) %}<p style="break-before: page">{{ i }}</p>{% endfor %}',
        '<table><tr><td colspan="1000000">x</td></tr></table>',
        '<div style="grid-template-columns: repeat(100000, 1fr)">x</div>',
    ],
)
def test_a_user_template_past_a_bound_is_a_render_error(tmp_path: Path, template: str) -> None:
    """Through render(): the template renders, the layout is refused before it starts."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "patient-summary.html.j2").write_text(template, encoding="utf-8")
    with pytest.raises(RenderError):
        render(build_case(), "patient-summary", template_dirs=[folder])


PROBE = textwrap.dedent(
    """
    import resource, sys, time
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (240, 240))
    from iopauth.errors import RenderError
    from iopauth.rendering import render
    sys.path.insert(0, sys.argv[2])
    from tests.casebuilder import build_case
    folder = Path(sys.argv[1])
    began = time.process_time()
    try:
        render(build_case(), "patient-summary", template_dirs=[folder])
    except RenderError as exc:
        print("refused:", exc)
    print("cpu:", round(time.process_time() - began, 1))
    """
)


def test_layout_stops_at_the_page_cap_not_after_all_pages(tmp_path: Path) -> None:
    """One CSS rule breaking after each of 10,000 paragraphs passes the up-front checks;
    layout stops at page 101 instead of laying out 10,000 pages (150 s, 866 MB before)."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "patient-summary.html.j2").write_text(
        "<style>p { break-after: page }</style>"
        "{% for i in range(10000) %}<p>{{ i }}</p>{% endfor %}",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(folder), str(root)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "refused: the document has more than 100 pages"
    # the CPU limit (240 s) is the bound; the page cap makes it a fraction of that
    assert float(lines[1].split()[1]) < 240

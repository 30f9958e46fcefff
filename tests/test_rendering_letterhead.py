"""The letterhead logo: an SVG is parsed and refused past its budgets before rendering."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from iopauth.errors import RenderError
from iopauth.rendering import RenderOptions, render_html
from iopauth.rendering.letterhead import MAX_SVG_DRAWN, MAX_SVG_ELEMENTS, check_svg
from iopauth.rendering.options import Letterhead

from .casebuilder import build_case

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def _use_bomb(per_level: int = 10, levels: int = 11, attribute: str = "href") -> bytes:
    """The issue's probe: ten <use> per level, eleven levels (10^11 shapes drawn)."""
    parts = [f'<svg {NS} width="10" height="10"><defs><g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use {attribute}="#l{level - 1}"/>' for _ in range(per_level))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use {attribute}="#l{levels}"/></svg>')
    return "".join(parts).encode()


@pytest.mark.parametrize("attribute", ["href", "xlink:href"])
def test_nested_use_past_the_drawing_budget_is_refused(attribute: str) -> None:
    """2 KB of nested <use> is refused by counting, not by drawing."""
    bomb = _use_bomb(attribute=attribute)
    assert len(bomb) < 4096
    with pytest.raises(RenderError, match=f"draws more than {MAX_SVG_DRAWN} elements"):
        check_svg(bomb)


def test_a_logo_with_a_few_uses_is_accepted_and_rendered(tmp_path: Path) -> None:
    """Three levels of three <use> (27 shapes) is an ordinary logo: it reaches the letter."""
    logo = tmp_path / "logo.svg"
    logo.write_bytes(_use_bomb(per_level=3, levels=3))
    check_svg(logo.read_bytes())
    options = RenderOptions(letterhead=Letterhead(name="Riverbend", logo=logo))
    html = render_html(build_case(), "patient-summary", options=options)
    assert "data:image/svg+xml;base64," in html


@pytest.mark.parametrize(
    ("svg", "rule"),
    [
        (
            f'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg {NS}><text>&a;</text></svg>',
            "declares a DTD or entities",
        ),
        (f"<svg {NS}><script>alert(1)</script></svg>", "holds a <script> element"),
        (f"<svg {NS}><foreignObject><p>x</p></foreignObject></svg>", "<foreignObject>"),
        (f'<svg {NS}><image href="data:image/svg+xml;base64,AAAA"/></svg>', "<image>"),
        (f'<svg {NS}><pattern id="p" width="1" height="1"/></svg>', "<pattern>"),
        (f'<svg {NS}><use href="file:///etc/passwd#x"/></svg>', "outside it"),
        (f'<svg {NS}><use xlink:href="https://x.example/a.svg#b"/></svg>', "outside it"),
        (f'<svg {NS}><g id="a"><use href="#a"/></g></svg>', "refers to itself"),
        (f"<svg {NS}>" + "<rect/>" * MAX_SVG_ELEMENTS + "</svg>", "more than"),
        (f"<svg {NS}><g>", "not a well-formed SVG"),
        (f"<svg {NS}>" + "<g>" * 5000 + "</g>" * 5000 + "</svg>", "more than"),
    ],
)
def test_an_svg_that_could_run_away_is_refused(svg: str, rule: str) -> None:
    """No DTD, no code, no images or patterns inside, no outside or circular references."""
    with pytest.raises(RenderError, match=rule):
        check_svg(svg.encode())


PROBE = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    sys.path.insert(0, sys.argv[2])
    from iopauth.errors import RenderError
    from iopauth.rendering import RenderOptions, render
    from iopauth.rendering.options import Letterhead
    from tests.casebuilder import build_case
    options = RenderOptions(letterhead=Letterhead(name="X", logo=Path(sys.argv[1])))
    try:
        render(build_case(), "patient-summary", options=options)
    except RenderError as exc:
        print("refused:", exc)
    """
)


def test_rendering_with_the_bomb_logo_ends_at_once(tmp_path: Path) -> None:
    """The issue's logo hung render; under a 60 s CPU limit it is now refused."""
    logo = tmp_path / "logo.svg"
    logo.write_bytes(_use_bomb())
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(logo), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("refused: the letterhead logo SVG draws more than")

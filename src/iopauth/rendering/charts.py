"""A small SVG line chart of measure totals over time, for the concurrent-review packet.

The SVG is built from numbers and our own labels only; every piece of text is escaped, so the
returned markup is safe to place in a document as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from attrs import frozen
from markupsafe import Markup, escape

# Line colours and dash patterns: lines stay distinguishable when faxed in black and white.
_STYLES = (
    ("#1f4e79", ""),
    ("#a23b2a", "5 3"),
    ("#3d6b35", "2 2"),
    ("#6b4c9a", "8 3 2 3"),
)
# The SVG does not inherit the page's fonts; name the shipped family explicitly.
FONT_FAMILIES = "iopauth Open Sans, Open Sans, sans-serif"
_WIDTH, _HEIGHT = 460.0, 190.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 34.0, 120.0, 10.0, 28.0


@frozen(kw_only=True)
class Series:
    """One instrument's totals in date order, and the highest total it can reach."""

    name: str
    points: tuple[tuple[date, int], ...]
    maximum: int


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def trend_chart(series: Sequence[Series], title: str) -> Markup | None:
    """An inline SVG chart of each series as a share of its maximum, or ``None`` if empty.

    Scores are drawn as a percentage of the instrument's maximum so that instruments with
    different ranges share one axis; the legend gives each first and latest total.
    """
    series = [s for s in series if s.points]
    if not series:
        return None
    days = sorted({d for s in series for d, _ in s.points})
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM

    def x(day: date) -> float:
        if first == last:
            return _LEFT + plot_w / 2
        return _LEFT + plot_w * (day - first).days / span

    def y(value: int, maximum: int) -> float:
        return _TOP + plot_h * (1 - value / maximum)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'font-family="{FONT_FAMILIES}" '
        f'width="{_fmt(_WIDTH)}" height="{_fmt(_HEIGHT)}" '
        f'viewBox="0 0 {_fmt(_WIDTH)} {_fmt(_HEIGHT)}">',
        f"<title>{escape(title)}</title>",
    ]
    for pct in (0, 25, 50, 75, 100):
        gy = _TOP + plot_h * (1 - pct / 100)
        parts.append(
            f'<line x1="{_fmt(_LEFT)}" y1="{_fmt(gy)}" x2="{_fmt(_LEFT + plot_w)}" '
            f'y2="{_fmt(gy)}" stroke="#d0d0d0" stroke-width="0.5"/>'
            f'<text x="{_fmt(_LEFT - 4)}" y="{_fmt(gy + 3)}" font-size="7" '
            f'text-anchor="end" fill="#555">{pct}%</text>'
        )
    for day in (first, last) if first != last else (first,):
        parts.append(
            f'<text x="{_fmt(x(day))}" y="{_fmt(_HEIGHT - _BOTTOM + 12)}" font-size="7" '
            f'text-anchor="middle" fill="#555">{day.month:02d}/{day.day:02d}/{day.year}</text>'
        )
    for index, one in enumerate(series):
        colour, dash = _STYLES[index % len(_STYLES)]
        coords = " ".join(f"{_fmt(x(d))},{_fmt(y(v, one.maximum))}" for d, v in one.points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" '
            f'stroke-width="1.5"{dash_attr}/>'
        )
        for d, v in one.points:
            parts.append(
                f'<circle cx="{_fmt(x(d))}" cy="{_fmt(y(v, one.maximum))}" r="2" fill="{colour}"/>'
            )
        ly = _TOP + 12 + index * 26
        lx = _WIDTH - _RIGHT + 10
        parts.append(
            f'<line x1="{_fmt(lx)}" y1="{_fmt(ly - 3)}" x2="{_fmt(lx + 16)}" y2="{_fmt(ly - 3)}" '
            f'stroke="{colour}" stroke-width="1.5"{dash_attr}/>'
            f'<text x="{_fmt(lx + 20)}" y="{_fmt(ly)}" font-size="8" fill="#222">'
            f"{escape(one.name)}</text>"
            f'<text x="{_fmt(lx + 20)}" y="{_fmt(ly + 10)}" font-size="7" fill="#555">'
            f"first {one.points[0][1]}, latest {one.points[-1][1]} (max {one.maximum})</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped labels only

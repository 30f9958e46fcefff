"""A small SVG line chart of one measure's totals over time, for the concurrent review.

The SVG is built from numbers and our own labels only; every piece of text is escaped, so the
returned markup is safe to place in a document as is.
"""

from __future__ import annotations

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
_WIDTH, _HEIGHT = 330.0, 170.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 26.0, 16.0, 12.0, 30.0
# Points sit this far inside the axes, so the first total's label never meets the axis numbers
# (an "18" beside the "20" of the PHQ-9 scale read as one number).
_INSET = 12.0


@frozen(kw_only=True)
class Series:
    """One instrument's totals in date order, its highest total and its band edges.

    ``edges`` are the lowest totals of each band after the first (PHQ-9: 5, 10, 15, 20).
    """

    name: str
    points: tuple[tuple[date, int], ...]
    maximum: int
    edges: tuple[int, ...] = ()


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label_date(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year % 100:02d}"


def trend_chart(series: Series, title: str) -> Markup | None:
    """An inline SVG chart of one instrument on its own score scale, or ``None`` if empty.

    The vertical axis runs from 0 to the instrument's maximum with each band edge drawn and
    numbered; every administration is a point labelled with its date and total.
    """
    if not series.points:
        return None
    days = [d for d, _ in series.points]
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM

    def x(day: date) -> float:
        if first == last:
            return _LEFT + plot_w / 2
        return _LEFT + _INSET + (plot_w - 2 * _INSET) * (day - first).days / span

    def y(value: int) -> float:
        return _TOP + plot_h * (1 - value / series.maximum)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'font-family="{FONT_FAMILIES}" '
        f'width="{_fmt(_WIDTH)}" height="{_fmt(_HEIGHT)}" '
        f'viewBox="0 0 {_fmt(_WIDTH)} {_fmt(_HEIGHT)}">',
        f"<title>{escape(title)}</title>",
    ]
    for value in (0, *series.edges, series.maximum):
        gy = y(value)
        dash = ' stroke-dasharray="3 2"' if value not in (0, series.maximum) else ""
        parts.append(
            f'<line x1="{_fmt(_LEFT)}" y1="{_fmt(gy)}" x2="{_fmt(_LEFT + plot_w)}" '
            f'y2="{_fmt(gy)}" stroke="#9aa5b1" stroke-width="0.5"{dash}/>'
            f'<text x="{_fmt(_LEFT - 4)}" y="{_fmt(gy + 3)}" font-size="7" '
            f'text-anchor="end" fill="#444">{value}</text>'
        )
    colour, _dash = _STYLES[0]
    coords = " ".join(f"{_fmt(x(d))},{_fmt(y(v))}" for d, v in series.points)
    parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    last_index = len(series.points) - 1
    for index, (d, v) in enumerate(series.points):
        # the first and last labels lean inward so they clear the axis and the chart's edge
        anchor = "start" if index == 0 else "end" if index == last_index else "middle"
        parts.append(
            f'<circle cx="{_fmt(x(d))}" cy="{_fmt(y(v))}" r="2.2" fill="{colour}"/>'
            f'<text x="{_fmt(x(d))}" y="{_fmt(y(v) - 5)}" font-size="7.5" font-weight="bold" '
            f'text-anchor="{anchor}" fill="#111">{v}</text>'
            f'<text x="{_fmt(x(d))}" y="{_fmt(_HEIGHT - _BOTTOM + 12)}" font-size="7" '
            f'text-anchor="{anchor}" fill="#444">{_label_date(d)}</text>'
        )
    parts.append(
        f'<text x="{_fmt(_LEFT)}" y="{_fmt(_HEIGHT - 3)}" font-size="7" fill="#444">'
        f"{escape(series.name)} total (0 to {series.maximum}); dashed lines mark band edges</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped labels only

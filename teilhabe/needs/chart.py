"""Server-rendered SVG charts (no JavaScript, no external library): the development of the
target group over the Stichtage.  Every chart comes with a data table on the page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour-blind safe palette (Okabe–Ito) with enough contrast on white.
PALETTE = ["#0b4f8a", "#b35806", "#1b7837", "#762a83", "#8c510a", "#01665e", "#9e0142", "#333333"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3"]


def line_chart(
    dates: Sequence[date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    description: str,
    width: int = 720,
    height: int = 300,
) -> SafeString:
    """A line chart: one line per series over the dates, with axis labels and a legend."""
    left, right, top, bottom = 64, 16, 16, 48
    legend_h = 20 * ((len(series) + 1) // 2)
    plot_w = width - left - right
    plot_h = height - top - bottom
    total_h = height + legend_h
    peak = max([v for _label, values in series for v in values] + [1])
    step = _nice_step(peak)
    top_value = step * ((peak + step - 1) // step)
    n = len(dates)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n <= 1 else plot_w * i / (n - 1))

    def y(v: int) -> float:
        return top + plot_h - plot_h * v / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_h}" '
        f'width="100%" role="img" aria-labelledby="chart-title chart-desc" class="th-needs-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{total_h}" fill="#ffffff"/>',
    ]
    value = 0
    while value <= top_value:
        yy = y(value)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" '
            f'stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1a1a1a">{escape(number_format(value, force_grouping=True))}</text>'
        )
        value += step
    for i, d in enumerate(dates):
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 20}" text-anchor="middle" font-size="12" '
            f'fill="#1a1a1a">{d:%d.%m.%Y}</text>'
        )
    for s, (label, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        dash = DASHES[s % len(DASHES)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if len(values) > 1:
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{dash_attr}/>'
            )
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}">'
                f"<title>{escape(label)}, {dates[i]:%d.%m.%Y}: "
                f"{escape(number_format(v, force_grouping=True))}</title></circle>"
            )
        lx = left + (s % 2) * (plot_w // 2)
        ly = height + 20 * (s // 2) - 6
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="3"{dash_attr}/>'
        )
        parts.append(
            f'<text x="{lx + 30}" y="{ly + 4}" font-size="12" fill="#1a1a1a">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 – every text above is escaped


def _nice_step(peak: int) -> int:
    raw = max(peak / 5, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)

"""Small charts without a plotting library: inline SVG line charts for HTML, text sparklines for
Markdown and the terminal.

A chart is drawn from ``Series`` records (a label and (x label, value) points sharing one x axis);
values are probabilities or counts, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
#: Line colours, in order of the series (colour-blind safe, Okabe-Ito).
PALETTE = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")


@dataclass(frozen=True)
class Series:
    """One line: ``label``, ``points`` ((x label, value) pairs in x order; value None = gap)."""

    label: str
    points: tuple[tuple[str, float | None], ...]


def sparkline(values: list[float | None] | tuple[float | None, ...], *, top: float | None = None) -> str:
    """``▁▃▅█``-style text sparkline; ``top`` fixes the value drawn as a full block (default: the
    largest value); gaps are spaces."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    high = top if top is not None else max(present)
    if high <= 0:
        return "".join(" " if v is None else SPARK_BLOCKS[0] for v in values)
    steps = len(SPARK_BLOCKS) - 1
    return "".join(
        " " if v is None else SPARK_BLOCKS[max(0, min(steps, round(v / high * steps)))] for v in values
    )


def _nice_top(value: float) -> float:
    for top in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if value <= top:
            return top
    magnitude = 1.0
    while magnitude * 10 < value:
        magnitude *= 10
    return next(m * magnitude for m in (1, 2, 5, 10) if value <= m * magnitude)


def _tick(value: float, percent: bool) -> str:
    if not percent:
        return f"{value:g}"
    return f"{value:.0%}" if value == 0 or value >= 0.1 else f"{value:.1%}"


def line_chart(
    series: list[Series] | tuple[Series, ...],
    *,
    title: str,
    percent: bool = True,
    width: int = 560,
    height: int = 200,
) -> str:
    """An inline ``<svg>`` line chart of ``series`` with a y axis from 0, x labels at both ends
    and the middle, a legend, and a ``<title>`` for screen readers. ``percent`` formats the y
    axis as percentages."""
    left, right, top_pad, bottom = 48, 12, 28, 36
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    xs = [x for x, _ in series[0].points] if series else []
    values = [v for s in series for _, v in s.points if v is not None]
    top = _nice_top(max(values)) if values and max(values) > 0 else 1.0
    step = plot_w / max(1, len(xs) - 1)

    def px(i: int) -> float:
        return left + i * step

    def py(v: float) -> float:
        return top_pad + plot_h * (1 - v / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{escape(title)}</title>',
        f'<text x="{left}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for frac in (0, 0.5, 1):
        y = py(top * frac)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_tick(top * frac, percent)}</text>')
    for i in sorted({0, len(xs) // 2, len(xs) - 1} if xs else set()):
        anchor = "start" if i == 0 else "end" if i == len(xs) - 1 else "middle"
        parts.append(f'<text x="{px(i):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}" class="tick">{escape(xs[i])}</text>')
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = [(px(i), py(v)) for i, (_, v) in enumerate(s.points) if v is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in points[-1:])
        legend_x = left + n * 180
        parts.append(f'<rect x="{legend_x}" y="{height - 12}" width="10" height="3" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{height - 8}" class="legend">{escape(s.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)

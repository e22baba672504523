"""Server-rendered SVG bar charts: geometry here, markup in insights/templates/insights/_chart.html.

No JavaScript and no CDN: each chart is an inline <svg role="img" aria-labelledby> with a <title> and a <desc>,
followed by the same numbers as a table. Labels sit above their bars so the chart reads at a phone's width (the
viewBox is 400 units wide and scales to the column). Values under k were suppressed before they got here (None):
they get no bar and read "fewer than k".
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 400
LABEL_H = 18
BAR_H = 14
GAP = 4
GROUP_GAP = 14
VALUE_W = 70  # room right of the longest bar for its number
COLOURS = ("#1d4ed8", "#b45309", "#047857")  # ≥ 3:1 against white (WCAG 1.4.11); series also named in the legend


@dataclass
class Bar:
    y: float
    width: float
    colour: str
    series: str
    text: str


@dataclass
class Group:
    label: str
    y: float  # the label's baseline
    bars: list[Bar]


@dataclass
class Chart:
    id: str
    title: str
    description: str
    series: list[tuple[str, str]]  # (name, colour) for the legend
    groups: list[Group] = field(default_factory=list)
    height: float = 0
    legend_y: float = 0


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    series: list[str],
    rows: list[tuple[str, list[int | float | None]]],
    *,
    k: int,
) -> Chart:
    """Horizontal grouped bars: one group per row (label, one value per series), on one scale."""
    top = max([v for _, values in rows for v in values if v is not None] or [1]) or 1
    span = WIDTH - VALUE_W
    chart = Chart(chart_id, title, description, [(s, COLOURS[i % len(COLOURS)]) for i, s in enumerate(series)])
    y = 0.0
    for label, values in rows:
        group = Group(label, y + LABEL_H - 5, [])
        y += LABEL_H
        for i, value in enumerate(values):
            colour = COLOURS[i % len(COLOURS)]
            if value is None:
                group.bars.append(Bar(y, 0, colour, series[i], f"fewer than {k}"))
            else:
                width = max(1.0, span * float(value) / top) if value else 0.0
                text = f"{value:g}" if isinstance(value, float) else str(value)
                group.bars.append(Bar(y, round(width, 1), colour, series[i], text))
            y += BAR_H + GAP
        y += GROUP_GAP
        chart.groups.append(group)
    chart.legend_y = y + 4
    chart.height = y + 24
    return chart

"""Server-rendered SVG charts for the workbench: no JavaScript, no CDN, no inline style (the
colours come from classes in static/css/backoffice.css). Each chart has a <title> and <desc>
for screen readers, and the workbench shows the same figures in a table under each chart."""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
PLOT_HEIGHT = 164  # the bars' area
LEFT = 48
TOP = 16
FONT = 11  # svg.chart .axis in backoffice.css
LINE = 13  # the step between two lines of an axis label
MAX_LINES = 3


def _text_width(text: str) -> float:
    """Roughly how wide ``text`` is at FONT px: a CJK character takes a full em, Latin about
    0.58 em (the axis labels are short; the table under each chart has them in full)."""
    return sum(FONT if ord(ch) > 0x2E80 else FONT * 0.58 for ch in text)


def wrap_label(label: str, width: float) -> list[str]:
    """Split an axis label into at most MAX_LINES lines that fit ``width`` px: English at
    spaces, Chinese between any two characters; what does not fit ends in "…"."""
    words = label.split(" ") if " " in label else list(label)
    joiner = " " if " " in label else ""
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current}{joiner}{word}" if current else word
        if current and _text_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    if len(lines) > MAX_LINES:
        last = lines[MAX_LINES - 1]
        while last and _text_width(last + "…") > width:
            last = last[:-1]
        lines = [*lines[: MAX_LINES - 1], last.rstrip() + "…"]
    return lines


def _scale(maximum: float) -> float:
    """A top of the axis that gives whole-number ticks (four steps)."""
    return math.ceil(maximum / 4) * 4 if maximum > 0 else 4


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[tuple[str, list]],
    limits: list | None = None,
    unit: str = "",
) -> SafeString:
    """Grouped bars: one group per label, one bar per series (class ``series-<i>``); a dashed
    line per group for ``limits`` (the time limit of a stage)."""
    values = [float(v or 0) for _, data in series for v in data]
    maximum = _scale(max(values + [float(v or 0) for v in (limits or [])] + [0]))
    plot_w, plot_h = WIDTH - LEFT - 8, PLOT_HEIGHT
    group_w = plot_w / max(len(labels), 1)
    # Long labels (the stages, in English) take up to three lines under their group.
    wrapped = [wrap_label(str(label), group_w - 6) for label in labels]
    label_lines = max((len(lines) for lines in wrapped), default=1)
    height = TOP + plot_h + 8 + LINE * label_lines + 24  # then the legend
    bar_w = max(2.0, (group_w * 0.7) / max(len(series), 1))
    parts = []
    for tick in range(5):
        value = maximum * tick / 4
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - 8,
                y,
                y,
                LEFT - 4,
                y + 4,
                _short(value),
            )
        )
    for index, label in enumerate(labels):
        x0 = LEFT + index * group_w + group_w * 0.15
        for s_index, (name, data) in enumerate(series):
            value = float(data[index] or 0)
            h = plot_h * value / maximum
            parts.append(
                format_html(
                    '<rect class="bar series-{}" x="{}" y="{}" width="{}" '
                    'height="{}"><title>{} · {}: {}{}</title></rect>',
                    s_index,
                    x0 + s_index * bar_w,
                    TOP + plot_h - h,
                    bar_w,
                    h,
                    label,
                    name,
                    _short(value),
                    unit,
                )
            )
        if limits and limits[index]:
            y = TOP + plot_h - plot_h * float(limits[index]) / maximum
            parts.append(
                format_html(
                    '<line class="limit" x1="{}" x2="{}" y1="{}" y2="{}"></line>',
                    x0 - 2,
                    x0 + bar_w * len(series) + 2,
                    y,
                    y,
                )
            )
        centre = LEFT + index * group_w + group_w / 2
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                centre,
                TOP + plot_h + 16,
                format_html_join(
                    "",
                    '<tspan x="{}" dy="{}">{}</tspan>',
                    (
                        (centre, 0 if n == 0 else LINE, line)
                        for n, line in enumerate(wrapped[index])
                    ),
                ),
            )
        )
    legend = format_html_join(
        "",
        '<rect class="bar series-{}" x="{}" y="{}" width="10" height="10"></rect>'
        '<text class="axis" x="{}" y="{}">{}</text>',
        (
            (i, LEFT + i * 150, height - 14, LEFT + i * 150 + 14, height - 5, name)
            for i, (name, _) in enumerate(series)
        ),
    )
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        chart_id,
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
        mark_safe("".join(parts)),
        legend,
    )


def _f(value: float) -> str:
    return f"{value:.1f}"


def _short(value: float) -> str:
    if value >= 10000:
        return f"{value / 10000:.1f}万"
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}"

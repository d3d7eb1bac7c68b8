"""The issuing agency's electronic seal (电子印章), drawn as SVG by our code.

A red circular official seal as on paper: the agency's name around the upper ring, a
five-pointed star in the middle, "业务专用章" underneath, and "电子印章" so that no one takes the
print for a wet-ink seal. WeasyPrint treats ``<textPath>`` as plain text, so each character of the
ring is placed on its own with a rotation computed here.
"""

import math
from html import escape

SEAL_RED = "#d7261e"
FONT_FAMILY = "Noto Serif CJK SC"
# viewBox units; the template decides the printed size (about 40 mm, as a paper seal).
SIZE = 200
CENTER = SIZE / 2
OUTER_RADIUS = 95
RING_INNER_EDGE = 88  # inside the ring's stroke, with a small gap
MAX_SPAN_DEGREES = 220  # the name never runs down into "业务专用章"
MAX_STEP_DEGREES = 24
MAX_FONT_SIZE = 24


def _star_points(cx: float, cy: float, outer: float, inner: float) -> str:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + i * 36)
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(points)


def ring_layout(text: str) -> tuple[list[tuple[str, float]], float, float]:
    """Each character with its angle (degrees clockwise from 12 o'clock), the font size that
    fits the step between characters, and the radius of their baseline."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return [], 0.0, 0.0
    step = (
        MAX_STEP_DEGREES
        if len(chars) == 1
        else min(MAX_STEP_DEGREES, MAX_SPAN_DEGREES / (len(chars) - 1))
    )
    start = -step * (len(chars) - 1) / 2
    # The glyphs stand outward from the baseline: a larger size needs a smaller radius, which
    # leaves less arc per character. A few rounds settle both.
    radius, font_size = 70.0, MAX_FONT_SIZE
    for _ in range(4):
        font_size = max(9.0, min(MAX_FONT_SIZE, radius * math.radians(step) * 0.9))
        radius = RING_INNER_EDGE - 0.9 * font_size
    return [(c, start + i * step) for i, c in enumerate(chars)], font_size, radius


def seal_svg(agency_name: str, *, label: str = "业务专用章", marker: str = "电子印章") -> str:
    """The seal as an inline ``<svg>`` element (a string of trusted markup)."""
    layout, font_size, radius = ring_layout(agency_name)
    ring = "".join(
        f'<text x="{CENTER:.0f}" y="{CENTER - radius:.1f}" '
        f'transform="rotate({angle:.2f} {CENTER:.0f} {CENTER:.0f})">{escape(char)}</text>'
        for char, angle in layout
    )
    name = escape(agency_name)
    return (
        f'<svg class="seal" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-label="{name}{escape(label)}（{escape(marker)}）">'
        f"<title>{name}{escape(label)}（{escape(marker)}）</title>"
        f'<g fill="{SEAL_RED}" stroke="none" fill-opacity="0.88">'
        f'<circle cx="{CENTER:.0f}" cy="{CENTER:.0f}" r="{OUTER_RADIUS}" fill="none" '
        f'stroke="{SEAL_RED}" stroke-width="6"/>'
        f'<g font-family="{FONT_FAMILY}" font-weight="bold" font-size="{font_size:.1f}" '
        f'text-anchor="middle">{ring}</g>'
        f'<polygon points="{_star_points(CENTER, CENTER + 2, 30, 12)}"/>'
        f'<text x="{CENTER:.0f}" y="{CENTER + 55:.0f}" font-family="{FONT_FAMILY}" '
        f'font-weight="bold" font-size="20" text-anchor="middle">{escape(label)}</text>'
        f'<text x="{CENTER:.0f}" y="{CENTER + 76:.0f}" font-family="{FONT_FAMILY}" '
        f'font-size="13" text-anchor="middle">{escape(marker)}</text>'
        "</g></svg>"
    )

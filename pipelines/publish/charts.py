"""Inline SVG charts for the HTML report, drawn without any JavaScript or external file."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = "font-family=\"'Segoe UI','DejaVu Sans',Arial,sans-serif\""
# Approximate widths in px of 12 px sans-serif characters, used only to lay out labels.
UPPER_WIDTH = 8.0
OTHER_WIDTH = 6.6
BAR_HEIGHT = 18
BAR_GAP = 6
PALETTE = ("#1F4E79", "#C55A11", "#548235", "#7F6000", "#7030A0")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (the bar length) and the text printed after the bar."""

    label: str
    value: float
    value_text: str


def horizontal_bars(bars: list[Bar], title: str, width: int = 640, color: str = PALETTE[0]) -> str:
    """Return an SVG horizontal bar chart; bars are drawn in the given order."""
    label_width = min(max((_text_width(b.label) for b in bars), default=30) + 12, width * 0.42)
    value_width = max((_text_width(b.value_text) for b in bars), default=30) + 12
    plot_width = max(width - label_width - value_width, 40)
    top = 28
    height = top + len(bars) * (BAR_HEIGHT + BAR_GAP) + 8
    largest = max((b.value for b in bars), default=0) or 1

    parts = [_svg_open(width, height, title)]
    parts.append(
        f'<text x="0" y="16" font-size="13" font-weight="bold" {FONT}>{escape(title)}</text>'
    )
    for index, bar in enumerate(bars):
        y = top + index * (BAR_HEIGHT + BAR_GAP)
        length = max(plot_width * max(bar.value, 0) / largest, 0)
        text_y = y + BAR_HEIGHT - 5
        parts.append(
            f'<text x="{label_width - 6:.1f}" y="{text_y}" font-size="12" text-anchor="end" '
            f"{FONT}>{escape(_clip(bar.label, label_width))}</text>"
        )
        parts.append(
            f'<rect x="{label_width:.1f}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{color}" rx="2">'
            f"<title>{escape(bar.label)}: {escape(bar.value_text)}</title></rect>"
        )
        parts.append(
            f'<text x="{label_width + length + 5:.1f}" y="{text_y}" font-size="12" '
            f"{FONT}>{escape(bar.value_text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: float, title: str) -> str:
    return (
        f'<svg width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">'
    )


def _text_width(text: str) -> float:
    return sum(UPPER_WIDTH if ch.isupper() or ch.isdigit() else OTHER_WIDTH for ch in text)


def _clip(label: str, width: float) -> str:
    """Shorten `label` with an ellipsis until it fits in `width` px minus a margin."""
    if _text_width(label) <= width - 8:
        return label
    clipped = label
    while clipped and _text_width(clipped + "…") > width - 8:
        clipped = clipped[:-1]
    return clipped + "…"

"""Indicator progress as a server-rendered SVG (issue 12 §6): no script, no CDN.

One row per indicator: its name, a track standing for the target and a bar for the
actual value (capped at the track's end when the target is exceeded), and the
figures as text, so the chart reads without colour and prints as it looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from contracts.delivery.rules import Progress, number_text
from procurement.core.i18n import _

WIDTH = 640
ROW = 44
LABEL_W = 150
TRACK_W = 300
TOP = 8


def _figures(item: Progress) -> str:
    actual = number_text(item.actual)
    if item.target is None:
        return _("{actual} {unit}（未设目标）").format(actual=actual, unit=item.unit)
    return _("{actual} / {target} {unit}（{percent}%）").format(
        actual=actual, target=number_text(item.target), unit=item.unit, percent=number_text(item.percent)
    )


def progress_svg(items: Sequence[Progress], *, title: str | None = None) -> str:
    """The bars of actual against target, one per indicator, as SVG markup."""
    caption = title if title is not None else _("服务指标完成进度")
    height = TOP * 2 + ROW * max(len(items), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" aria-label="{escape(caption)}">',
        f"<title>{escape(caption)}</title>",
    ]
    if not items:
        parts.append(f'<text x="0" y="{TOP + 20}" font-size="14">{escape(_("合同未设服务指标。"))}</text>')
    for index, item in enumerate(items):
        y = TOP + index * ROW
        bar = int((item.bar_percent * TRACK_W / 100).to_integral_value()) if item.target else 0
        done = item.percent is not None and item.percent >= Decimal(100)
        parts.append(
            f'<g class="indicator"><text x="0" y="{y + 20}" font-size="14">{escape(item.name)}</text>'
            f'<rect class="track" x="{LABEL_W}" y="{y + 6}" width="{TRACK_W}" height="18" fill="#e5e7eb"/>'
            f'<rect class="bar" x="{LABEL_W}" y="{y + 6}" width="{bar}" height="18" '
            f'fill="{"#15803d" if done else "#1d4ed8"}"/>'
            f'<text x="{LABEL_W + TRACK_W + 8}" y="{y + 20}" font-size="13">{escape(_figures(item))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)

"""The indicator progress chart: server-rendered SVG (contracts.delivery.chart)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from contracts.delivery import chart, rules

INDICATORS = [
    {"name": "服务人次", "unit": "人次", "target": 1200},
    {"name": "服务时长", "unit": "小时", "target": 800},
    {"name": "<script>", "unit": "场", "target": 10},
]
SVG = "{http://www.w3.org/2000/svg}"


def bars(markup: str) -> list[int]:
    root = ET.fromstring(markup)
    return [int(r.get("width", "0")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_one_bar_per_indicator_proportional_to_the_target_and_capped_at_the_track():
    items = rules.progress(INDICATORS, [{"服务人次": "1800", "服务时长": "200", "<script>": "0"}])
    markup = chart.progress_svg(items)
    assert markup.startswith("<svg") and "<title>" in markup
    assert bars(markup) == [chart.TRACK_W, chart.TRACK_W // 4, 0]  # 150 % capped; 25 %; nothing
    assert "1800 / 1200 人次（150%）" in markup and "200 / 800 小时（25%）" in markup


def test_names_are_escaped_and_no_script_or_external_reference_is_emitted():
    markup = chart.progress_svg(rules.progress(INDICATORS, []))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", markup)


def test_a_contract_without_indicators_still_draws_a_valid_chart():
    markup = chart.progress_svg([])
    ET.fromstring(markup)
    assert bars(markup) == []

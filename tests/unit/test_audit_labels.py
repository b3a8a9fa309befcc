"""How an audit row reads: Chinese labels with the raw name as fallback, the change
as "字段：旧值 → 新值", values as people read them, CSV cells Excel will not run."""

from __future__ import annotations

import pytest

from procurement.system.audit_labels import (
    ACTION_LABELS,
    FIELD_LABELS,
    FieldChange,
    action_label,
    change_text,
    describe_change,
    entity_label,
    show_value,
)
from procurement.system.audit_log import CSV_HEADER, csv_line


def test_known_actions_and_types_read_in_chinese_and_unknown_ones_fall_back_to_the_raw_name():
    assert action_label("bid.submitted") == "提交投标"
    assert action_label("tender.publish") == "发布采购公告"
    assert action_label("something.new") == "something.new"
    assert entity_label("bid_bond") == "投标保证金"
    assert entity_label("gadget") == "gadget"


def test_a_change_reads_old_value_then_new_value_with_chinese_field_names():
    changes = describe_change('{"status":"pending"}', '{"status":"active","reason":"材料齐全"}')
    assert [c.text() for c in changes] == ["理由：材料齐全", "状态：待审核 → 正常"]
    assert changes[1] == FieldChange("status", "状态", "待审核", "正常")


def test_a_value_that_did_not_change_is_shown_once_and_a_removed_one_says_so():
    changes = {c.field: c for c in describe_change('{"day":"2027-01-01","name":"元旦"}', '{"day":"2027-01-01"}')}
    assert changes["day"].text() == "日期：2027-01-01"
    assert changes["name"].text() == "名称：元旦 → （无）"


@pytest.mark.parametrize(
    "key,value,shown",
    [
        ("is_active", True, "是"),
        ("is_working_day", False, "否"),
        ("amount_fen", 123450, "¥1,234.50"),
        ("status", "submitted", "已提交"),
        ("status", "brand_new", "brand_new"),
        ("version", 3, "3"),
        ("candidates", [3, 1], "[3,1]"),
        ("changes", {"b": 1, "a": "二"}, '{"a":"二","b":1}'),
        ("reason", None, ""),
    ],
)
def test_values_read_as_people_read_them(key, value, shown):
    assert show_value(key, value) == shown


def test_unknown_fields_and_odd_snapshots_still_read():
    assert describe_change("", '{"gizmo":1}') == [FieldChange("gizmo", "gizmo", "", "1")]
    assert describe_change("", "not json") == [FieldChange("", "内容", "", "not json")]
    assert describe_change("", "") == []
    assert change_text('{"points":"8"}', '{"points":"9","reason":"分值汇总计算错误"}') == (
        "分值：8 → 9；理由：分值汇总计算错误"
    )


def test_every_label_is_chinese():
    for table in (ACTION_LABELS, FIELD_LABELS):
        for key in table:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in table[key]), key


def test_a_csv_cell_excel_would_run_as_a_formula_is_kept_as_text():
    line = csv_line(["=SUM(A1)", "+1", "-2", "@x", "普通", 'a "quoted", cell', None, 5])
    assert line == '\'=SUM(A1),\'+1,\'-2,\'@x,普通,"a ""quoted"", cell",,5\r\n'
    assert len(CSV_HEADER) == 11


def test_the_page_cursor_is_opaque_stable_and_refuses_a_forgery():
    from procurement.core.errors import ValidationFailed
    from procurement.system.audit_log import decode_cursor, encode_cursor

    cursor = encode_cursor(41)
    assert decode_cursor(cursor) == 41 and encode_cursor(41) == cursor
    assert "41" not in cursor and encode_cursor(42) != cursor
    assert len({encode_cursor(i)[:4] for i in range(50)}) > 40, "neighbouring ids do not look alike"
    forged = ("A" if cursor[0] != "A" else "B") + cursor[1:]
    for bad in (forged, "not-a-cursor", "", "====", cursor + "AA"):
        with pytest.raises(ValidationFailed):
            decode_cursor(bad)

"""The audit chain (invariant 4), checked without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from procurement.core.audit import GENESIS_HASH, row_hash, verify_rows


def make_chain(n: int) -> list[dict]:
    rows, prev = [], GENESIS_HASH
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    for i in range(1, n + 1):
        row = {
            "id": i,
            "at": start + timedelta(minutes=i),
            "actor_id": 7,
            "actor_label": "王建国（officer）",
            "action": "organization.approve",
            "entity_type": "organization",
            "entity_id": str(i),
            "before": '{"status":"pending"}',
            "after": '{"status":"active"}',
            "ip": "10.0.0.8",
        }
        row["prev_hash"], row["hash"] = prev, row_hash(prev, row)
        prev = row["hash"]
        rows.append(row)
    return rows


def test_an_untouched_chain_verifies():
    report = verify_rows(make_chain(5))
    assert report.ok and report.checked == 5 and report.first_broken_id is None


def test_an_empty_log_verifies():
    assert verify_rows([]).ok


@pytest.mark.parametrize(
    "field,value",
    [
        ("after", '{"status":"rejected"}'),
        ("actor_label", "别人"),
        ("actor_id", 8),
        ("action", "organization.reject"),
        ("entity_id", "99"),
        ("ip", "1.2.3.4"),
        ("at", datetime(2027, 1, 1, tzinfo=UTC)),
        ("before", ""),
    ],
)
def test_editing_any_field_of_a_row_names_that_row(field, value):
    rows = make_chain(5)
    rows[2][field] = value
    report = verify_rows(rows)
    assert not report.ok and report.first_broken_id == 3
    assert "修改" in report.reason


def test_deleting_a_row_names_the_row_after_the_gap():
    rows = make_chain(5)
    del rows[1]
    report = verify_rows(rows)
    assert not report.ok and report.first_broken_id == 3
    assert "删除" in report.reason


def test_swapping_two_rows_is_detected():
    rows = make_chain(5)
    rows[1], rows[2] = rows[2], rows[1]
    assert verify_rows(rows).first_broken_id == 3


def test_rehashing_an_edited_row_still_breaks_the_next_one():
    rows = make_chain(5)
    rows[1]["after"] = '{"status":"rejected"}'
    rows[1]["hash"] = row_hash(rows[1]["prev_hash"], rows[1])
    report = verify_rows(rows)
    assert not report.ok and report.first_broken_id == 3


def test_a_chain_can_be_verified_page_by_page():
    rows = make_chain(6)
    assert verify_rows(rows[3:], start=rows[2]["hash"]).ok
    assert not verify_rows(rows[3:]).ok


@pytest.mark.parametrize(
    "text",
    ["", "王建国（officer）", 'a "quoted" \\ back\\slash', "tab\tnew\nline\r\x00\x1f\x7f", "emoji 🎉 \u2028"],
)
def test_the_head_postgresql_hashes_with_the_previous_hash_is_the_payload_of_row_hash(text):
    # PostgreSQL appends the previous hash to hashed_head in SQL (audit._PG_APPEND): the bytes
    # must be exactly those row_hash hashes, whatever the row holds.
    import hashlib

    from procurement.core.audit import hashed_head

    row = make_chain(1)[0] | {"actor_label": text, "before": text, "after": text, "ip": text, "entity_id": text}
    for actor_id in (None, 0, 12345):
        row["actor_id"] = actor_id
        for prev in (GENESIS_HASH, row_hash(GENESIS_HASH, row)):
            payload = hashed_head(row) + prev + '"}'
            assert hashlib.sha256(payload.encode("utf-8")).hexdigest() == row_hash(prev, row)

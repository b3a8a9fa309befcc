"""Anchoring the audit chain on a real database: someone who can write to the database
edits a row and recomputes every later hash, and the signed, published anchor still
catches it (service, API and CLI); a forged, changed or deleted anchor is caught; the
public page and its feed list the anchors without a login; the daily sweep anchors
once a day."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from piccolo.querystring import QueryString

from procurement.core import audit, clock, db
from procurement.core.scheduler import registry, run_sweep
from procurement.core.tables import AuditAnchor, AuditEvent
from procurement.system.anchor_feed import anchors_from_feed
from tests.integration.conftest import api_login


async def rewrite(victim_id: int, **changes) -> None:
    """What an attacker with write access to the database does: change one row, then
    recompute its hash and every later one, so the chain alone verifies again."""
    earlier = (
        await AuditEvent.select(AuditEvent.hash)
        .where(AuditEvent.id < victim_id)
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    prev = earlier["hash"] if earlier else audit.GENESIS_HASH
    engine = db.get_engine()
    for row in await AuditEvent.select().where(AuditEvent.id >= victim_id).order_by(AuditEvent.id):
        if row["id"] == victim_id:
            row.update(changes)
        row["prev_hash"], row["hash"] = prev, audit.row_hash(prev, row)
        await engine.run_querystring(
            QueryString(
                "UPDATE audit_event SET actor_label = {}, after = {}, prev_hash = {}, hash = {} WHERE id = {}",
                row["actor_label"],
                row["after"],
                row["prev_hash"],
                row["hash"],
                row["id"],
            )
        )
        prev = row["hash"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "procurement.cli", "audit", *args],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_an_edit_with_every_later_hash_recomputed_breaks_the_anchor(client):
    first = await audit.anchor()
    assert first is not None and first.seq == 1
    for i in range(3):
        await audit.record("test.after_anchor", "test", i)
    assert (await audit.verify_chain()).ok

    # The anchored row itself is changed and every later hash recomputed: the chain is intact …
    await rewrite(first.row_id, actor_label="别人")
    assert audit.verify_rows(await AuditEvent.select().order_by(AuditEvent.id)).ok
    # … but the row no longer has the hash the published anchor signed.
    report = await audit.verify_chain()
    assert not report.ok and report.first_broken_id == first.row_id and report.broken_anchor == 1
    assert "第 1 号审计日志摘要" in report.reason

    result = cli("verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"id={first.row_id}" in result.stdout and "#1" in result.stdout

    admin = await api_login(client, "admin")
    verify = (await client.get("/api/v1/audit-events/verify", headers=admin)).json()
    assert verify["ok"] is False and verify["broken_anchor"] == 1 and "checked" not in verify
    assert verify["first_broken"]["action"] == "audit.anchored"


async def test_an_earlier_edit_is_placed_between_two_anchors(client):
    await audit.anchor()
    victim = await audit.record("test.victim", "test", 1, after={"amount_fen": 100})
    await audit.record("test.other", "test", 2)
    second = await audit.anchor()
    assert second is not None and second.seq == 2
    await audit.record("test.later", "test", 3)

    await rewrite(victim, after='{"amount_fen":1}')
    report = await audit.verify_chain()
    assert not report.ok and report.broken_anchor == 2 and report.first_broken_id == second.row_id
    assert report.changed_after_id is not None and report.changed_after_id < victim <= report.first_broken_id

    result = cli("verify")
    assert result.returncode == 1 and "#2" in result.stdout
    assert f"id={report.changed_after_id + 1}" in result.stdout and f"id={second.row_id}" in result.stdout


async def test_a_forged_or_changed_anchor_is_caught(client):
    made = await audit.anchor()
    assert made is not None
    engine = db.get_engine()
    flipped = ("0" if made.signature[0] != "0" else "1") + made.signature[1:]
    await engine.run_querystring(QueryString("UPDATE audit_anchor SET signature = {}", flipped))
    report = await audit.verify_chain()
    assert not report.ok and report.broken_anchor == 1 and "签名无效" in report.reason

    # The attacker rewrites the log and re-points the anchor at the new hash: no key, no valid signature.
    await engine.run_querystring(QueryString("UPDATE audit_anchor SET signature = {}", made.signature))
    assert (await audit.verify_chain()).ok
    await rewrite(made.row_id, actor_label="别人")
    head = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.id == made.row_id).first()
    await engine.run_querystring(QueryString("UPDATE audit_anchor SET row_hash = {}", head["hash"]))
    report = await audit.verify_chain()
    assert not report.ok and report.broken_anchor == 1 and "签名无效" in report.reason
    assert "#1" in cli("verify").stdout

    # Or signs with a key of their own.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = audit.sign_anchor(Ed25519PrivateKey.generate(), 1, made.at, head["hash"], made.prev_digest)
    await engine.run_querystring(
        QueryString("UPDATE audit_anchor SET signature = {}, key_id = {}", forged.signature, forged.key_id)
    )
    assert not (await audit.verify_chain()).ok


async def test_deleting_anchors_or_cutting_the_log_is_caught(client):
    await audit.anchor()
    second = await audit.anchor()
    await audit.anchor()
    assert second is not None
    # Cutting the end of the log off takes anchored rows with it.
    await AuditEvent.delete().where(AuditEvent.id >= second.row_id)
    report = await audit.verify_chain()
    assert not report.ok and report.broken_anchor == 2 and "已不在日志中" in report.reason
    # An anchor deleted from the middle leaves a gap in their numbering.
    await AuditAnchor.delete().where(AuditAnchor.seq == 2)
    report = await audit.verify_chain()
    assert not report.ok and report.broken_anchor == 3 and "缺失" in report.reason


async def test_deleting_the_newest_anchor_is_caught_against_a_saved_feed(client, tmp_path):
    await audit.anchor()
    await audit.anchor()
    saved = tmp_path / "anchors.atom"
    saved.write_bytes((await client.get("/audit/anchors.atom")).content)
    assert cli("verify", "--anchors", str(saved)).returncode == 0
    await AuditAnchor.delete().where(AuditAnchor.seq == 2)
    assert (await audit.verify_chain()).ok, "without a copy, losing the newest anchor cannot be seen"
    result = cli("verify", "--anchors", str(saved))
    assert result.returncode == 1 and "#2" in result.stdout and "被删除或改动" in result.stdout


async def test_the_public_page_and_feed_list_the_anchors_without_a_login(client):
    made = await audit.anchor()
    assert made is not None
    page = await client.get("/audit/anchors")
    assert page.status_code == 200
    assert "审计日志摘要" in page.text and made.row_hash in page.text and made.signature in page.text
    key = audit.public_key()
    assert key is not None and audit.public_key_bytes(key).hex() in page.text
    feed = await client.get("/audit/anchors.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    [published] = anchors_from_feed(feed.content)
    assert published.row_id is None and published.same_published_fields(made)
    assert audit.signature_ok(key, published)
    # What is published never counts rows: no row id anywhere.
    assert f">{made.row_id}<" not in feed.text.replace(f">{made.seq}<", "")


async def test_the_daily_sweep_anchors_once_a_day(client):
    job = registry.get("system.audit_anchor")
    assert await run_sweep(job) == 1
    assert await run_sweep(job) == 0
    with clock.frozen(clock.now() + timedelta(days=1)):
        assert await run_sweep(job) == 1
        assert await run_sweep(job) == 0
    assert await AuditAnchor.count() == 2
    assert (await audit.verify_chain()).ok


async def test_the_cli_anchors_on_demand(client):
    result = cli("anchor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "#1" in result.stdout
    [made] = await audit.list_anchors()
    assert made.seq == 1 and made.row_hash in result.stdout
    verified = cli("verify")
    assert verified.returncode == 0 and "1 anchors" in verified.stdout


async def test_the_audit_page_and_dashboard_show_the_anchors_not_a_row_count(client):
    from tests.integration.conftest import page_login

    await audit.anchor()
    await page_login(client, "admin")
    page = await client.get("/admin/audit")
    assert "与已发布的 1 份审计日志摘要一致" in page.text and "已校验" not in page.text
    dashboard = await client.get("/dashboard")
    assert "与已发布的 1 份摘要一致" in dashboard.text and "已校验" not in dashboard.text

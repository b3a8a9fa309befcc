"""Anchors of the audit chain, checked without a database: the signature covers what
it says, the verifier catches a row edited and rehashed after it was anchored, and a
forged, renumbered, unlinked or missing anchor; the feed round-trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from procurement.core.audit import (
    GENESIS_HASH,
    Anchor,
    ChainCheck,
    anchor_message,
    check_anchors,
    key_id,
    load_public_key,
    public_key_bytes,
    public_key_pem,
    row_hash,
    sign_anchor,
    signature_ok,
)
from tests.unit.test_audit_chain import make_chain

KEY = Ed25519PrivateKey.generate()
AT = datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)


def anchors_over(rows: list[dict], at_rows: list[int], key: Ed25519PrivateKey = KEY) -> list[Anchor]:
    made, prev = [], GENESIS_HASH
    for seq, index in enumerate(at_rows, start=1):
        row = rows[index]
        signed = sign_anchor(key, seq, row["at"], row["hash"], prev)
        made.append(Anchor(**{**signed.__dict__, "row_id": row["id"]}))
        prev = made[-1].digest()
    return made


def walk(rows: list[dict], anchors: list[Anchor]):
    check = ChainCheck(anchors)
    return check.feed(rows) or check.finish()


def rehash_from(rows: list[dict], index: int) -> None:
    prev = rows[index - 1]["hash"] if index else GENESIS_HASH
    for row in rows[index:]:
        row["prev_hash"], row["hash"] = prev, row_hash(prev, row)
        prev = row["hash"]


def test_the_signature_covers_seq_time_hash_and_predecessor():
    signed = sign_anchor(KEY, 1, AT, "a" * 64, GENESIS_HASH)
    pub = KEY.public_key()
    assert signature_ok(pub, signed) and signed.key_id == key_id(pub) and len(signed.signature) == 128
    assert signed.message() == anchor_message(1, AT, "a" * 64, GENESIS_HASH)
    assert signed.message().split(b"\n") == [
        b"procurement-audit-anchor/1",
        b"1",
        b"2026-03-01T08:00:00.123456Z",
        b"a" * 64,
        b"0" * 64,
    ]
    for changed in (
        Anchor(2, AT, "a" * 64, GENESIS_HASH, signed.key_id, signed.signature),
        Anchor(1, AT + timedelta(microseconds=1), "a" * 64, GENESIS_HASH, signed.key_id, signed.signature),
        Anchor(1, AT, "b" * 64, GENESIS_HASH, signed.key_id, signed.signature),
        Anchor(1, AT, "a" * 64, "1" * 64, signed.key_id, signed.signature),
        Anchor(1, AT, "a" * 64, GENESIS_HASH, signed.key_id, "00" * 64),
        Anchor(1, AT, "a" * 64, GENESIS_HASH, signed.key_id, "not hex"),
    ):
        assert not signature_ok(pub, changed)
    assert not signature_ok(Ed25519PrivateKey.generate().public_key(), signed)


def test_a_public_key_kept_elsewhere_loads_from_pem_or_hex():
    pub = KEY.public_key()
    assert public_key_bytes(load_public_key(public_key_pem(pub))) == public_key_bytes(pub)
    assert public_key_bytes(load_public_key(public_key_bytes(pub).hex() + "\n")) == public_key_bytes(pub)
    with pytest.raises(ValueError):
        load_public_key("zz")


def test_an_untouched_chain_matches_its_anchors():
    rows = make_chain(8)
    report = walk(rows, anchors_over(rows, [2, 5]))
    assert report.ok and report.anchors == 2 and report.checked == 8
    assert report.latest_anchor_at == rows[5]["at"]


def test_an_anchored_row_edited_and_rehashed_is_named_with_its_anchor():
    rows = make_chain(8)
    anchors = anchors_over(rows, [2, 5])
    rows[5]["actor_label"] = "别人"
    rehash_from(rows, 5)
    assert ChainCheck().feed(rows) is None, "the chain alone no longer shows it"
    report = walk(rows, anchors)
    assert not report.ok and report.first_broken_id == 6 and report.broken_anchor == 2
    assert report.changed_after_id == 3  # the row anchored before (id 3) still matched


def test_an_earlier_row_edited_and_rehashed_is_placed_between_two_anchors():
    rows = make_chain(8)
    anchors = anchors_over(rows, [2, 5])
    rows[4]["after"] = '{"status":"rejected"}'
    rehash_from(rows, 4)
    report = walk(rows, anchors)
    assert not report.ok and report.broken_anchor == 2 and report.first_broken_id == 6
    assert report.changed_after_id is not None and report.changed_after_id < 5 <= report.first_broken_id


def test_rows_after_the_newest_anchor_are_protected_only_by_the_chain():
    rows = make_chain(8)
    anchors = anchors_over(rows, [2])
    rows[6]["after"] = '{"status":"rejected"}'
    rehash_from(rows, 6)
    assert walk(rows, anchors).ok  # what the README says: until the next anchor


def test_a_log_cut_before_an_anchored_row_is_caught():
    rows = make_chain(8)
    anchors = anchors_over(rows, [2, 6])
    report = walk(rows[:5], anchors)
    assert not report.ok and report.broken_anchor == 2 and report.first_broken_id == 7


def test_the_anchors_themselves_must_be_numbered_linked_and_signed():
    rows = make_chain(8)
    anchors = anchors_over(rows, [1, 3, 5])
    pub = KEY.public_key()
    assert check_anchors(anchors, pub) is None
    assert check_anchors([], None) is None, "no anchors yet, no key needed"
    gap = check_anchors([anchors[0], anchors[2]], pub)
    assert gap is not None and gap.broken_anchor == 3 and "缺失" in gap.reason
    unlinked = [anchors[0], Anchor(**{**anchors[1].__dict__, "prev_digest": "f" * 64}), anchors[2]]
    bad = check_anchors(unlinked, pub)
    assert bad is not None and bad.broken_anchor == 2
    forged = sign_anchor(Ed25519PrivateKey.generate(), 2, anchors[1].at, anchors[1].row_hash, anchors[0].digest())
    bad = check_anchors([anchors[0], Anchor(**{**forged.__dict__, "row_id": 4}), anchors[2]], pub)
    assert bad is not None and bad.broken_anchor == 2 and "签名无效" in bad.reason
    lost_key = check_anchors(anchors, None)
    assert lost_key is not None and not lost_key.ok


def test_a_copy_kept_elsewhere_catches_an_anchor_deleted_or_changed_in_the_database():
    rows = make_chain(8)
    anchors = anchors_over(rows, [1, 3, 5])
    published = [Anchor(**{**a.__dict__, "row_id": None}) for a in anchors]
    pub = KEY.public_key()
    assert check_anchors(anchors, pub, published) is None
    newest_gone = check_anchors(anchors[:2], pub, published)
    assert newest_gone is not None and newest_gone.broken_anchor == 3 and "被删除或改动" in newest_gone.reason
    not_ours = sign_anchor(Ed25519PrivateKey.generate(), 4, AT, "c" * 64, anchors[2].digest())
    bad = check_anchors(anchors, pub, [*published, not_ours])
    assert bad is not None and bad.broken_anchor == 4 and "不是本系统签发" in bad.reason


def test_the_feed_carries_each_anchor_exactly():
    from procurement.system.anchor_feed import anchors_feed, anchors_from_feed
    from procurement.system.schemas import AuditAnchorOut, AuditAnchorPage

    rows = make_chain(4)
    anchors = anchors_over(rows, [1, 3])
    pub = KEY.public_key()
    page = AuditAnchorPage(
        items=[
            AuditAnchorOut(
                seq=a.seq,
                at=a.at,
                signed_at=a.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                head_hash=a.row_hash,
                prev_digest=a.prev_digest,
                key_id=a.key_id,
                signature=a.signature,
            )
            for a in reversed(anchors)
        ],
        next_before=None,
        key_id=key_id(pub),
        public_key_hex=public_key_bytes(pub).hex(),
        public_key_pem=public_key_pem(pub),
    )
    feed = anchors_feed(page, "http://example.test")
    assert b"http://www.w3.org/2005/Atom" in feed and "审计日志摘要".encode() in feed
    read = sorted(anchors_from_feed(feed), key=lambda a: a.seq)
    assert [a.row_id for a in read] == [None, None]
    assert all(r.same_published_fields(a) and signature_ok(pub, r) for r, a in zip(read, anchors, strict=True))
    with pytest.raises(ValueError):
        anchors_from_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>x</title></entry></feed>")

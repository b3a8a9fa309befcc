"""The published audit anchors as an Atom 1.0 feed (RFC 4287), and the feed read back.

Anyone may subscribe to ``/audit/anchors.atom`` and keep what it said: a copy kept
outside the database is what shows that anchors were later deleted or changed in
it (``procurement audit verify --anchors saved.atom``). Each entry carries the
signed fields exactly (the time to the microsecond, as signed) in elements of
their own namespace, besides a text any person can read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from procurement.core import audit, clock
from procurement.core.i18n import _
from procurement.system.schemas import AuditAnchorOut, AuditAnchorPage

ATOM_NS = "http://www.w3.org/2005/Atom"
ANCHOR_NS = "urn:procurement:audit-anchor"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SIGNED_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def _stamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def anchor_text(a: AuditAnchorOut) -> str:
    local = clock.to_local(a.at).strftime("%Y-%m-%d %H:%M:%S")
    return "\n".join(
        [
            _("时间（北京时间）：{at}").format(at=local),
            _("链头哈希：{value}").format(value=a.head_hash),
            _("前一份摘要的摘要值：{value}").format(value=a.prev_digest),
            _("公钥指纹：{value}").format(value=a.key_id),
            _("签名：{value}").format(value=a.signature),
        ]
    )


def anchors_feed(page: AuditAnchorPage, base: str) -> bytes:
    """The newest anchors as Atom; ElementTree does the XML escaping."""
    ET.register_namespace("", ATOM_NS)
    ET.register_namespace("anchor", ANCHOR_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = ATOM_NS, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            element.text = _NOT_XML.sub("", text)
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "zh-CN"})
    sub(feed, "id", "urn:procurement:audit-anchors")
    sub(feed, "title", _("政府购买服务管理平台") + " · " + _("审计日志摘要"))
    sub(feed, "subtitle", _("审计日志哈希链的链头，按时发布并以 Ed25519 签名；请另行保存，以便日后核对。"))
    sub(feed, "updated", _stamp(page.items[0].at if page.items else clock.now()))
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/audit/anchors.atom")
    sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/audit/anchors")
    author = sub(feed, "author")
    sub(author, "name", _("政府购买服务管理平台"))
    if page.key_id:
        sub(feed, "public-key", page.public_key_hex, ns=ANCHOR_NS, key_id=page.key_id)
    for a in page.items:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:procurement:audit-anchor:{a.seq}")
        sub(entry, "title", _("审计日志摘要第 {seq} 号").format(seq=a.seq))
        sub(entry, "updated", _stamp(a.at))
        sub(entry, "link", rel="alternate", type="text/html", href=f"{base}/audit/anchors#anchor-{a.seq}")
        sub(entry, "content", anchor_text(a), type="text")
        sub(entry, "seq", str(a.seq), ns=ANCHOR_NS)
        sub(entry, "at", a.signed_at, ns=ANCHOR_NS)
        sub(entry, "head-hash", a.head_hash, ns=ANCHOR_NS)
        sub(entry, "prev-digest", a.prev_digest, ns=ANCHOR_NS)
        sub(entry, "key-id", a.key_id, ns=ANCHOR_NS)
        sub(entry, "signature", a.signature, ns=ANCHOR_NS)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)


def anchors_from_feed(data: bytes) -> list[audit.Anchor]:
    """The anchors of a saved copy of the feed; ValueError for a document that is not one."""
    root = ET.fromstring(data)
    found = []
    for entry in root.iter(f"{{{ATOM_NS}}}entry"):

        def field(name: str, entry: ET.Element = entry) -> str:
            element = entry.find(f"{{{ANCHOR_NS}}}{name}")
            if element is None or not element.text:
                raise ValueError(f"an entry has no anchor:{name}")
            return element.text.strip()

        found.append(
            audit.Anchor(
                seq=int(field("seq")),
                at=datetime.strptime(field("at"), _SIGNED_TIME).replace(tzinfo=UTC),
                row_hash=field("head-hash"),
                prev_digest=field("prev-digest"),
                key_id=field("key-id"),
                signature=field("signature"),
            )
        )
    return found

"""Reading public notices: filtered, searched and keyset-paginated, so the list
stays fast at 100,000 notices (indexes on every filter column; the cursor is
the (published_at, id) of the last row shown)."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.columns.combination import Combinable, WhereRaw
from piccolo.querystring import QueryString

from procurement.catalogue.states import CATEGORY_LABELS
from procurement.core import clock, db, public_pages
from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.i18n import N_, Labels, _
from procurement.core.portal_cache import portal
from procurement.tenders.schemas import NoticeList, NoticeOut
from procurement.tenders.states import METHOD_LABELS, NOTICE_TYPE_LABELS, TENDER_TABLE, TenderStatus, effective_status
from procurement.tenders.tables import Notice, Tender

PUBLIC_STATUS_FILTERS = Labels(
    {
        "open": N_("正在征集"),
        "closed": N_("已截止"),
        "evaluating": N_("评审中"),
        "awarded": N_("已公布结果"),
        "failed": N_("废标"),
        "cancelled": N_("已终止"),
    }
)


def _out(row: dict[str, Any]) -> NoticeOut:
    status_label = None
    if row.get("tender.status"):
        status_label = TENDER_TABLE.public_label(
            effective_status(row["tender.status"], row["tender.bid_deadline"], clock.now())
        )
        if row["tender.status"] == TenderStatus.PUBLISHED:
            public_pages.changes_at(row["tender.bid_deadline"])  # 正在征集 turns 已截止
    return NoticeOut(
        id=row["id"],
        notice_type=row["notice_type"],
        notice_type_label=NOTICE_TYPE_LABELS.get(row["notice_type"], row["notice_type"]),
        tender_id=row["tender"],
        tender_version=row["tender_version"],
        buyer_id=row["buyer"],
        buyer_name=row["buyer_name"],
        method=row["method"],
        method_label=METHOD_LABELS.get(row["method"], row["method"]),
        category=row["category"],
        category_label=CATEGORY_LABELS.get(row["category"], row["category"]),
        title=row["title"],
        content=row["content"],
        published_at=row["published_at"],
        tender_status_label=status_label,
    )


def encode_cursor(published_at: datetime, notice_id: int) -> str:
    return base64.urlsafe_b64encode(f"{published_at.isoformat()}|{notice_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _unused, ident = raw.partition("|")
        return datetime.fromisoformat(stamp), int(ident)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(field_errors={"cursor": _("翻页参数无效，请从第一页重新浏览。")}) from None


SEARCH_CAP = 500


async def _contains(q: str) -> WhereRaw:
    """Substring search over title and content.

    A probe through the trigram index (SQLite FTS5 for three characters or
    more; PostgreSQL pg_trgm) fetches at most SEARCH_CAP matching ids. A rare
    term yields a few ids, which then filter the list. A common term matches
    everywhere, so the list is better read newest-first with a plain substring
    test that stops after one page: going through the index would sort tens of
    thousands of matches first.
    """
    engine = db.get_engine()
    if db.is_sqlite():
        probe = None
        if len(q) >= 3:
            probe = QueryString(
                "SELECT rowid AS id FROM notice_search WHERE notice_search MATCH {} LIMIT {}",
                '"' + q.replace('"', '""') + '"',
                SEARCH_CAP + 1,
            )
        scan = WhereRaw(
            '(instr(lower("notice"."title"), lower({})) > 0 OR instr(lower("notice"."content"), lower({})) > 0)', q, q
        )
    else:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        probe = QueryString(
            "SELECT id FROM notice WHERE (title || ' ' || content) ILIKE {} LIMIT {}", pattern, SEARCH_CAP + 1
        )
        scan = WhereRaw('strpos(lower("notice"."title" || \' \' || "notice"."content"), lower({})) > 0', q)
    if probe is not None:
        hits = await engine.run_querystring(probe)
        if len(hits) <= SEARCH_CAP:
            return WhereRaw('"notice"."id" IN (' + ",".join(str(int(h["id"])) for h in hits or [{"id": 0}]) + ")")
    return scan


def _status_condition(status: str):
    now = clock.now()
    published = Tender.status == TenderStatus.PUBLISHED
    if status == "open":
        return published & (Tender.bid_deadline > now)
    if status == "closed":
        return (
            (Tender.status == TenderStatus.CLOSED)
            | (published & (Tender.bid_deadline <= now))
            | (Tender.status == TenderStatus.OPENED)
        )
    if status in PUBLIC_STATUS_FILTERS:
        return Tender.status == status
    raise ValidationFailed(field_errors={"status": _("无效的状态筛选。")})


async def list_notices(
    *,
    notice_type: str | None = None,
    method: str | None = None,
    buyer_id: int | None = None,
    category: str | None = None,
    status: str | None = None,
    q: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> NoticeList:
    limit = max(1, min(limit, 100))

    async def load() -> list[dict[str, Any]]:
        query = Notice.select(*Notice.all_columns(), Notice.tender.status, Notice.tender.bid_deadline)
        conditions: list[Combinable] = []
        if notice_type:
            conditions.append(Notice.notice_type == notice_type)
        if method:
            conditions.append(Notice.method == method)
        if buyer_id:
            conditions.append(Notice.buyer == buyer_id)
        if category:
            conditions.append(Notice.category == category)
        if status:
            # Few tenders in a status: filter by their ids (uses the notice.tender
            # index); many: they are everywhere, and reading newest-first stops early.
            ids = await Tender.select(Tender.id).where(_status_condition(status)).limit(SEARCH_CAP + 1)
            if len(ids) <= SEARCH_CAP:
                conditions.append(Notice.tender.is_in([r["id"] for r in ids] or [0]))
            else:
                conditions.append(Notice.tender.is_in(Tender.select(Tender.id).where(_status_condition(status))))
        if date_from:
            conditions.append(Notice.published_at >= clock.to_utc(datetime.combine(date_from, datetime.min.time())))
        if date_to:
            conditions.append(
                Notice.published_at < clock.to_utc(datetime.combine(date_to + timedelta(days=1), datetime.min.time()))
            )
        if q and q.strip():
            conditions.append(await _contains(q.strip()[:50]))
        if cursor:
            at, last_id = decode_cursor(cursor)
            conditions.append((Notice.published_at < at) | ((Notice.published_at == at) & (Notice.id < last_id)))
        for condition in conditions:
            query = query.where(condition)
        return await (
            query.order_by(Notice.published_at, ascending=False).order_by(Notice.id, ascending=False).limit(limit + 1)
        )

    if status:
        rows = await load()  # "open" and "closed" depend on the clock: never cached
    else:
        key = ("notices", notice_type, method, buyer_id, category, q, date_from, date_to, cursor, limit)
        rows = await portal.get(key, load)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]["published_at"], rows[-1]["id"]) if more and rows else None
    return NoticeList(items=[_out(r) for r in rows], next_cursor=next_cursor)


async def get_notice(notice_id: int) -> NoticeOut:
    query = (
        Notice.select(*Notice.all_columns(), Notice.tender.status, Notice.tender.bid_deadline)
        .where(Notice.id == notice_id)
        .first()
    )
    row = await portal.get(("notice", notice_id), lambda: query.run())
    if row is None:
        raise NotFound(_("找不到该公告。"))
    return _out(row)


# Each buyer organization probed once through the notice.buyer index: as fast at
# 100,000 notices as at 100 (a DISTINCT over the notices read the whole table).
_BUYERS_SQL = (
    "SELECT o.id AS buyer, o.name AS buyer_name FROM organization o"
    " WHERE EXISTS (SELECT 1 FROM notice n WHERE n.buyer = o.id) ORDER BY o.id"
)


async def buyers() -> list[dict[str, Any]]:
    """Buyers that have published notices (for the portal's filter), by their names now."""

    async def load() -> list[dict[str, Any]]:
        return await db.get_engine().run_querystring(QueryString(_BUYERS_SQL))

    return list(await portal.get("buyers", load))

"""Use cases of bidding: eligibility, sealed drafts and documents, submission
against the server's deadline (invariant 1), withdrawal, receipts, opening.

Bid content and documents are stored only as ciphertext (``bids.sealing``).
Submission checks the deadline as the last step of its transaction, so a
request that finishes late is refused whole, with no half-saved version.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from datetime import date, datetime
from typing import Any

from piccolo.querystring import QueryString

from procurement.accounts.tables import Organization, User
from procurement.bids import bonds, policies, profiles, rules, sealing
from procurement.bids.schemas import (
    BidContentIn,
    BidDocumentOut,
    BidOut,
    BidSummary,
    CheckOut,
    EligibilityOut,
    ReceiptOut,
    SubmissionOut,
    VerifyReceiptOut,
)
from procurement.bids.states import BID_TABLE, BidStatus
from procurement.bids.tables import Bid, BidDocument, BidSubmission, OpeningRecord
from procurement.core import audit, clock, crypto, db, events
from procurement.core.actors import Actor
from procurement.core.auth import CurrentUser, actor_of
from procurement.core.errors import Conflict, DeadlinePassed, NotFound, ValidationFailed
from procurement.core.i18n import N_, _
from procurement.core.notify import NOTIFICATIONS, notify
from procurement.core.storage import KNOWN_TYPES, FileStore, StoredFile
from procurement.core.transitions import apply_transition
from procurement.settings import get_settings
from procurement.tenders.eligibility_terms import annual_report_year_for
from procurement.tenders.schemas import EligibilityIn, TeamRequirementsIn, VentureTermsIn
from procurement.tenders.states import Method, TenderStatus, effective_status
from procurement.tenders.tables import Tender, TenderLot

ONE_APPLICATION = N_("每家机构在本项目中只能投标（申报）一次：本机构已有投标（申报），请在「我的投标」中继续编辑。")
ALLOWED_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "png")
# Bids that took part in the opening: the buyer's staff and the panel may read them.
OPENED_STATES = (
    BidStatus.OPENED,
    BidStatus.QUALIFIED,
    BidStatus.DISQUALIFIED,
    BidStatus.RESPONSIVE,
    BidStatus.NONRESPONSIVE,
)


# The sealed-bid rule (invariant 2): a receipt's message goes to the bidder's own members
# only and says no more than the receipt shows them (no price, no content).
NOTIFICATIONS.update(
    {
        "bid.receipt": {
            "title": N_("投标回执：{title}"),
            "body": N_(
                "您的投标（申报）文件（第 {version} 次提交）已于 {submitted_at}（北京时间）加密提交，回执编号 {receipt_no}。开标前任何人都无法查看投标内容。"
            ),
        },
    }
)


async def organization_users(org_id: int) -> list[int]:
    """The active accounts of one bidder: the only people told about its bid before the opening."""
    rows = await User.select(User.id).where((User.organization == org_id) & (User.is_active == True))
    return [r["id"] for r in rows]


def file_store() -> FileStore:
    settings = get_settings()
    return FileStore(settings.files_dir, max_bytes=settings.max_file_mb * 1024 * 1024, allowed_types=ALLOWED_TYPES)


def _require_member(user: CurrentUser | None) -> CurrentUser:
    policies.social_org_member(user).require()
    assert user is not None
    return user


# --------------------------------------------------------------------------- eligibility


async def _tender(tender_id: int) -> dict[str, Any]:
    row = await Tender.select().where(Tender.id == tender_id).first()
    if row is None or row["status"] == TenderStatus.DRAFT:
        raise NotFound(_("找不到该项目。"))
    return row


def _requirements(tender: dict[str, Any]) -> EligibilityIn:
    return EligibilityIn(**json.loads(tender["eligibility"] or "{}"))


def _check_out(c: rules.Check) -> CheckOut:
    return CheckOut(requirement=c.requirement, passed=c.passed, reason=c.reason, pending=c.pending)


async def _performance_record(org_id: int, published_at: datetime | None) -> list[rules.Check]:
    """What the provider's evaluations of last year mean for a call published this year
    (a 不合格 bars, an 优秀 or 良好 is noted as a priority: issue 14 §4). The evaluations live
    in the contracts package, which answers the question; none when no package does."""
    year = clock.to_local(published_at).year if published_at is not None else clock.today_local().year
    answers = await events.ask("bids.performance_record", organization_id=org_id, year=year)
    return [
        rules.Check(requirement=c["requirement"], passed=c["passed"], reason=c["reason"])
        for answer in answers
        for c in answer
    ]


async def eligibility(user: CurrentUser, tender_id: int) -> EligibilityOut:
    """Each requirement of the tender (rules 2–6), passed, failed or pending, with why.
    The annual report asked for is judged on the tender's publication day (rule 4)."""
    _require_member(user)
    assert user.organization_id is not None  # a social organization's member (checked above)
    tender = await _tender(tender_id)
    checks = rules.check_eligibility(
        await profiles.profile_data(user.organization_id),
        _requirements(tender),
        clock.today_local(),
        report_year=annual_report_year_for(tender["published_at"]),
        method=tender["method"],
        org_id=user.organization_id,
        invited=json.loads(tender["invited_org_ids"] or "[]"),
        single_source_provider=tender["single_source_provider"],
    )
    checks += await _performance_record(user.organization_id, tender["published_at"])
    return EligibilityOut(
        tender_id=tender_id,
        eligible=not any(c.blocks for c in checks),
        checks=[_check_out(c) for c in checks],
    )


async def pending_checks_for_review(bid_id: int) -> list[CheckOut]:
    """For an opened bid, the eligibility checks that need the buyer officer's judgement at the
    qualification review (rule 4: the project within the charter scope), each with the
    statement the bid carries (and the charter scope it quotes) in its reason. Empty when the
    tender asks for none. NotFound for a bid that did not take part in the opening. The caller
    (the qualification review) decides who may read it; the content is unsealed through
    ``sealing.key_after_opening``."""
    bid = await Bid.select().where(Bid.id == bid_id).first()
    if bid is None or bid["status"] not in OPENED_STATES:
        raise NotFound(_("找不到该投标，或该投标未参加开标。"))
    tender = await Tender.select().where(Tender.id == bid["tender"]).first()
    assert tender is not None  # the bid's tender (foreign key, on delete restrict)
    req = _requirements(tender)
    if not req.charter_scope_required:
        return []
    key = await sealing.key_after_opening(tender)
    last = (
        await BidSubmission.select()
        .where((BidSubmission.bid == bid_id) & (BidSubmission.version == bid["submitted_version"]))
        .first()
    )
    assert last is not None  # an opened bid was submitted; submissions are never deleted
    sealed = json.loads(crypto.decrypt_text(key, last["sealed"], sealing.bid_context(bid_id, f"v{last['version']}")))
    return [_check_out(rules.review_scope_check(sealed["content"], req.scope_keyword))]


# --------------------------------------------------------------------------- bids


def _accepting(tender: dict[str, Any]) -> None:
    """Invariant 1: the server's clock decides."""
    status = effective_status(tender["status"], tender["bid_deadline"], clock.now())
    if status != TenderStatus.PUBLISHED:
        if tender["bid_deadline"] is not None and clock.now() >= tender["bid_deadline"]:
            raise DeadlinePassed(
                _("投标截止时间（{to_local:%Y-%m-%d %H:%M:%S}）已过，以服务器时间为准，不再接受提交或修改。").format(
                    to_local=clock.to_local(tender["bid_deadline"])
                )
            )
        raise DeadlinePassed(_("该项目当前不接受投标。"))


async def _bid(bid_id: int, *, lock: bool = False) -> dict[str, Any]:
    if lock and not db.is_sqlite():  # SQLite: the IMMEDIATE transaction already holds the one write lock
        await db.lock(Bid, Bid.id == bid_id)
    row = await Bid.select().where(Bid.id == bid_id).first()
    if row is None:
        raise NotFound(_("找不到该投标。"))
    return row


def _own(user: CurrentUser, bid: dict[str, Any]) -> Actor:
    """The bid's own organization acts on it; anyone else is told it is not there."""
    decision = policies.bid_owner(user, bid)
    if not decision:
        raise NotFound(decision.reason)  # others do not learn that it exists
    return decision.acting(user)


async def create_bid(user: CurrentUser, tender_id: int, lot_id: int) -> BidOut:
    """Start a draft bid (one per organization per lot; one per call for 公益创投, rule 4)."""
    _require_member(user)
    async with db.transaction():
        tender = await _tender(tender_id)
        _accepting(tender)
        lot = await TenderLot.select().where((TenderLot.id == lot_id) & (TenderLot.tender == tender_id)).first()
        if lot is None:
            raise ValidationFailed(field_errors={"lot_id": _("该项目没有这个标段。")})
        same = Bid.organization == user.organization_id
        if _requirements(tender).one_application:  # rule 4: one application per organization per call
            # An organization's drafts for two lots created at once wait for each other here.
            await db.lock(Organization, Organization.id == user.organization_id)
            if await Bid.exists().where(same & (Bid.tender == tender_id) & (Bid.status != BidStatus.WITHDRAWN)):
                raise ValidationFailed(field_errors={"lot_id": _(ONE_APPLICATION)})
        if await Bid.exists().where(same & (Bid.lot == lot_id)):
            raise ValidationFailed(field_errors={"lot_id": _("本机构已在该标段建立投标，请在「我的投标」中继续编辑。")})
        key = await sealing.ensure_key(tender_id)
        now = clock.now()
        try:
            rows = await Bid.insert(
                Bid(
                    id=await db.random_id(Bid),  # no sequence that would count others' drafts
                    tender=tender_id,
                    lot=lot_id,
                    organization=user.organization_id,
                    status=BidStatus.DRAFT,
                    created_by=user.id,
                    created_at=now,
                    updated_at=now,
                )
            ).returning(Bid.id)
        except Exception as exc:
            if db.is_unique_violation(exc):
                raise ValidationFailed(field_errors={"lot_id": _("本机构已在该标段建立投标。")}) from None
            raise
        bid_id = rows[0]["id"]
        sealed = crypto.encrypt_text(key, BidContentIn().model_dump_json(), sealing.bid_context(bid_id, "draft"))
        await Bid.update({Bid.draft: sealed}).where(Bid.id == bid_id)
        await audit.record(
            "bid.created", "bid", bid_id, actor=actor_of(user), after={"tender_id": tender_id, "lot_id": lot_id}
        )
    return await get_bid(user, bid_id)


async def _quoted_scope(tender: dict[str, Any], org_id: int) -> str:
    """Rule 4: a call that asks for the charter scope gets the profile's charter text quoted
    in the bid (sealed with it), beside the organization's statement."""
    if not _requirements(tender).charter_scope_required:
        return ""
    profile = await profiles.profile_data(org_id)
    return (profile or {}).get("charter_scope") or ""


async def update_bid(user: CurrentUser, bid_id: int, content: BidContentIn) -> BidOut:
    """Save the draft (sealed). A submitted bid edited here must be submitted again to count."""
    _require_member(user)
    async with db.transaction():
        bid = await _bid(bid_id, lock=True)
        actor = _own(user, bid)
        tender = await _tender(bid["tender"])
        _accepting(tender)
        BID_TABLE.decide(bid["status"], "edit", actor)
        key = await sealing.key_for_owner(user, bid)
        content = content.model_copy(update={"charter_scope": await _quoted_scope(tender, bid["organization"])})
        sealed = crypto.encrypt_text(key, content.model_dump_json(), sealing.bid_context(bid_id, "draft"))
        await Bid.update({Bid.draft: sealed, Bid.updated_at: clock.now()}).where(Bid.id == bid_id)
        await audit.record("bid.draft_saved", "bid", bid_id, actor=actor)
    return await get_bid(user, bid_id)


# Everything an upload is checked against, in one statement (issue 11: the Piccolo selects of
# the whole bid and tender rows, twice per upload, were most of its time): the bid's owner and
# status, its tender's status and deadline, the tender's wrapped key (NULL before the first
# sealing) and the bid's documents (their total size; whether this content is already there,
# by the index bid_document_bid_sha256).
_UPLOAD_STATE_SQL = (
    "SELECT b.organization, b.status, b.tender, t.status AS tender_status, t.bid_deadline, k.wrapped,"
    " (SELECT COALESCE(SUM(d.size), 0) FROM bid_document d WHERE d.bid = b.id AND d.removed_at IS NULL) AS total,"
    " (SELECT COUNT(*) FROM bid_document d"
    "  WHERE d.bid = b.id AND d.sha256 = {} AND d.removed_at IS NULL) AS duplicate"
    " FROM bid b JOIN tender t ON t.id = b.tender LEFT JOIN tender_key k ON k.tender = b.tender"
    " WHERE b.id = {}"
)
# A random id (invariant 2, as db.random_id) taken in the insert itself: a taken one inserts nothing.
_INSERT_DOCUMENT_SQL = (
    "INSERT INTO bid_document (id, bid, sha256, blob_sha256, size, doc_type, name_sealed, uploaded_by, uploaded_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (id) DO NOTHING RETURNING id"
)


def _read_and_open(key: bytes, blob_sha256: str, context: bytes) -> tuple[bytes, str]:
    """A stored document's plaintext and its hash (run in a worker thread)."""
    data = crypto.decrypt(key, file_store().read(blob_sha256), context)
    return data, crypto.sha256_hex(data)


# Each worker thread seals documents into a buffer of its own, kept between uploads up to this
# size (issue 11: a fresh megabyte per upload, faulted in page by page, and a second copy to
# put the nonce in front cost more than the encryption itself; larger files get a buffer each).
_KEPT_BUFFER_BYTES = 4 * 1024 * 1024
_buffers = threading.local()


def _seal_and_store(store: FileStore, key: bytes, data: bytes, bid_id: int, sha256: str) -> str:
    """Encrypt a document and write its ciphertext (with fsync): run in a worker thread."""
    size = crypto.sealed_size(len(data))
    buffer: bytearray | None = getattr(_buffers, "sealed", None)
    if buffer is None or len(buffer) < size:
        buffer = bytearray(size)
        if size <= _KEPT_BUFFER_BYTES:
            _buffers.sealed = buffer
    with memoryview(buffer) as whole, whole[:size] as sealed:
        crypto.encrypt_into(key, data, sealing.bid_context(bid_id, f"doc:{sha256}"), sealed)
        return store.save_blob(sealed)


async def _may_add_document(
    user: CurrentUser, bid_id: int, stored: StoredFile, *, lock: bool
) -> tuple[dict[str, Any], str | None]:
    """The bid (its organization, status and tender) and its tender's wrapped key, once its own
    organization may add this document to it now: the bid accepts edits, the file is not there
    yet (by the hash of its content) and the bid's total stays within PROCUREMENT_MAX_BID_TOTAL_MB.
    The same checks, in the same order, as ``_bid``, ``_own``, ``_tender`` and ``_accepting``."""
    settings = get_settings()
    if lock and not db.is_sqlite():
        # The lock first, in a statement of its own: the next statement's snapshot then sees
        # every document committed by whoever held the bid before (one statement locking and
        # counting would count from its own earlier snapshot).
        await db.lock(Bid, Bid.id == bid_id)
    rows = await db.get_engine().run_querystring(QueryString(_UPLOAD_STATE_SQL, stored.sha256, bid_id))
    if not rows:
        raise NotFound(_("找不到该投标。"))
    row = rows[0]
    bid = {"id": bid_id, "organization": row["organization"], "status": row["status"], "tender": row["tender"]}
    actor = _own(user, bid)
    if row["tender_status"] == TenderStatus.DRAFT:
        raise NotFound(_("找不到该项目。"))
    _accepting({"status": row["tender_status"], "bid_deadline": row["bid_deadline"]})
    BID_TABLE.decide(bid["status"], "edit", actor)
    if row["duplicate"]:
        raise ValidationFailed(
            field_errors={"file": _("文件「{original_name}」已经上传过了。").format(original_name=stored.original_name)}
        )
    if int(row["total"]) + stored.size > settings.max_bid_total_mb * 1024 * 1024:
        raise ValidationFailed(
            field_errors={
                "file": _("一份投标的文件合计不能超过 {max_bid_total_mb} MB。").format(
                    max_bid_total_mb=settings.max_bid_total_mb
                )
            }
        )
    return bid, row["wrapped"]


async def upload_document(user: CurrentUser, bid_id: int, filename: str, data: bytes) -> BidDocumentOut:
    """Check the file by its content, then store only its ciphertext; the name is sealed too.

    The slow parts run in worker threads and outside the write transaction: the
    checks and hashing first, then, once a first read has found the upload
    acceptable and fetched the key, the encryption and the fsynced write.
    The write transaction then checks everything again under the bid's lock and
    records the document; if it refuses (a race), the ciphertext just written,
    which nothing else refers to (its random nonce makes it unique), is deleted.
    """
    _require_member(user)
    store = file_store()
    stored = await asyncio.to_thread(store.check, data, filename)
    # Plain reads, without the write lock every other writer would queue behind.
    bid, wrapped = await _may_add_document(user, bid_id, stored, lock=False)
    key = await sealing.key_for_owner(user, bid, wrapped)
    blob_hash = await asyncio.to_thread(_seal_and_store, store, key, data, bid_id, stored.sha256)
    name_sealed = crypto.encrypt_text(key, stored.original_name, sealing.bid_context(bid_id, "name"))
    try:
        async with db.transaction():
            await _may_add_document(user, bid_id, stored, lock=True)
            now = clock.now()
            document_id = None
            while document_id is None:  # a random id already taken (vanishingly rare): draw again
                inserted = await db.get_engine().run_querystring(
                    QueryString(
                        _INSERT_DOCUMENT_SQL,
                        db.random_key(),
                        bid_id,
                        stored.sha256,
                        blob_hash,
                        stored.size,
                        stored.type,
                        name_sealed,
                        user.id,
                        now,
                    )
                )
                document_id = inserted[0]["id"] if inserted else None
            await audit.record(
                "bid.document_uploaded",
                "bid",
                bid_id,
                actor=actor_of(user),
                after={"document_id": document_id, "sha256": stored.sha256, "size": stored.size},
            )
    except BaseException:
        await asyncio.to_thread(store.discard_blob, blob_hash)
        raise
    return BidDocumentOut(
        id=document_id,
        name=stored.original_name,
        sha256=stored.sha256,
        size=stored.size,
        doc_type=stored.type,
        uploaded_at=now,
    )


async def remove_document(user: CurrentUser, bid_id: int, document_id: int) -> None:
    _require_member(user)
    async with db.transaction():
        bid = await _bid(bid_id, lock=True)
        actor = _own(user, bid)
        _accepting(await _tender(bid["tender"]))
        BID_TABLE.decide(bid["status"], "edit", actor)
        done = (
            await BidDocument.update({BidDocument.removed_at: clock.now()})
            .where((BidDocument.id == document_id) & (BidDocument.bid == bid_id) & BidDocument.removed_at.is_null())
            .returning(BidDocument.id)
        )
        if not done:
            raise NotFound(_("找不到该文件。"))
        await audit.record(
            "bid.document_removed", "bid", bid_id, actor=actor_of(user), after={"document_id": document_id}
        )


def _content_hash(content: dict[str, Any], documents: list[dict[str, Any]], tender_version: int, salt: str) -> str:
    """The receipt's hash of one submission. The random ``salt`` is sealed with the
    bid, so a bid with little free text cannot be found by hashing guesses; the
    organization sees it on its receipt and can recompute the hash itself."""
    canonical = json.dumps(
        {
            "content": content,
            "documents": sorted(d["sha256"] for d in documents),
            "tender_version": tender_version,
            "salt": salt,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return crypto.sha256_hex(canonical.encode("utf-8"))


async def _one_application(bid: dict[str, Any]) -> dict[str, str]:
    """Rule 4: with one application per call, another submitted bid of the organization for
    the tender stops this one (the organization's row lock makes two at once wait)."""
    await db.lock(Organization, Organization.id == bid["organization"])
    other = (
        await Bid.select(Bid.lot.name)
        .where(
            (Bid.tender == bid["tender"])
            & (Bid.organization == bid["organization"])
            & (Bid.id != bid["id"])
            & (Bid.status == BidStatus.SUBMITTED)
        )
        .first()
    )
    if other is None:
        return {}
    return {
        "lot_id": _(
            "每家机构在本项目中只能投标（申报）一次：本机构已提交「{lot}」的投标，须先撤回才能提交本投标。"
        ).format(lot=other["lot.name"])
    }


async def submit_bid(user: CurrentUser, bid_id: int) -> ReceiptOut:
    """Submit the current draft as a new version and give a receipt.

    Eligibility, price and team are checked; then, as the very last step
    before commit, the deadline by the server's clock (invariant 1): a request
    that began in time but finishes late is refused and nothing is saved.
    """
    _require_member(user)
    async with db.transaction():
        bid = await _bid(bid_id, lock=True)
        actor = _own(user, bid)
        tender = await _tender(bid["tender"])
        _accepting(tender)
        BID_TABLE.decide(bid["status"], "submit", actor)
        report = await eligibility(user, tender["id"])
        failed = [c for c in report.checks if not c.passed and not c.pending]  # pending: judged after the opening
        if failed:
            raise ValidationFailed(
                _("不符合资格要求，不能提交：") + "；".join(f"{c.requirement}：{c.reason}" for c in failed),
                extra={"failed_requirements": [c.requirement for c in failed]},
            )
        key = await sealing.key_for_owner(user, bid)
        content = json.loads(crypto.decrypt_text(key, bid["draft"], sealing.bid_context(bid_id, "draft")))
        lot = await TenderLot.select().where(TenderLot.id == bid["lot"]).first()
        assert lot is not None  # the bid's lot (foreign key, on delete restrict)
        errors: dict[str, str] = {}
        if tender["method"] == Method.VENTURE:
            errors.update(
                rules.check_venture(
                    content.get("requested_fen"),
                    content.get("matching_fen"),
                    content.get("project_budget_fen"),
                    VentureTermsIn(**json.loads(tender["venture_terms"])),
                )
            )
        else:
            errors.update(rules.check_price(content.get("price_fen"), lot["budget_fen"], lot["max_price_fen"]))
        errors.update(
            rules.check_team(
                content.get("team", []), TeamRequirementsIn(**json.loads(tender["team_requirements"] or "{}"))
            )
        )
        req = _requirements(tender)
        if req.charter_scope_required:  # rule 4: the statement is sealed with the charter text it quotes
            errors.update(rules.scope_statement_error(content))
            content["charter_scope"] = await _quoted_scope(tender, bid["organization"])
        if req.one_application:
            errors.update(await _one_application(bid))
        documents = (
            await BidDocument.select(BidDocument.id, BidDocument.sha256, BidDocument.size, BidDocument.doc_type)
            .where((BidDocument.bid == bid_id) & BidDocument.removed_at.is_null())
            .order_by(BidDocument.id)
        )
        if not documents:
            errors["file"] = _("请至少上传一份投标（申报）文件。")
        if errors:
            raise ValidationFailed(field_errors=errors)
        version = bid["submitted_version"] + 1
        salt = secrets.token_hex(16)
        content_hash = _content_hash(content, documents, tender["version"], salt)
        # Random, not the bid's number: a receipt tells nothing about how many bids there are.
        receipt_no = f"HZ{tender['id']:05d}-{version:02d}-{secrets.token_hex(5).upper()}"
        sealed = crypto.encrypt_text(
            key,
            json.dumps({"content": content, "documents": documents, "salt": salt}, ensure_ascii=False),
            sealing.bid_context(bid_id, f"v{version}"),
        )
        # The deadline decides last: everything above rolls back if the clock has passed it (invariant 1).
        _accepting(await _tender(bid["tender"]))
        now = clock.now()
        await BidSubmission.insert(
            BidSubmission(
                bid=bid_id,
                version=version,
                sealed=sealed,
                content_sha256=content_hash,
                receipt_no=receipt_no,
                tender_version=tender["version"],
                submitted_by=user.id,
                submitted_at=now,
            )
        )
        await apply_transition(
            BID_TABLE,
            Bid,
            bid_id,
            bid["status"],
            "submit",
            actor,
            values={
                Bid.submitted_version: version,
                Bid.tender_version: tender["version"],
                Bid.submitted_at: now,
                Bid.updated_at: now,
                Bid.withdrawn_at: None,
            },
            guard=Bid.submitted_version == bid["submitted_version"],
            audit_action="bid.submitted",
            after={"version": version, "receipt_no": receipt_no, "content_sha256": content_hash},
        )
        if tender["bid_bond_fen"]:
            await bonds.record_bond(tender["id"], bid["organization"], tender["bid_bond_fen"])
        await notify(
            "bid.receipt",
            await organization_users(bid["organization"]),
            {
                "title": tender["title"],
                "version": version,
                "receipt_no": receipt_no,
                "submitted_at": f"{clock.to_local(now):%Y-%m-%d %H:%M:%S}",
                "link": f"/org/receipts/{receipt_no}",
            },
        )
        if clock.now() >= tender["bid_deadline"]:  # the clock moved while we wrote: refuse, roll back everything
            raise DeadlinePassed(_("提交完成时已超过投标截止时间，本次提交无效（以服务器时间为准）。"))
    return await get_receipt(user, receipt_no)


async def withdraw_bid(user: CurrentUser, bid_id: int) -> BidOut:
    """Withdraw before the deadline; it can be submitted again until then."""
    _require_member(user)
    async with db.transaction():
        bid = await _bid(bid_id, lock=True)
        actor = _own(user, bid)
        _accepting(await _tender(bid["tender"]))
        await apply_transition(
            BID_TABLE,
            Bid,
            bid_id,
            bid["status"],
            "withdraw",
            actor,
            values={Bid.withdrawn_at: clock.now(), Bid.updated_at: clock.now()},
            audit_action="bid.withdrawn",
        )
    return await get_bid(user, bid_id)


async def _documents_out(key: bytes, bid_id: int) -> list[BidDocumentOut]:
    docs = (
        await BidDocument.select()
        .where((BidDocument.bid == bid_id) & BidDocument.removed_at.is_null())
        .order_by(BidDocument.id)
    )
    return [
        BidDocumentOut(
            id=d["id"],
            name=crypto.decrypt_text(key, d["name_sealed"], sealing.bid_context(bid_id, "name")),
            sha256=d["sha256"],
            size=d["size"],
            doc_type=d["doc_type"],
            uploaded_at=d["uploaded_at"],
        )
        for d in docs
    ]


async def get_bid(user: CurrentUser, bid_id: int) -> BidOut:
    """The bid with its content: for its own organization; after the opening
    also for the buyer's staff and a panel member who declared no conflict
    (invariants 2 and 5; the panel's predicate comes from evaluation)."""
    bid = await _bid(bid_id)
    owner = policies.bid_owner(user, bid)
    if owner:
        key = await sealing.key_for_owner(user, bid)
    else:
        tender = await Tender.select().where(Tender.id == bid["tender"]).first()
        assert tender is not None  # the bid's tender (foreign key, on delete restrict)
        opened = await OpeningRecord.exists().where(OpeningRecord.tender == bid["tender"])
        if not opened or bid["status"] not in OPENED_STATES or not await policies.opened_reader(user, tender):
            raise NotFound(_("找不到该投标。"))
        key = await sealing.key_after_opening(tender)
    tender = (
        await Tender.select(Tender.title, Tender.bid_deadline, Tender.version).where(Tender.id == bid["tender"]).first()
    )
    lot = await TenderLot.select(TenderLot.name).where(TenderLot.id == bid["lot"]).first()
    org = await Organization.select(Organization.name).where(Organization.id == bid["organization"]).first()
    assert tender is not None and lot is not None and org is not None  # the bid's (foreign keys, on delete restrict)
    subs = (
        await BidSubmission.select(
            BidSubmission.version,
            BidSubmission.receipt_no,
            BidSubmission.content_sha256,
            BidSubmission.submitted_at,
            BidSubmission.tender_version,
        )
        .where(BidSubmission.bid == bid_id)
        .order_by(BidSubmission.version)
    )
    accepting = tender["bid_deadline"] is not None and clock.now() < tender["bid_deadline"]
    documents = await _documents_out(key, bid_id)
    if owner:
        content = json.loads(crypto.decrypt_text(key, bid["draft"], sealing.bid_context(bid_id, "draft")))
    else:  # the bureau reads what was opened: the last submitted version, not a later draft
        last = (
            await BidSubmission.select()
            .where((BidSubmission.bid == bid_id) & (BidSubmission.version == bid["submitted_version"]))
            .first()
        )
        assert last is not None  # an opened bid was submitted; submissions are never deleted
        sealed = json.loads(
            crypto.decrypt_text(key, last["sealed"], sealing.bid_context(bid_id, f"v{last['version']}"))
        )
        content = sealed["content"]
        opened_docs = {d["id"] for d in sealed["documents"]}
        documents = [d for d in documents if d.id in opened_docs]
    return BidOut(
        id=bid_id,
        tender_id=bid["tender"],
        tender_title=tender["title"],
        lot_id=bid["lot"],
        lot_name=lot["name"],
        organization_id=bid["organization"],
        organization_name=org["name"],
        status=bid["status"],
        status_label=BID_TABLE.staff_label(bid["status"]),
        content=BidContentIn(**content),
        documents=documents,
        submissions=[SubmissionOut(**s) for s in subs],
        needs_confirmation=rules.needs_confirmation(bid, tender["version"]),
        bid_deadline=tender["bid_deadline"],
        allowed_actions=BID_TABLE.actions_for(bid["status"], owner.acting(user)) if accepting and owner else [],
    )


async def my_bids(user: CurrentUser) -> list[BidSummary]:
    _require_member(user)
    rows = (
        await Bid.select(
            *Bid.all_columns(exclude=[Bid.draft]),
            Bid.tender.title,
            Bid.tender.bid_deadline,
            Bid.tender.version,
            Bid.lot.name,
        )
        .where(Bid.organization == user.organization_id)
        .order_by(Bid.id, ascending=False)
    )
    out = []
    for r in rows:
        last = (
            await BidSubmission.select(BidSubmission.receipt_no)
            .where(BidSubmission.bid == r["id"])
            .order_by(BidSubmission.version, ascending=False)
            .first()
        )
        out.append(
            BidSummary(
                id=r["id"],
                tender_id=r["tender"],
                tender_title=r["tender.title"],
                lot_name=r["lot.name"],
                status=r["status"],
                status_label=BID_TABLE.staff_label(r["status"]),
                submitted_at=r["submitted_at"],
                needs_confirmation=rules.needs_confirmation(r, r["tender.version"]),
                bid_deadline=r["tender.bid_deadline"],
                last_receipt_no=last["receipt_no"] if last else None,
            )
        )
    return out


async def get_receipt(user: CurrentUser, receipt_no: str) -> ReceiptOut:
    """投标回执: for the submitting organization."""
    sub = await BidSubmission.select().where(BidSubmission.receipt_no == receipt_no).first()
    bid = await _bid(sub["bid"]) if sub is not None else None
    if sub is None or bid is None or not policies.bid_owner(user, bid):
        # Another organization's receipt and a made-up number get the same answer.
        raise NotFound(_("找不到该回执。"))
    key = await sealing.key_for_owner(user, bid)
    tender = await Tender.select(Tender.reference_no, Tender.title).where(Tender.id == bid["tender"]).first()
    lot = await TenderLot.select(TenderLot.name).where(TenderLot.id == bid["lot"]).first()
    assert tender is not None and lot is not None  # the bid's (foreign keys, on delete restrict)
    sealed = json.loads(crypto.decrypt_text(key, sub["sealed"], sealing.bid_context(bid["id"], f"v{sub['version']}")))
    names = {d.id: d for d in await _documents_out(key, bid["id"])}
    all_docs = await BidDocument.select().where(BidDocument.bid == bid["id"])
    by_id = {d["id"]: d for d in all_docs}
    documents = []
    for d in sealed["documents"]:
        row = by_id[d["id"]]
        name = (
            names[d["id"]].name
            if d["id"] in names
            else crypto.decrypt_text(key, row["name_sealed"], sealing.bid_context(bid["id"], "name"))
        )
        documents.append(
            BidDocumentOut(
                id=d["id"],
                name=name,
                sha256=d["sha256"],
                size=d["size"],
                doc_type=d["doc_type"],
                uploaded_at=row["uploaded_at"],
            )
        )
    return ReceiptOut(
        receipt_no=receipt_no,
        bid_id=bid["id"],
        tender_reference_no=tender["reference_no"],
        tender_title=tender["title"],
        lot_name=lot["name"],
        organization_name=user.organization_name,
        version=sub["version"],
        submitted_at=sub["submitted_at"],
        submitted_at_local=f"{clock.to_local(sub['submitted_at']):%Y-%m-%d %H:%M:%S}",
        content_sha256=sub["content_sha256"],
        content_salt=sealed.get("salt"),
        documents=documents,
        bond=await bonds.own_bond(bid["tender"], bid["organization"]),
    )


async def verify_receipt(receipt_no: str, sha256: str) -> VerifyReceiptOut:
    """Public: does this receipt's hash match what was submitted, and was that version opened?"""
    sub = (
        await BidSubmission.select(BidSubmission.bid, BidSubmission.version, BidSubmission.content_sha256)
        .where(BidSubmission.receipt_no == receipt_no.strip().upper())
        .first()
    )
    if sub is None:
        return VerifyReceiptOut(
            receipt_found=False,
            hash_matches=False,
            opened=False,
            counted_at_opening=None,
            message=_("没有这个回执编号。"),
        )
    matches = sub["content_sha256"] == sha256.lower()
    bid = await Bid.select(Bid.tender, Bid.submitted_version, Bid.status).where(Bid.id == sub["bid"]).first()
    assert bid is not None  # the submission's bid (foreign key, on delete restrict)
    opening = await OpeningRecord.select(OpeningRecord.record).where(OpeningRecord.tender == bid["tender"]).first()
    if opening is None:
        return VerifyReceiptOut(
            receipt_found=True,
            hash_matches=matches,
            opened=False,
            counted_at_opening=None,
            message=(_("哈希值与该回执提交的内容一致。") if matches else _("哈希值与该回执提交的内容不一致！"))
            + _("项目尚未开标。"),
        )
    counted = any(b["receipt_no"] == receipt_no.strip().upper() for b in json.loads(opening["record"])["bidders"])
    if not matches:
        message = _("哈希值与该回执提交时记录的内容不一致！请核对回执上的哈希值。")
    elif counted:
        message = _("哈希值一致，开标时启封的正是该回执对应的版本。")
    else:
        message = _("哈希值一致，但开标时启封的不是该回执对应的版本（已被后续提交取代、撤回或未确认）。")
    return VerifyReceiptOut(
        receipt_found=True, hash_matches=matches, opened=True, counted_at_opening=counted, message=message
    )


async def download_document(user: CurrentUser, bid_id: int, document_id: int) -> tuple[str, str, bytes]:
    """A document's plaintext: for the bid's own organization, or the buyer's
    staff after the opening (the same gate as ``get_bid``)."""
    out = await get_bid(user, bid_id)  # raises for anyone else
    doc = next((d for d in out.documents if d.id == document_id), None)
    if doc is None:
        raise NotFound(_("找不到该文件。"))
    bid = await _bid(bid_id)
    row = await BidDocument.select().where(BidDocument.id == document_id).first()
    assert row is not None  # one of the bid's documents (found above); documents are never deleted
    if user.organization_id == bid["organization"]:
        key = await sealing.key_for_owner(user, bid)
    else:
        tender = await Tender.select().where(Tender.id == bid["tender"]).first()
        assert tender is not None  # the bid's tender (foreign key, on delete restrict)
        key = await sealing.key_after_opening(tender)
    damaged = Conflict(
        _("文件「{name}」在服务器上已损坏或被改动，无法解密，未提供下载。请联系系统管理员从备份恢复。").format(
            name=doc.name
        )
    )
    try:
        # Reading, decrypting and hashing a file of up to 20 MB: in a worker thread.
        data, digest = await asyncio.to_thread(
            _read_and_open, key, row["blob_sha256"], sealing.bid_context(bid_id, f"doc:{row['sha256']}")
        )
    except crypto.SealBroken:
        raise damaged from None
    if digest != row["sha256"]:
        raise damaged
    return doc.name, KNOWN_TYPES[row["doc_type"]], data


# --------------------------------------------------------------------------- the owner's steps
#
# Evaluation changes a bid's status only through these functions.


async def record_qualification(bid: dict[str, Any], passed: bool, actor: Actor, *, reason: str) -> str:
    """资格审查 of an opened bid by the buyer's officer (rule 41): qualified, or out."""
    return await apply_transition(
        BID_TABLE,
        Bid,
        bid["id"],
        bid["status"],
        "qualify" if passed else "disqualify",
        actor,
        values={Bid.updated_at: clock.now()},
        after={"reason": reason},
    )


async def record_compliance(bid: dict[str, Any], responsive: bool, actor: Actor, *, reason: str) -> str:
    """符合性审查 of a qualified bid by the panel, recorded by its chair (rule 41): scored, or out."""
    return await apply_transition(
        BID_TABLE,
        Bid,
        bid["id"],
        bid["status"],
        "respond" if responsive else "not_respond",
        actor,
        values={Bid.updated_at: clock.now()},
        after={"reason": reason},
    )


async def reject_low_price(bid: dict[str, Any], actor: Actor, *, note: str) -> str:
    """Rule 23: the panel's chair did not accept the written explanation; the bid is invalid."""
    return await apply_transition(
        BID_TABLE,
        Bid,
        bid["id"],
        bid["status"],
        "reject_low_price",
        actor,
        values={Bid.updated_at: clock.now()},
        after={"note": note},
    )


# --------------------------------------------------------------------------- for the contracts package


async def schedule_winner_bond_refund(tender_id: int, winner_org_id: int, signed_day: date) -> int:
    """Rule 29: the winner's bid bond falls due 5 working days after the contract is
    signed. Called by contracts in the transaction that activates the contract; bids
    writes its own bond rows."""
    return await bonds.schedule_refund_after_signing(tender_id, winner_org_id, signed_day)


async def awarded_bid_content(bid_id: int) -> BidContentIn:
    """What an opened bid promised (its team, its price, a 公益创投 request and matching
    funds), as the bureau read it at the opening: the last submitted version. Only for
    a bid that was opened; the contracts package copies the promised team from it."""
    bid = await _bid(bid_id)
    if bid["status"] not in OPENED_STATES:
        raise NotFound(_("找不到该投标。"))
    tender = await Tender.select().where(Tender.id == bid["tender"]).first()
    assert tender is not None  # the bid's tender (foreign key, on delete restrict)
    key = await sealing.key_after_opening(tender)
    last = (
        await BidSubmission.select()
        .where((BidSubmission.bid == bid_id) & (BidSubmission.version == bid["submitted_version"]))
        .first()
    )
    assert last is not None  # an opened bid was submitted; submissions are never deleted
    sealed = json.loads(crypto.decrypt_text(key, last["sealed"], sealing.bid_context(bid_id, f"v{last['version']}")))
    return BidContentIn(**sealed["content"])

"""Bidding through the JSON API on a real database (SQLite, or PostgreSQL with
DATABASE_URL): eligibility (rules 2–6), hostile uploads, documents sealed at
rest, receipts and their verification, versions, amendments (rule 16), the
opening and 废标 with too few bids (rules 18, 29), bid bonds and one
application per 公益创投 call (rule 4).

The deadline race and the sealed-bid invariant have their own files
(test_bid_deadline.py, test_sealed_bids.py). Sessions last 12 hours, so every
block that freezes the clock past a deadline signs in again inside it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from procurement.accounts.states import OrgKind, Role
from procurement.accounts.tables import User
from procurement.bids import services
from procurement.bids.opening import open_due_tenders
from procurement.bids.tables import Bid, BidBond, BidDocument, BidSubmission, OpeningRecord
from procurement.core import clock, storage
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.core.errors import NotFound
from procurement.settings import get_settings
from procurement.tenders.tables import Notice, Tender, TenderLot
from tests.integration.bid_helpers import PDF, draft_bid, published_tender, upload
from tests.integration.conftest import api_login

OPEN_DEMO = "清波街道居家养老上门服务项目"  # open, requires scope 养老 and grade 3A
CLOSED_DEMO = "湖滨街道社区矫正对象帮教服务项目"  # past its deadline, three submitted bids
VENTURE_DEMO = "2027 年度上城区社区公益创投项目征集"
# What the open demo tender asks of the team (3 licensed workers, an intermediate lead, a supervisor).
OPEN_DEMO_TEAM = [
    {"name": "王芳", "level": "intermediate", "role": "lead", "certificate_no": "ZS2019001"},
    {"name": "李强", "level": "assistant", "role": "member", "certificate_no": "ZL2021017"},
    {"name": "张敏", "level": "assistant", "role": "supervisor", "certificate_no": "ZL2022033"},
]
DEMO_PRICES = {
    "杭州市上城区幸福家社会工作服务中心": 33_800_000,
    "上城区清波颐乐养老服务社": 34_650_000,
    "上城区阳光青少年成长服务中心": 32_900_000,
}


# --------------------------------------------------------------------------- helpers


async def demo_tender(title: str) -> dict:
    row = await Tender.select(Tender.id).where(Tender.title == title).first()
    lot = await TenderLot.select(TenderLot.id).where(TenderLot.tender == row["id"]).first()
    return {"id": row["id"], "lot_id": lot["id"]}


async def deadline_of(tender_id: int) -> datetime:
    return (await Tender.select(Tender.bid_deadline).where(Tender.id == tender_id).first())["bid_deadline"]


async def past_deadline(tender_id: int) -> datetime:
    """A moment just after the tender's deadline (= its opening time)."""
    return await deadline_of(tender_id) + timedelta(minutes=1)


async def ready_bid(
    client, username: str, tender: dict, *, price_fen: int = 35_000_000, data: bytes | None = None
) -> tuple[dict, dict, dict]:
    """A draft with a price, a team and one document: ready to submit."""
    bid, headers = await draft_bid(client, username, tender, price_fen=price_fen)
    uploaded = await upload(client, headers, bid["id"], "投标文件.pdf", data or PDF + username.encode())
    assert uploaded.status_code == 201, uploaded.text
    return bid, headers, uploaded.json()


async def submit(client, headers: dict, bid_id: int):
    return await client.post(f"/api/v1/bids/{bid_id}/submit", headers=headers)


async def submitted_bid(client, username: str, tender: dict, **kwargs) -> tuple[dict, dict, dict]:
    bid, headers, _ = await ready_bid(client, username, tender, **kwargs)
    receipt = await submit(client, headers, bid["id"])
    assert receipt.status_code == 200, receipt.text
    return bid, headers, receipt.json()


async def documents_of(client, headers: dict, bid_id: int) -> tuple[int, int]:
    """The bid's documents as the API shows them, and the rows in the table."""
    shown = (await client.get(f"/api/v1/bids/{bid_id}", headers=headers)).json()["documents"]
    return len(shown), await BidDocument.count().where(BidDocument.bid == bid_id)


async def org_id_of(client, username: str) -> int:
    headers = await api_login(client, username)
    return (await client.get("/api/v1/eligibility/profile", headers=headers)).json()["organization_id"]


async def member(username: str) -> CurrentUser:
    """The organization member as the services see it (for calls the API cannot carry)."""
    row = await User.select(User.id, User.organization, User.organization.name).where(User.username == username).first()
    return CurrentUser(
        row["id"],
        username,
        username,
        Role.ORG_MEMBER,
        row["organization"],
        row["organization.name"],
        OrgKind.SOCIAL_ORG,
        0,
        "",
        "cli",
    )


async def verify(client, receipt_no: str, sha256: str) -> dict:
    response = await client.post("/api/v1/receipts/verify", json={"receipt_no": receipt_no, "sha256": sha256})
    assert response.status_code == 200, response.text
    return response.json()


async def amendment_body(client, officer: dict, tender_id: int, **changes) -> dict:
    """The tender as it stands, as an AmendTenderIn (see test_tenders_api.payload)."""
    t = (await client.get(f"/api/v1/tenders/{tender_id}", headers=officer)).json()
    body = {
        "title": t["title"],
        "method": t["method"],
        "catalogue_item_id": t["catalogue_item_id"],
        "description": t["description"],
        "lots": [
            {"name": lot["name"], "budget_fen": lot["budget_fen"], "max_price_fen": lot["max_price_fen"]}
            for lot in t["lots"]
        ],
        "bid_bond_fen": t["bid_bond_fen"],
        "eligibility": t["eligibility"],
        "team_requirements": t["team_requirements"],
        "evaluation_scheme": t["evaluation_scheme"],
        "payment_schedule": t["payment_schedule"],
        "bid_deadline": clock.to_local(datetime.fromisoformat(t["bid_deadline"])).replace(tzinfo=None).isoformat(),
    }
    body.update(changes)
    return body


# --------------------------------------------------------------------------- eligibility (rules 2–6)


async def test_a_charter_scope_is_pending_for_the_qualification_review_not_a_text_match_rule_4(client):
    """A "为老助残" organization is not refused by a "养老" tender: it states its scope and waits."""
    demo = await demo_tender(OPEN_DEMO)
    xingfujia = await api_login(client, "xingfujia")
    response = await client.get(f"/api/v1/eligibility/tenders/{demo['id']}", headers=xingfujia)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["eligible"] is True
    assert [c for c in report["checks"] if not c["passed"] and not c["pending"]] == []
    pending = [c for c in report["checks"] if c["pending"]]
    assert [c["requirement"] for c in pending] == ["项目属于机构章程业务范围"]
    assert pending[0]["passed"] is False
    assert "待资格审查确认" in pending[0]["reason"] and "为老助残" in pending[0]["reason"]


async def test_a_bid_without_the_scope_statement_is_refused_and_nothing_is_written_rule_4(client):
    demo = await demo_tender(OPEN_DEMO)
    bid, headers, _ = await ready_bid(client, "xingfujia", demo, price_fen=120_000_000)
    content = (await client.get(f"/api/v1/bids/{bid['id']}", headers=headers)).json()["content"]
    assert "为老助残" in content["charter_scope"]  # quoted from the profile when the draft was saved
    content["team"] = OPEN_DEMO_TEAM
    blank = await client.put(f"/api/v1/bids/{bid['id']}", headers=headers, json={**content, "scope_statement": " "})
    assert blank.status_code == 200, blank.text
    response = await submit(client, headers, bid["id"])
    assert response.status_code == 422, response.text
    problem = response.json()
    assert set(problem["errors"]) == {"scope_statement"} and "业务范围说明" in problem["errors"]["scope_statement"]
    assert await BidSubmission.count().where(BidSubmission.bid == bid["id"]) == 0
    assert await BidBond.count().where(BidBond.tender == demo["id"]) == 0
    row = await Bid.select(Bid.status, Bid.submitted_version).where(Bid.id == bid["id"]).first()
    assert row == {"status": "draft", "submitted_version": 0}

    statement = "章程中的「为老助残」包括为老年人提供居家照料服务，涵盖本项目的居家养老上门服务。"
    said = await client.put(
        f"/api/v1/bids/{bid['id']}", headers=headers, json={**content, "scope_statement": statement}
    )
    assert said.status_code == 200, said.text
    receipt = await submit(client, headers, bid["id"])
    assert receipt.status_code == 200, receipt.text
    # Sealed with the bid: after the opening the buyer's officer reads the statement and the quoted scope.
    with clock.frozen(await past_deadline(demo["id"])):
        await open_due_tenders()
        checks = await services.pending_checks_for_review(bid["id"])
    assert [c.requirement for c in checks] == ["项目属于机构章程业务范围"]
    assert checks[0].pending and statement in checks[0].reason and "为老助残" in checks[0].reason


async def test_pending_checks_for_review_are_there_only_for_opened_bids_of_calls_that_ask(client):
    demo = await demo_tender(OPEN_DEMO)
    bid, headers, _ = await ready_bid(client, "yile", demo)
    content = (await client.get(f"/api/v1/bids/{bid['id']}", headers=headers)).json()["content"]
    saved = await client.put(f"/api/v1/bids/{bid['id']}", headers=headers, json={**content, "team": OPEN_DEMO_TEAM})
    assert saved.status_code == 200, saved.text
    submitted = await submit(client, headers, bid["id"])
    assert submitted.status_code == 200, submitted.text
    try:  # before the opening nobody reads it through here (invariant 2)
        await services.pending_checks_for_review(bid["id"])
        raise AssertionError("a sealed bid was read")
    except NotFound:
        pass
    closed = await demo_tender(CLOSED_DEMO)  # asks for no charter scope
    opened = await Bid.select(Bid.id).where(Bid.tender == closed["id"]).first()
    with clock.frozen(await past_deadline(closed["id"])):
        await open_due_tenders()
        assert await services.pending_checks_for_review(opened["id"]) == []


async def test_an_ineligible_organization_is_refused_at_submission_and_nothing_is_written(client):
    demo = await demo_tender(OPEN_DEMO)
    bid, headers, _ = await ready_bid(client, "xingfujia", demo, price_fen=120_000_000)
    profile = (await client.get("/api/v1/eligibility/profile", headers=headers)).json()
    fields = ("registration_type", "registration_date", "charter_scope", "grade", "grade_awarded_on", "annual_reports")
    changed = await client.put("/api/v1/eligibility/profile", headers=headers, json={k: profile[k] for k in fields})
    assert changed.status_code == 200, changed.text  # a change waits for the bureau again
    response = await submit(client, headers, bid["id"])
    assert response.status_code == 422, response.text
    problem = response.json()
    assert "不符合资格要求" in problem["detail"] and "尚未经民政局确认" in problem["detail"]
    assert problem["failed_requirements"] == ["资格资料经民政局确认"]
    assert await BidSubmission.count().where(BidSubmission.bid == bid["id"]) == 0
    assert await BidBond.count().where(BidBond.tender == demo["id"]) == 0
    row = await Bid.select(Bid.status, Bid.submitted_version).where(Bid.id == bid["id"]).first()
    assert row == {"status": "draft", "submitted_version": 0}


async def test_an_organization_meeting_every_requirement_is_eligible(client):
    demo = await demo_tender(OPEN_DEMO)
    yile = await api_login(client, "yile")
    report = (await client.get(f"/api/v1/eligibility/tenders/{demo['id']}", headers=yile)).json()
    assert report["eligible"] is True, [c for c in report["checks"] if not c["passed"] and not c["pending"]]
    assert all(c["reason"] for c in report["checks"])


async def test_changing_the_profile_needs_the_bureaus_confirmation_again(client):
    demo = await demo_tender(OPEN_DEMO)
    yile = await api_login(client, "yile")
    profile = (await client.get("/api/v1/eligibility/profile", headers=yile)).json()
    assert profile["confirmed_at"] is not None
    changed = await client.put(
        "/api/v1/eligibility/profile",
        headers=yile,
        json={
            "registration_type": profile["registration_type"],
            "registration_date": profile["registration_date"],
            "charter_scope": profile["charter_scope"] + "、社区养老服务站运营",
            "grade": profile["grade"],
            "grade_awarded_on": profile["grade_awarded_on"],
            "annual_reports": profile["annual_reports"],
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["confirmed_at"] is None

    report = (await client.get(f"/api/v1/eligibility/tenders/{demo['id']}", headers=yile)).json()
    assert report["eligible"] is False
    failed = [c for c in report["checks"] if not c["passed"] and not c["pending"]]
    assert len(failed) == 1 and "尚未经民政局确认" in failed[0]["reason"]

    org_id = profile["organization_id"]
    assert (await client.post(f"/api/v1/eligibility/profile/{org_id}/confirm", headers=yile)).status_code == 403
    officer = await api_login(client, "officer")
    confirmed = await client.post(f"/api/v1/eligibility/profile/{org_id}/confirm", headers=officer)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed_at"] is not None
    report = (await client.get(f"/api/v1/eligibility/tenders/{demo['id']}", headers=yile)).json()
    assert report["eligible"] is True


# --------------------------------------------------------------------------- upload attacks


async def test_an_oversize_file_is_refused_with_the_limit_in_chinese(client, monkeypatch):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    monkeypatch.setattr(get_settings(), "max_file_mb", 1)
    big = PDF + b"0" * (int(1.1 * 1024 * 1024) - len(PDF))
    response = await upload(client, headers, bid["id"], "大文件.pdf", big)
    assert response.status_code == 422, response.text
    assert "超过大小上限 1 MB" in response.json()["detail"]
    assert await documents_of(client, headers, bid["id"]) == (0, 0)


async def test_an_html_page_named_pdf_is_refused_because_types_are_judged_by_content(client):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script>%PDF-1.4</body></html>"
    response = await upload(client, headers, bid["id"], "good.pdf", html)
    assert response.status_code == 422, response.text
    assert "不是允许的类型" in response.json()["detail"] and "按文件内容判断" in response.json()["detail"]
    assert await documents_of(client, headers, bid["id"]) == (0, 0)


async def test_an_executable_named_docx_is_refused(client):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    exe = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        + b"\x00" * 200
        + b"This program cannot be run in DOS mode."
    )
    response = await upload(client, headers, bid["id"], "x.docx", exe)
    assert response.status_code == 422, response.text
    assert "不是允许的类型" in response.json()["detail"]
    assert await documents_of(client, headers, bid["id"]) == (0, 0)


def _files_under(root: Path) -> set[Path]:
    return {p.resolve() for p in root.rglob("*") if p.is_file()}


async def test_a_path_traversal_name_is_stored_sanitized_and_nothing_lands_outside_the_file_store(client, monkeypatch):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    settings = get_settings()
    files_dir = Path(settings.files_dir).resolve()
    before = _files_under(Path(settings.var_dir))
    received: list[str] = []
    real_sanitize = storage.sanitize_filename

    def spy(name: str, *args, **kwargs) -> str:
        received.append(name)
        return real_sanitize(name, *args, **kwargs)

    monkeypatch.setattr(storage, "sanitize_filename", spy)
    response = await upload(client, headers, bid["id"], "../../etc/passwd.pdf", PDF + b"traversal")
    assert response.status_code == 201, response.text
    assert "../../etc/passwd.pdf" in received  # the hostile name really reached the application
    name = response.json()["name"]
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.endswith("passwd.pdf")
    shown = (await client.get(f"/api/v1/bids/{bid['id']}", headers=headers)).json()["documents"]
    assert [d["name"] for d in shown] == [name]

    new = _files_under(Path(settings.var_dir)) - before
    outside = [p for p in new if files_dir not in p.parents and not p.name.endswith(("-journal", "-wal", "-shm"))]
    assert not outside, outside
    assert all(len(p.name) == 64 for p in new if files_dir in p.parents), new
    for base in (files_dir, Path(settings.var_dir), Path.cwd()):
        assert not (base / "../../etc/passwd.pdf").resolve().exists()
    assert not Path("/etc/passwd.pdf").exists()


async def test_a_5000_character_name_is_refused_saying_so_and_a_200_character_one_is_kept(client):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    long_name = "很长的文件名" * 833 + ".pdf"
    assert len(long_name) == 5002
    # Through multipart the part header (15 KB here) exceeds the parser's 4 KB
    # header-line limit: still a 422 that names the problem, nothing stored.
    response = await upload(client, headers, bid["id"], long_name, PDF + b"long name")
    assert response.status_code == 422, response.text
    assert "文件名过长" in response.json()["detail"]
    assert await documents_of(client, headers, bid["id"]) == (0, 0)
    # A name multipart lets through but over 200 characters: refused by the store.
    response = await upload(client, headers, bid["id"], "很长的文件名" * 200 + ".pdf", PDF + b"long name")
    assert response.status_code == 422, response.text
    assert "文件名过长（1204 个字，最多 200 个字）" in response.json()["detail"]
    # And the service refuses the full 5,000 characters the same way.
    user = await member("xingfujia")
    try:
        await services.upload_document(user, bid["id"], long_name, PDF + b"long name, via the service")
    except storage.ValidationFailed as exc:
        assert "文件名过长（5002 个字，最多 200 个字）" in exc.message
    else:
        raise AssertionError("a 5,002-character name was accepted")
    assert await documents_of(client, headers, bid["id"]) == (0, 0)
    # 200 characters is kept whole.
    response = await upload(client, headers, bid["id"], "很长的文件名" * 32 + "文件名称.pdf", PDF + b"long name")
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "很长的文件名" * 32 + "文件名称.pdf"


async def test_an_empty_file_is_refused(client):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    response = await upload(client, headers, bid["id"], "空文件.pdf", b"")
    assert response.status_code == 422, response.text
    assert "为空" in response.json()["detail"]
    assert await documents_of(client, headers, bid["id"]) == (0, 0)


async def test_the_same_file_uploaded_twice_is_refused_the_second_time(client):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    assert (await upload(client, headers, bid["id"], "方案.pdf", PDF + b"once")).status_code == 201
    again = await upload(client, headers, bid["id"], "方案-副本.pdf", PDF + b"once")
    assert again.status_code == 422, again.text
    assert "已经上传过了" in again.json()["detail"]
    assert await documents_of(client, headers, bid["id"]) == (1, 1)


async def test_the_total_size_of_a_bids_files_is_limited(client, monkeypatch):
    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    monkeypatch.setattr(get_settings(), "max_bid_total_mb", 1)
    assert (await upload(client, headers, bid["id"], "一.pdf", PDF + b"a" * 600_000)).status_code == 201
    response = await upload(client, headers, bid["id"], "二.pdf", PDF + b"b" * 600_000)
    assert response.status_code == 422, response.text
    assert "合计不能超过 1 MB" in response.json()["detail"]
    assert await documents_of(client, headers, bid["id"]) == (1, 1)


async def test_concurrent_uploads_to_one_bid_are_each_saved_exactly_once(client):
    """Issue 11: the first checks read without the write lock, so 30 uploads at once race
    to the write transaction; each distinct file is saved once with its audit row and a
    file sent twice at once is saved once and refused once (SQLite and PostgreSQL)."""
    import asyncio

    from procurement.core.tables import AuditEvent

    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    files = [PDF + f"concurrent {n}".encode() for n in range(25)] + [PDF + f"concurrent {n}".encode() for n in range(5)]
    audited = await AuditEvent.count().where(
        (AuditEvent.action == "bid.document_uploaded") & (AuditEvent.entity_id == str(bid["id"]))
    )
    answers = await asyncio.gather(
        *(upload(client, headers, bid["id"], f"{n}.pdf", data) for n, data in enumerate(files))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 25 + [422] * 5, [a.text for a in answers if a.status_code not in (201, 422)]
    assert all("已经上传过了" in a.json()["detail"] for a in answers if a.status_code == 422)
    rows = await BidDocument.select(BidDocument.sha256, BidDocument.blob_sha256).where(BidDocument.bid == bid["id"])
    assert len(rows) == 25 and len({r["sha256"] for r in rows}) == 25
    assert await documents_of(client, headers, bid["id"]) == (25, 25)
    store = services.file_store()
    assert all(store.exists(r["blob_sha256"]) for r in rows)
    assert (
        await AuditEvent.count().where(
            (AuditEvent.action == "bid.document_uploaded") & (AuditEvent.entity_id == str(bid["id"]))
        )
        == audited + 25
    )


async def test_an_upload_whose_file_cannot_be_made_durable_fails_and_saves_nothing(client, monkeypatch):
    """The ciphertext is fsynced before the document is recorded: an fsync that fails
    fails the upload, leaves no row, no audit row and no file behind."""
    import os

    from procurement.core.tables import AuditEvent

    tender = await published_tender(client)
    bid, headers = await draft_bid(client, "xingfujia", tender)
    store = services.file_store()
    before = {p for p in store.root.rglob("*") if p.is_file()} if store.root.exists() else set()
    audited = await AuditEvent.count().where(AuditEvent.action == "bid.document_uploaded")

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    response = await upload(client, headers, bid["id"], "不落盘.pdf", PDF + b"not durable")
    monkeypatch.undo()
    assert response.status_code == 500
    assert await documents_of(client, headers, bid["id"]) == (0, 0)
    assert await AuditEvent.count().where(AuditEvent.action == "bid.document_uploaded") == audited
    assert {p for p in store.root.rglob("*") if p.is_file()} == before


# --------------------------------------------------------------------------- documents sealed at rest


async def test_documents_are_ciphertext_on_disk_and_plaintext_to_the_owner_and_after_opening_the_bureau(client):
    tender = await published_tender(client)
    marker = f"PLAINTEXT-MARKER-{uuid.uuid4().hex}".encode()
    data = PDF + marker
    bid, owner, doc = await ready_bid(client, "xingfujia", tender, data=data)
    row = await BidDocument.select().where(BidDocument.id == doc["id"]).first()
    blob_path = Path(get_settings().files_dir) / row["blob_sha256"][:2] / row["blob_sha256"][2:4] / row["blob_sha256"]
    blob = blob_path.read_bytes()
    assert marker not in blob and not blob.startswith(b"%PDF") and PDF not in blob
    assert row["sha256"] != row["blob_sha256"]

    url = f"/api/v1/bids/{bid['id']}/documents/{doc['id']}"
    own = await client.get(url, headers=owner)
    assert own.status_code == 200 and own.content == data
    assert own.headers["content-type"].startswith("application/pdf")
    officer = await api_login(client, "officer")
    assert (await client.get(url, headers=officer)).status_code == 404  # sealed until the opening
    assert (await submit(client, owner, bid["id"])).status_code == 200

    with clock.frozen(await past_deadline(tender["id"])):
        officer = await api_login(client, "officer")
        assert (await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)).status_code == 200
        opened = await client.get(url, headers=officer)
        assert opened.status_code == 200, opened.text
        assert opened.content == data


async def test_a_tampered_blob_makes_the_download_fail_clearly_not_with_a_server_error(client):
    tender = await published_tender(client)
    data = PDF + f"TAMPER-{uuid.uuid4().hex}".encode()
    bid, owner, doc = await ready_bid(client, "xingfujia", tender, data=data)
    assert (await submit(client, owner, bid["id"])).status_code == 200
    row = await BidDocument.select().where(BidDocument.id == doc["id"]).first()
    blob_path = Path(get_settings().files_dir) / row["blob_sha256"][:2] / row["blob_sha256"][2:4] / row["blob_sha256"]
    blob = bytearray(blob_path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    blob_path.write_bytes(bytes(blob))

    url = f"/api/v1/bids/{bid['id']}/documents/{doc['id']}"
    response = await client.get(url, headers=owner)
    assert response.status_code == 409, (response.status_code, response.text)
    assert "损坏" in response.json()["detail"] and data not in response.content
    with clock.frozen(await past_deadline(tender["id"])):
        officer = await api_login(client, "officer")
        assert (await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)).status_code == 200
        response = await client.get(url, headers=officer)
        assert response.status_code == 409, (response.status_code, response.text)
        assert "损坏" in response.json()["detail"]


# --------------------------------------------------------------------------- receipts


async def test_a_receipts_hash_verifies_publicly_before_the_opening(client):
    tender = await published_tender(client)
    _, _, receipt = await submitted_bid(client, "xingfujia", tender)
    assert receipt["version"] == 1 and len(receipt["content_sha256"]) == 64
    result = await verify(client, receipt["receipt_no"], receipt["content_sha256"])
    assert result["receipt_found"] is True and result["hash_matches"] is True
    assert result["opened"] is False and result["counted_at_opening"] is None
    assert "尚未开标" in result["message"]
    upper = await verify(client, receipt["receipt_no"].lower(), receipt["content_sha256"].upper())
    assert upper["hash_matches"] is True


async def test_a_changed_hash_does_not_match_its_receipt(client):
    tender = await published_tender(client)
    _, _, receipt = await submitted_bid(client, "xingfujia", tender)
    digest = receipt["content_sha256"]
    changed = ("0" if digest[0] != "0" else "1") + digest[1:]
    result = await verify(client, receipt["receipt_no"], changed)
    assert result["receipt_found"] is True and result["hash_matches"] is False
    assert "不一致" in result["message"]


async def test_an_unknown_receipt_number_is_reported_as_unknown(client):
    result = await verify(client, "HZ99999-999999-01-ABCDEF", "a" * 64)
    assert result == {
        "receipt_found": False,
        "hash_matches": False,
        "opened": False,
        "counted_at_opening": None,
        "message": "没有这个回执编号。",
    }


async def test_after_opening_only_the_last_version_counts_and_a_superseded_one_says_so(client):
    tender = await published_tender(client)
    bid, headers, first = await submitted_bid(client, "xingfujia", tender)
    await client.put(
        f"/api/v1/bids/{bid['id']}",
        headers=headers,
        json={
            "price_fen": 34_000_000,
            "answers": {"c1": "修改后的方案"},
            "team": [{"name": "负责人", "level": "intermediate", "role": "lead"}],
        },
    )
    second = await submit(client, headers, bid["id"])
    assert second.status_code == 200, second.text
    second = second.json()
    with clock.frozen(await past_deadline(tender["id"])):
        officer = await api_login(client, "officer")
        record = (await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)).json()
        assert [b["receipt_no"] for b in record["bidders"]] == [second["receipt_no"]]
        assert record["bidders"][0]["amount_fen"] == 34_000_000
        last = await verify(client, second["receipt_no"], second["content_sha256"])
        earlier = await verify(client, first["receipt_no"], first["content_sha256"])
    assert last["opened"] is True and last["hash_matches"] is True and last["counted_at_opening"] is True
    assert earlier["opened"] is True and earlier["hash_matches"] is True and earlier["counted_at_opening"] is False
    assert "不是该回执对应的版本" in earlier["message"]


# --------------------------------------------------------------------------- versions


async def test_submitting_twice_makes_versions_1_and_2_with_different_receipts(client):
    tender = await published_tender(client)
    bid, headers, first = await submitted_bid(client, "xingfujia", tender)
    second = (await submit(client, headers, bid["id"])).json()
    assert (first["version"], second["version"]) == (1, 2)
    assert first["receipt_no"] != second["receipt_no"]
    shown = (await client.get(f"/api/v1/bids/{bid['id']}", headers=headers)).json()
    assert [(s["version"], s["receipt_no"]) for s in shown["submissions"]] == [
        (1, first["receipt_no"]),
        (2, second["receipt_no"]),
    ]
    assert shown["status"] == "submitted"
    assert (await client.get(f"/api/v1/receipts/{first['receipt_no']}", headers=headers)).json()["version"] == 1


async def test_a_bid_withdrawn_before_the_deadline_can_be_submitted_again(client):
    tender = await published_tender(client)
    bid, headers, first = await submitted_bid(client, "xingfujia", tender)
    withdrawn = await client.post(f"/api/v1/bids/{bid['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = await submit(client, headers, bid["id"])
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 2
    row = await Bid.select(Bid.status, Bid.withdrawn_at).where(Bid.id == bid["id"]).first()
    assert row == {"status": "submitted", "withdrawn_at": None}


async def test_a_price_above_the_lots_maximum_price_is_refused_naming_rule_17(client):
    tender = await published_tender(client)  # budget ¥400,000.00, maximum price ¥390,000.00
    bid, headers, _ = await ready_bid(client, "xingfujia", tender, price_fen=39_000_001)
    response = await submit(client, headers, bid["id"])
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert (
        "超过最高限价" in errors["price_fen"]
        and "《政府采购货物和服务招标投标管理办法》第十二条" in errors["price_fen"]
    )
    assert await BidSubmission.count().where(BidSubmission.bid == bid["id"]) == 0


async def test_a_team_without_a_lead_is_refused_naming_the_field(client):
    tender = await published_tender(client)
    bid, headers, _ = await ready_bid(client, "xingfujia", tender)
    saved = await client.put(
        f"/api/v1/bids/{bid['id']}",
        headers=headers,
        json={"price_fen": 35_000_000, "team": [{"name": "社工甲", "level": "intermediate", "role": "member"}]},
    )
    assert saved.status_code == 200, saved.text
    response = await submit(client, headers, bid["id"])
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"team.lead": "请指定一名项目负责人。"}
    assert await BidSubmission.count().where(BidSubmission.bid == bid["id"]) == 0


# --------------------------------------------------------------------------- amendment (rule 16)


async def test_an_officers_amendment_marks_submitted_bids_as_needing_confirmation(client):
    tender = await published_tender(client)
    bid, headers, _ = await submitted_bid(client, "xingfujia", tender)
    officer = await api_login(client, "officer")
    body = await amendment_body(client, officer, tender["id"], bid_bond_fen=400_000, change_note="降低投标保证金")
    amended = await client.post(f"/api/v1/tenders/{tender['id']}/amend", headers=officer, json=body)
    assert amended.status_code == 200, amended.text
    assert amended.json()["version"] == 2
    assert (await client.get(f"/api/v1/bids/{bid['id']}", headers=headers)).json()["needs_confirmation"] is True


async def as_amended(client, tender_id: int) -> None:
    """The officer amends the tender through the API (rule 16)."""
    officer = await api_login(client, "officer")
    body = await amendment_body(client, officer, tender_id, bid_bond_fen=400_000, change_note="降低投标保证金")
    amended = await client.post(f"/api/v1/tenders/{tender_id}/amend", headers=officer, json=body)
    assert amended.status_code == 200, amended.text


async def test_a_bid_on_an_amended_tender_is_not_opened_until_resubmitted_rule_16(client):
    tender = await published_tender(client)
    stale, stale_headers, _ = await submitted_bid(client, "xingfujia", tender)
    fresh, fresh_headers, _ = await submitted_bid(client, "yile", tender, price_fen=36_000_000)
    await as_amended(client, tender["id"])
    for bid, headers in ((stale, stale_headers), (fresh, fresh_headers)):
        assert (await client.get(f"/api/v1/bids/{bid['id']}", headers=headers)).json()["needs_confirmation"] is True

    resubmitted = await submit(client, fresh_headers, fresh["id"])
    assert resubmitted.status_code == 200, resubmitted.text
    shown = (await client.get(f"/api/v1/bids/{fresh['id']}", headers=fresh_headers)).json()
    assert shown["needs_confirmation"] is False
    assert [s["tender_version"] for s in shown["submissions"]] == [1, 2]

    with clock.frozen(await past_deadline(tender["id"])):
        officer = await api_login(client, "officer")
        record = (await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)).json()
    assert [b["bid_id"] for b in record["bidders"]] == [fresh["id"]]
    assert any("幸福家" in note and "更正前" in note and "不予开启" in note for note in record["notes"]), record[
        "notes"
    ]
    statuses = {r["id"]: r["status"] for r in await Bid.select(Bid.id, Bid.status).where(Bid.tender == tender["id"])}
    assert statuses == {stale["id"]: "submitted", fresh["id"]: "opened"}


# --------------------------------------------------------------------------- opening with too few bids (rules 18, 29)


async def test_a_tender_with_one_bid_fails_at_opening_with_a_notice_and_bonds_due_for_refund(client):
    tender = await published_tender(client, bid_bond_fen=500_000)
    await submitted_bid(client, "xingfujia", tender)
    at = await past_deadline(tender["id"])
    with clock.frozen(at):
        officer = await api_login(client, "officer")
        response = await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)
        assert response.status_code == 200, response.text
        record = response.json()
        assert record["failed"] is True and record["valid_bids"] == 1 and record["minimum"] == 3
        public = (await client.get(f"/api/v1/tenders/{tender['id']}")).json()
        assert public["status"] == "failed"
        notices = (await client.get("/api/v1/notices/", params={"notice_type": "failure", "limit": 100})).json()[
            "items"
        ]
        mine = [n for n in notices if n["tender_id"] == tender["id"]]
        assert len(mine) == 1 and mine[0]["notice_type"] == "failure"
        assert "废标" in mine[0]["title"] and "不足 3 家" in mine[0]["content"]
        bonds = (await client.get("/api/v1/bid-bonds/", headers=officer)).json()
    bond = next(b for b in bonds if b["tender_id"] == tender["id"])
    expected = get_default_calendar().add_working_days(clock.to_local(at).date(), 5)  # rule 29
    assert bond["refund_due_on"] == expected.isoformat()
    assert (await Tender.select(Tender.status).where(Tender.id == tender["id"]).first())["status"] == "failed"


async def test_the_opening_sweep_run_twice_opens_each_tender_once(client):
    tender = await published_tender(client)
    await submitted_bid(client, "xingfujia", tender)
    with clock.frozen(await past_deadline(tender["id"])):
        first = await open_due_tenders()
        second = await open_due_tenders()
    assert first >= 1 and second == 0
    assert await OpeningRecord.count().where(OpeningRecord.tender == tender["id"]) == 1
    assert await Notice.count().where((Notice.tender == tender["id"]) & (Notice.notice_type == "failure")) == 1


# --------------------------------------------------------------------------- the demo tender past its deadline


async def test_the_demo_opening_record_lists_three_bidders_with_their_prices(client):
    demo = await demo_tender(CLOSED_DEMO)
    officer = await api_login(client, "officer")
    response = await client.get(f"/api/v1/tenders/{demo['id']}/opening/", headers=officer)
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["failed"] is False and record["valid_bids"] == 3
    assert {b["organization_name"]: b["amount_fen"] for b in record["bidders"]} == DEMO_PRICES


async def test_the_demo_opening_record_is_for_its_bidders_and_the_bureau_only(client):
    demo = await demo_tender(CLOSED_DEMO)
    url = f"/api/v1/tenders/{demo['id']}/opening/"
    yile = await api_login(client, "yile")
    assert (await client.get(url, headers=yile)).status_code == 200
    for outsider in ("pinggu", "qingbo"):  # an organization that did not bid; another bureau
        headers = await api_login(client, outsider)
        assert (await client.get(url, headers=headers)).status_code == 403, outsider
    assert (await client.get(url)).status_code in (401, 403)


# --------------------------------------------------------------------------- bid bonds (rule 29)


async def test_the_buyer_records_a_bid_bond_once_and_another_bureau_cannot(client):
    tender = await published_tender(client, bid_bond_fen=500_000)
    _bid, _headers, receipt = await submitted_bid(client, "xingfujia", tender)
    reference = receipt["bond"]["reference"]
    officer = await api_login(client, "officer")
    assert (await client.get("/api/v1/bid-bonds/", headers=officer)).json() == []  # unpaid and sealed: not listed

    qingbo = await api_login(client, "qingbo")
    refused = await client.post("/api/v1/bid-bonds/payments", headers=qingbo, json={"reference": reference})
    assert refused.status_code in (403, 422) and "幸福家" not in refused.text
    assert (await BidBond.select(BidBond.paid_at).where(BidBond.reference == reference).first())["paid_at"] is None

    paid = await client.post("/api/v1/bid-bonds/payments", headers=officer, json={"reference": reference})
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["state"] == "paid" and body["sealed"] and body["amount_fen"] == 500_000
    assert body["tender_id"] is None and body["organization_name"] is None and body["tender_title"] is None
    assert [b["reference"] for b in (await client.get("/api/v1/bid-bonds/", headers=officer)).json()] == [reference]
    twice = await client.post("/api/v1/bid-bonds/payments", headers=officer, json={"reference": reference})
    assert twice.status_code == 422 and "已登记为已缴纳" in twice.json()["detail"]
    assert (await client.post(f"/api/v1/bid-bonds/{body['id']}/paid", headers=officer)).status_code == 404

    await Tender.update({Tender.status: "opened"}).where(Tender.id == tender["id"])  # the opening happened
    (bond,) = (await client.get("/api/v1/bid-bonds/", headers=officer)).json()
    assert not bond["sealed"] and "幸福家" in bond["organization_name"] and bond["tender_id"] == tender["id"]
    assert (await client.post(f"/api/v1/bid-bonds/{bond['id']}/refunded", headers=qingbo)).status_code in (403, 404)


# --------------------------------------------------------------------------- one application per 公益创投 call (rule 4)


async def test_an_organization_applies_only_once_to_a_venture_call_rule_4(client):
    call = await demo_tender(VENTURE_DEMO)
    yile = await api_login(client, "yile")
    first = await client.post("/api/v1/bids/", headers=yile, json={"tender_id": call["id"], "lot_id": call["lot_id"]})
    assert first.status_code == 201, first.text
    second = await client.post("/api/v1/bids/", headers=yile, json={"tender_id": call["id"], "lot_id": call["lot_id"]})
    assert second.status_code == 422, second.text
    assert "只能投标（申报）一次" in second.json()["detail"]
    org_id = await org_id_of(client, "yile")
    assert await Bid.count().where((Bid.tender == call["id"]) & (Bid.organization == org_id)) == 1


async def test_a_second_application_to_another_lot_of_the_same_venture_call_is_refused_too_rule_4(client):
    call = await published_tender(
        client,
        title="测试公益创投征集",
        method="venture_call",
        bid_bond_fen=0,
        lots=[{"name": "为老服务类", "budget_fen": 20_000_000}, {"name": "青少年成长类", "budget_fen": 20_000_000}],
        venture_terms={"cap_per_project_fen": 5_000_000, "max_share_percent": 60, "matching_required": True},
        evaluation_scheme={
            "method": "comprehensive",
            "price_weight": 0,
            "criteria": [{"name": "项目设计", "max_points": 100, "kind": "subjective"}],
        },
        team_requirements={},
    )
    lots = [
        r["id"]
        for r in await TenderLot.select(TenderLot.id).where(TenderLot.tender == call["id"]).order_by(TenderLot.number)
    ]
    yile = await api_login(client, "yile")
    first = await client.post("/api/v1/bids/", headers=yile, json={"tender_id": call["id"], "lot_id": lots[0]})
    assert first.status_code == 201, first.text
    other_lot = await client.post("/api/v1/bids/", headers=yile, json={"tender_id": call["id"], "lot_id": lots[1]})
    assert other_lot.status_code == 422, other_lot.text
    assert "只能投标（申报）一次" in other_lot.json()["detail"] and "rule" not in other_lot.json()["detail"]
    yangguang = await api_login(client, "yangguang")
    assert (
        await client.post("/api/v1/bids/", headers=yangguang, json={"tender_id": call["id"], "lot_id": lots[1]})
    ).status_code == 201

"""Shared set-up for evaluation tests: the demo tender past its deadline
(湖滨街道社区矫正对象帮教服务项目, three sealed bids: 幸福家 ¥338,000,
颐乐 ¥346,500, 阳光 ¥329,000; criteria c1 subjective 30, c2 objective 20,
c3 objective 15, c4 subjective 15; price weight 20), opened and, in the
law's order (rule 41), qualified by the buyer, a five-expert panel drawn,
declared, its chair elected, 符合性审查 recorded, scored and reported."""

from __future__ import annotations

from typing import Any

from procurement.accounts.tables import User
from procurement.bids.tables import Bid
from procurement.evaluation.tables import PanelMember
from procurement.tenders.tables import Tender
from tests.integration.conftest import api_login

CLOSED_DEMO = "湖滨街道社区矫正对象帮教服务项目"
# Everyone agrees on the objective criteria; subjective ones differ a little.
DEFAULT_SCORES = {
    "幸福家": {"c1": "26", "c2": "12", "c3": "15", "c4": "12"},
    "颐乐": {"c1": "24", "c2": "12", "c3": "10", "c4": "11"},
    "阳光": {"c1": "22", "c2": "12", "c3": "10", "c4": "10"},
}


def short(org_name: str) -> str:
    return next(k for k in DEFAULT_SCORES if k in org_name)


async def opened_tender(client) -> tuple[int, dict[str, str]]:
    officer = await api_login(client, "officer")
    tender = await Tender.select(Tender.id).where(Tender.title == CLOSED_DEMO).first()
    record = await client.get(f"/api/v1/tenders/{tender['id']}/opening/", headers=officer)
    assert record.status_code == 200, record.text
    return tender["id"], officer


async def draw(client, officer, tender_id: int, size: int = 5, rep: bool = False) -> dict:
    drawn = await client.post(
        f"/api/v1/tenders/{tender_id}/panel/", headers=officer, json={"size": size, "include_buyer_rep": rep}
    )
    assert drawn.status_code == 201, drawn.text
    return drawn.json()


async def member_logins(client, panel: dict) -> dict[int, dict[str, str]]:
    """member id → API headers of the person sitting in that seat."""
    out = {}
    for m in panel["members"]:
        if m["status"] in ("drawn", "declared_no_conflict") and m["user_id"]:
            user = await User.select(User.username).where(User.id == m["user_id"]).first()
            out[m["id"]] = await api_login(client, user["username"])
    return out


async def declare_all(client, panel: dict, logins: dict[int, dict[str, str]]) -> None:
    for headers in logins.values():
        answer = await client.post(
            f"/api/v1/panels/{panel['id']}/declaration", headers=headers, json={"no_conflict": True}
        )
        assert answer.status_code == 200, answer.text


async def bids_by_org(tender_id: int) -> dict[str, int]:
    rows = await Bid.select(Bid.id, Bid.organization.name).where(Bid.tender == tender_id)
    return {short(r["organization.name"]): r["id"] for r in rows}


async def qualify_all(client, officer, tender_id: int) -> None:
    for bid_id in (await bids_by_org(tender_id)).values():
        done = await client.post(f"/api/v1/bids/{bid_id}/qualification", headers=officer, json={"passed": True})
        assert done.status_code == 200, done.text


def sheet(scores: dict[str, str], *, submit: bool = True, **extra: Any) -> dict:
    comments = {k: "评分理由：方案完整，证明材料齐全。" for k in scores}
    return {"scores": scores, "comments": comments, "submit": submit, **extra}


async def score_all(
    client, tender_id: int, logins: dict[int, dict[str, str]], scores: dict[str, dict[str, str]] | None = None
) -> None:
    bids = await bids_by_org(tender_id)
    for headers in logins.values():
        for org, bid_id in bids.items():
            saved = await client.put(
                f"/api/v1/bids/{bid_id}/score-sheet", headers=headers, json=sheet((scores or DEFAULT_SCORES)[org])
            )
            assert saved.status_code == 200, saved.text


async def chair_headers(panel: dict, logins: dict[int, dict[str, str]]) -> dict[str, str]:
    chair = (
        await PanelMember.select(PanelMember.id)
        .where((PanelMember.panel == panel["id"]) & (PanelMember.is_chair == True))
        .first()
    )
    return logins[chair["id"]]


async def elect_chair(client, panel: dict, logins: dict[int, dict[str, str]], member_id: int | None = None) -> int:
    """Every declared member proposes the same expert (the first seat by default) as chair."""
    seat = member_id or next(m["id"] for m in panel["members"] if m["kind"] == "expert" and m["id"] in logins)
    for headers in logins.values():
        proposed = await client.post(
            f"/api/v1/panels/{panel['id']}/chair-proposal", headers=headers, json={"member_id": seat}
        )
        if proposed.status_code == 409 and "已有组长" in proposed.text:
            break  # a majority already made the chair
        assert proposed.status_code == 200, proposed.text
    return seat


async def comply_all(client, chair: dict[str, str], tender_id: int) -> None:
    """The chair records every qualified bid as responsive (符合性审查, rule 41)."""
    qualified = await Bid.select(Bid.id).where((Bid.tender == tender_id) & (Bid.status == "qualified"))
    for bid_id in [b["id"] for b in qualified]:
        done = await client.post(f"/api/v1/bids/{bid_id}/compliance", headers=chair, json={"responsive": True})
        assert done.status_code == 200, done.text


async def deliver_report(client, chair: dict[str, str], tender_id: int):
    """The chair previews the draft report PDF, then delivers it."""
    preview = await client.get(f"/api/v1/tenders/{tender_id}/evaluation-report", headers=chair)
    assert preview.status_code == 200, preview.text
    return await client.post(f"/api/v1/tenders/{tender_id}/evaluation-report", headers=chair)


async def ready_to_score(client, officer, tender_id: int, *, size: int = 5, rep: bool = False):
    """For an opened tender: the buyer's 资格审查 (all pass), the panel drawn and declared,
    its chair elected and every bid found responsive; the panel, logins and chair."""
    await qualify_all(client, officer, tender_id)
    panel = await draw(client, officer, tender_id, size=size, rep=rep)
    logins = await member_logins(client, panel)
    await declare_all(client, panel, logins)
    await elect_chair(client, panel, logins)
    chair = await chair_headers(panel, logins)
    await comply_all(client, chair, tender_id)
    return panel, logins, chair


async def seated_panel(client, *, size: int = 5, rep: bool = False):
    """Opened, qualified by the buyer, drawn, declared, with its chair elected."""
    tender_id, officer = await opened_tender(client)
    await qualify_all(client, officer, tender_id)
    panel = await draw(client, officer, tender_id, size=size, rep=rep)
    logins = await member_logins(client, panel)
    await declare_all(client, panel, logins)
    await elect_chair(client, panel, logins)
    chair = await chair_headers(panel, logins)
    return tender_id, officer, panel, logins, chair


async def evaluated(client, *, scores: dict[str, dict[str, str]] | None = None, deliver: bool = True):
    """Opened, qualified, drawn, declared, chaired, 符合性审查 done, scored and (by default) reported."""
    tender_id, officer, panel, logins, chair = await seated_panel(client)
    await comply_all(client, chair, tender_id)
    await score_all(client, tender_id, logins, scores)
    if deliver:
        delivered = await deliver_report(client, chair, tender_id)
        assert delivered.status_code == 200, delivered.text
    return tender_id, officer, panel, logins, chair

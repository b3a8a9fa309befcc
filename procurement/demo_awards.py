"""Demo tenders carried through to their award (``procurement demo``), so that the
contracts package has awards to draw its demo contracts from (issue 12 §9).

Three 社区矫正 tenders (the category every demo expert covers), each published months
ago, bid for by the three demo organizations, opened, reviewed, scored by a drawn
panel and awarded, all with the clock set back and through the same services the
officer, the organizations and the experts use. The tests' demo (``load_demo``) does
not include them; the command adds them after it. Idempotent: a tender already made
(by title) is not made again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from procurement.accounts.states import OrgKind, Role
from procurement.accounts.tables import User
from procurement.awards import services as awards
from procurement.awards.schemas import AwardChoiceIn
from procurement.bids import opening
from procurement.bids import services as bids
from procurement.bids.schemas import BidContentIn
from procurement.catalogue.tables import CatalogueItem
from procurement.core import clock, db
from procurement.core.auth import CurrentUser
from procurement.core.calendar import get_default_calendar
from procurement.demo import load_demo
from procurement.demo_tenders import MINIMAL_PDF
from procurement.evaluation import chair, documents, ranking, review, sheets
from procurement.evaluation import services as evaluation
from procurement.evaluation.schemas import ScoreSheetIn
from procurement.tenders import services as tenders
from procurement.tenders.schemas import TenderIn
from procurement.tenders.tables import Tender

XINGFUJIA, YILE, YANGGUANG = "xingfujia", "yile", "yangguang"
ORG_KINDS = {Role.OFFICER: OrgKind.BUREAU, Role.ORG_MEMBER: OrgKind.SOCIAL_ORG, Role.EXPERT: OrgKind.EXPERT_POOL}

SCHEME = {
    "method": "comprehensive",
    "price_weight": 20,
    "criteria": [
        {"name": "需求分析与服务方案", "max_points": 30, "kind": "subjective"},
        {"name": "项目团队与专业资质", "max_points": 20, "kind": "objective"},
        {"name": "类似项目经验", "max_points": 15, "kind": "objective"},
        {"name": "风险管理与服务承诺", "max_points": 15, "kind": "subjective"},
    ],
}
PAYMENTS = [
    {"label": "首期款", "percent": 40, "gate": "signing"},
    {"label": "中期款", "percent": 30, "gate": "midterm", "min_grade": "pass"},
    {"label": "尾款", "percent": 30, "gate": "final", "min_grade": "pass"},
]
TEAM = [
    {"name": "项目负责人", "level": "intermediate", "role": "lead", "certificate_no": "ZS2018021"},
    {"name": "一线社工甲", "level": "assistant", "role": "member", "certificate_no": "ZL2020044"},
    {"name": "一线社工乙", "level": "assistant", "role": "member", "certificate_no": "ZL2022108"},
]


@dataclass(frozen=True)
class DemoAward:
    title: str
    description: str
    lot: str
    budget_fen: int
    days_ago: int  # the day it was published
    prices: dict[str, int]  # each organization's price
    winner: str  # the username of the winner's member (the best scores go to it)


AWARDS = [
    DemoAward(
        title="南星街道社区矫正对象心理矫治服务项目",
        description="为南星街道在册社区矫正对象约 60 人提供心理测评、个体心理辅导与团体辅导，"
        "建立一人一档，协助司法所开展教育矫正。",
        lot="心理矫治服务",
        budget_fen=42_000_000,
        days_ago=150,
        prices={XINGFUJIA: 40_500_000, YILE: 41_200_000, YANGGUANG: 39_800_000},
        winner=YANGGUANG,
    ),
    DemoAward(
        title="紫阳街道社区矫正对象就业帮扶项目",
        description="为紫阳街道社区矫正对象和刑满释放人员提供职业技能培训、就业岗位对接与跟踪回访，"
        "联动辖区企业开发过渡性岗位。",
        lot="就业帮扶服务",
        budget_fen=30_000_000,
        days_ago=110,
        prices={XINGFUJIA: 28_600_000, YILE: 29_400_000, YANGGUANG: 29_000_000},
        winner=XINGFUJIA,
    ),
    DemoAward(
        title="小营街道社区矫正与安置帮教服务项目",
        description="为小营街道社区矫正对象及安置帮教对象提供入矫评估、社会适应性帮扶和家庭关系修复服务。",
        lot="矫正与安置帮教服务",
        budget_fen=26_000_000,
        days_ago=42,
        prices={XINGFUJIA: 25_300_000, YILE: 24_800_000, YANGGUANG: 25_600_000},
        winner=YILE,
    ),
]
TITLES = [a.title for a in AWARDS]


async def load_procurement_demo(force: bool = False) -> bool:
    """The command's procurement demo: the accounts and tenders (``load_demo``), then the
    awarded tenders; True when anything was added."""
    loaded = await load_demo(force)
    added = await load_demo_awards()
    return loaded or added


async def demo_user(username: str) -> CurrentUser:
    row = (
        await User.select(User.id, User.display_name, User.role, User.organization, User.organization.name)
        .where(User.username == username)
        .first()
    )
    assert row is not None, username  # the demo accounts are loaded first
    return CurrentUser(
        row["id"],
        username,
        row["display_name"],
        row["role"],
        row["organization"],
        row["organization.name"] or "",
        ORG_KINDS.get(row["role"]),
        0,
        "",
        "cli",
    )


def _working_day(day: date) -> date:
    return get_default_calendar().next_working_day_on_or_after(day)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return clock.to_utc(datetime.combine(day, time(hour, minute)))


def _scores(username: str, winner: str) -> dict[str, str]:
    """The winner leads on the subjective criteria; the objective ones everyone agrees on."""
    if username == winner:
        return {"c1": "27", "c2": "16", "c3": "15", "c4": "13"}
    return {"c1": "23", "c2": "12", "c3": "10", "c4": "11"}


async def load_demo_awards() -> bool:
    """Make the awarded demo tenders that do not exist yet; True when any was made."""
    if not await User.exists().where(User.username == "officer"):
        return False
    made = False
    for spec in AWARDS:
        if await Tender.exists().where(Tender.title == spec.title):
            continue
        async with db.transaction():
            await _award(spec)
        made = True
    return made


async def _award(spec: DemoAward) -> int:
    officer = await demo_user("officer")
    members = {u: await demo_user(u) for u in spec.prices}
    item = await CatalogueItem.select(CatalogueItem.id).where(CatalogueItem.code == "A0601").first()
    assert item is not None  # the demo catalogue is loaded first
    today = clock.today_local()
    published_on = _working_day(today - timedelta(days=spec.days_ago))
    deadline_on = _working_day(published_on + timedelta(days=22))
    with clock.frozen(_at(published_on, 9)):
        created = await tenders.create_tender(
            officer,
            TenderIn.model_validate(
                {
                    "title": spec.title,
                    "method": "open_tender",
                    "catalogue_item_id": item["id"],
                    "description": spec.description,
                    "lots": [{"name": spec.lot, "budget_fen": spec.budget_fen}],
                    "team_requirements": {"min_licensed_workers": 2, "lead_min_level": "intermediate"},
                    "evaluation_scheme": SCHEME,
                    "payment_schedule": PAYMENTS,
                    "bid_deadline": datetime.combine(deadline_on, time(9, 30)),
                }
            ),
        )
        await tenders.publish_tender(officer, created.id)
    tender_id = created.id
    lot_id = created.lots[0].id
    bid_ids: dict[str, int] = {}
    for n, (username, member) in enumerate(members.items()):
        with clock.frozen(_at(published_on + timedelta(days=6), 10 + n)):
            bid = await bids.create_bid(member, tender_id, lot_id)
            await bids.update_bid(
                member,
                bid.id,
                BidContentIn.model_validate(
                    {
                        "price_fen": spec.prices[username],
                        "answers": {
                            "c1": "以需求评估为起点，分入矫、在矫、解矫三个阶段设计个案与小组服务。",
                            "c3": "近三年承接同类项目 3 个，均通过终期评估。",
                        },
                        "team": TEAM,
                    }
                ),
            )
            await bids.upload_document(member, bid.id, "投标文件.pdf", MINIMAL_PDF + spec.title.encode())
            await bids.submit_bid(member, bid.id)
            bid_ids[username] = bid.id
    with clock.frozen(_at(deadline_on, 10)):
        await opening.open_tender(tender_id)
        for bid_id in bid_ids.values():
            await review.qualify_bid(officer, bid_id, True, "")
        panel = await evaluation.draw_panel(officer, tender_id, 5, False)
        experts: dict[int, CurrentUser] = {}
        for m in panel.members:
            account = await User.select(User.username).where(User.id == m.user_id).first()
            assert account is not None  # a drawn expert has an account
            experts[m.id] = await demo_user(account["username"])
            await evaluation.declare(experts[m.id], panel.id, True, "")
        seat = panel.members[0].id
        for expert in experts.values():
            if await chair.propose(expert, panel.id, seat):
                break
        chair_user = experts[seat]
        for bid_id in bid_ids.values():
            await review.record_compliance(chair_user, bid_id, True, "")
        for expert in experts.values():
            for username, bid_id in bid_ids.items():
                scores = _scores(username, spec.winner)
                await sheets.save_sheet(
                    expert,
                    bid_id,
                    ScoreSheetIn(
                        scores=scores,
                        comments={k: "评分理由：服务方案完整，证明材料齐全。" for k in scores},
                        submit=True,
                    ),
                )
        await documents.report_pdf(chair_user, tender_id)  # the chair previews the draft report first
        await ranking.deliver_report(chair_user, tender_id)
    with clock.frozen(_at(_working_day(deadline_on + timedelta(days=1)), 10)):
        await awards.award_tender(officer, tender_id, [AwardChoiceIn(lot_id=lot_id, bid_id=bid_ids[spec.winner])])
    return tender_id

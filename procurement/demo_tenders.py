"""Demo catalogue and tenders (loaded by ``procurement demo`` after the accounts).

Five tenders in different states, drawn from the seeds' lists of purchasable
services: an open tender accepting bids, a 竞争性磋商, a 公益创投 call, one
whose deadline has passed, one cancelled, and a draft. Past publications are
made with the clock set back, through the same services an officer uses.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from procurement.accounts.states import OrgKind, Role
from procurement.accounts.tables import User
from procurement.catalogue import services as catalogue
from procurement.catalogue.schemas import CatalogueItemIn
from procurement.core import clock
from procurement.core.auth import CurrentUser
from procurement.system.schemas import CalendarYearIn
from procurement.system.services import load_calendar, record_weekends_only
from procurement.tenders import services as tenders
from procurement.tenders.schemas import TenderIn

CATALOGUE = [
    ("A0101", "居家养老上门服务", "elderly", "助餐、助洁、助浴、助医等居家养老服务"),
    ("A0102", "老年食堂与助餐服务", "elderly", "社区老年食堂运营与送餐服务"),
    ("A0103", "失能失智老人照护", "elderly", "专业照护、喘息服务与家庭照护者培训"),
    ("A0201", "残疾人康复与托养", "disability", "社区康复、日间照料与辅助器具服务"),
    ("A0301", "青少年成长与心理辅导", "youth", "课后托管、心理健康辅导、成长陪伴"),
    ("A0302", "困境儿童关爱保护", "youth", "困境儿童、留守儿童的探访、帮扶与个案管理"),
    ("A0401", "社区治理与居民议事", "governance", "居民议事协商、社区营造、五社联动项目"),
    ("A0402", "社区社会组织培育", "governance", "社区社会组织孵化、能力建设与公益创投"),
    ("A0501", "社会救助对象服务", "assistance", "低保、特困对象的探访、需求评估与服务转介"),
    ("A0601", "社区矫正对象帮教", "correction", "社区矫正对象心理矫治、就业帮扶与社会融入"),
    ("A0701", "婚姻家庭辅导", "family", "婚姻家庭关系调适、家庭教育指导"),
    ("A0801", "第三方评估服务", "other", "政府购买服务项目的中期、终期第三方评估"),
]


def _at(day_offset: int, hour: int = 9, minute: int = 30) -> datetime:
    base = clock.local_now().date() + timedelta(days=day_offset)
    return clock.to_utc(datetime.combine(base, time(hour, minute)))


async def load_demo_tenders(admin: CurrentUser) -> None:
    # The demo's tenders reach into next year: a year chinese_calendar does not cover
    # yet is recorded as "official schedule not published", so the demo publishes.
    for year in (await load_calendar()).years_needing_entries(
        range(clock.today_local().year, clock.today_local().year + 2)
    ):
        await record_weekends_only(admin, year, CalendarYearIn(note="演示数据：国务院办公厅放假通知发布后请录入。"))
    items = {}
    for code, name, category, description in CATALOGUE:
        item = await catalogue.create_item(
            admin, CatalogueItemIn(code=code, name=name, category=category, description=description)
        )
        items[code] = item.id

    officer_row = (
        await User.select(User.id, User.organization, User.organization.name).where(User.username == "officer").first()
    )
    assert officer_row is not None  # the demo accounts are loaded first
    officer = CurrentUser(
        officer_row["id"],
        "officer",
        "王建国",
        Role.OFFICER,
        officer_row["organization"],
        officer_row["organization.name"],
        OrgKind.BUREAU,
        0,
        "",
        "cli",
    )

    standard_payments = [
        {"label": "首期款", "percent": 40, "gate": "signing"},
        {"label": "中期款", "percent": 30, "gate": "midterm", "min_grade": "pass"},
        {"label": "尾款", "percent": 30, "gate": "final", "min_grade": "pass"},
    ]
    team = {"min_licensed_workers": 3, "lead_min_level": "intermediate", "supervisor_required": True}
    scheme = {
        "method": "comprehensive",
        "price_weight": 20,
        "criteria": [
            {
                "name": "需求分析与服务方案",
                "max_points": 30,
                "kind": "subjective",
                "description": "需求分析准确、目标可衡量、服务内容和进度安排完整可行的得 24–30 分；"
                "基本完整的得 15–23 分；内容缺漏或与项目需求不符的得 0–14 分",
            },
            {
                "name": "项目团队与专业资质",
                "max_points": 20,
                "kind": "objective",
                "description": "持证社工每名 4 分，最高 20 分",
            },
            {"name": "类似项目经验", "max_points": 15, "kind": "objective", "description": "近三年每个同类项目 5 分"},
            {
                "name": "风险管理与服务承诺",
                "max_points": 15,
                "kind": "subjective",
                "description": "风险识别全面、应对措施具体、服务承诺可考核的得 12–15 分；较完整的得 7–11 分；"
                "缺少风险应对措施的得 0–6 分",
            },
        ],
    }

    async def make(days_ago: int, deadline_in: int, **fields) -> int:
        """Create and publish a tender as if on a day ``days_ago`` before today."""
        publish_at = _at(-days_ago, 9, 0)
        deadline = clock.to_local(_at(deadline_in, 9, 30)).replace(tzinfo=None)
        with clock.frozen(publish_at):
            data = TenderIn(bid_deadline=deadline, **fields)
            created = await tenders.create_tender(officer, data)
            await tenders.publish_tender(officer, created.id)
        return created.id

    await make(
        2,
        26,
        title="清波街道居家养老上门服务项目",
        method="open_tender",
        catalogue_item_id=items["A0101"],
        description="为清波街道辖区 80 周岁以上独居、空巢及失能老人约 600 人提供助餐、助洁、助浴、助医等居家养老上门服务，"
        "建立服务台账，每季度开展满意度调查。",
        lots=[{"name": "居家养老上门服务", "budget_fen": 128_000_000, "max_price_fen": 125_000_000}],
        bid_bond_fen=2_000_000,
        eligibility={
            "registration_types": ["social_service", "social_group"],
            "scope_keyword": "养老",
            "min_grade": "3A",
        },
        team_requirements=team,
        evaluation_scheme={**scheme, "price_weight": 20},
        payment_schedule=standard_payments,
    )

    await make(
        1,
        14,
        title="上城区困境儿童关爱保护服务项目",
        method="competitive_consultation",
        catalogue_item_id=items["A0302"],
        description="为全区困境儿童和留守儿童约 320 人提供定期探访、需求评估、个案管理与资源链接服务，"
        "推动儿童主任与社工联动。",
        lots=[{"name": "困境儿童关爱服务", "budget_fen": 45_000_000}],
        team_requirements={"min_licensed_workers": 2, "lead_min_level": "intermediate"},
        evaluation_scheme={**scheme, "price_weight": 20},
        payment_schedule=standard_payments,
    )

    await make(
        3,
        24,
        title="2027 年度上城区社区公益创投项目征集",
        method="venture_call",
        catalogue_item_id=items["A0402"],
        description="围绕为老服务、青少年成长、社区治理、五社联动等领域，面向全区社会组织征集公益创投项目，"
        "资助一批贴近居民需求、可持续的社区公益项目。",
        lots=[{"name": "2027 年度公益创投资金", "budget_fen": 100_000_000}],
        venture_terms={"cap_per_project_fen": 10_000_000, "max_share_percent": 60, "matching_required": True},
        eligibility={
            "registration_types": ["social_service", "social_group", "foundation"],
            "abnormal_list_years": 1,
            "dishonest_list_years": 2,
        },
        evaluation_scheme={
            "method": "comprehensive",
            "price_weight": 0,
            "criteria": [
                {"name": "需求与问题分析", "max_points": 25, "kind": "subjective"},
                {"name": "项目设计与创新性", "max_points": 30, "kind": "subjective"},
                {"name": "执行能力与团队", "max_points": 25, "kind": "subjective"},
                {"name": "预算合理性与配套资金", "max_points": 20, "kind": "objective"},
            ],
        },
        payment_schedule=[
            {"label": "启动资金", "percent": 50, "gate": "signing"},
            {"label": "中期资金", "percent": 30, "gate": "midterm", "min_grade": "pass"},
            {"label": "结项资金", "percent": 20, "gate": "final", "min_grade": "good"},
        ],
    )

    await make(
        30,
        -1,
        title="湖滨街道社区矫正对象帮教服务项目",
        method="open_tender",
        catalogue_item_id=items["A0601"],
        description="为湖滨街道社区矫正对象提供心理矫治、就业指导与社会融入服务。",
        lots=[{"name": "社区矫正帮教服务", "budget_fen": 36_000_000, "max_price_fen": 35_000_000}],
        team_requirements={"min_licensed_workers": 2, "lead_min_level": "intermediate"},
        evaluation_scheme=scheme | {"price_weight": 20},
        payment_schedule=standard_payments,
    )

    cancelled = await make(
        4,
        30,
        title="上城区社会救助对象探访服务项目",
        method="open_tender",
        catalogue_item_id=items["A0501"],
        description="为低保、特困对象提供定期探访与需求评估。",
        lots=[{"name": "社会救助探访服务", "budget_fen": 50_000_000}],
        evaluation_scheme=scheme,
        payment_schedule=standard_payments,
    )
    await tenders.cancel_tender(
        officer, cancelled, "区财政预算调整，本项目并入 2027 年度社会救助综合服务项目统一采购。"
    )

    await load_demo_bids(officer)

    with clock.frozen(clock.now()):
        await tenders.create_tender(
            officer,
            TenderIn.model_validate(
                {
                    "title": "清波街道社区议事协商能力建设项目",
                    "method": "inquiry",
                    "catalogue_item_id": items["A0401"],
                    "description": "培育居民议事会，开展议事规则培训。",
                    "lots": [{"name": "议事协商能力建设", "budget_fen": 9_800_000}],
                    "evaluation_scheme": {"method": "lowest_price"},
                    "payment_schedule": [{"label": "合同款", "percent": 100, "gate": "final", "min_grade": "pass"}],
                    "bid_deadline": clock.to_local(_at(21, 10, 0)).replace(tzinfo=None),
                }
            ),
        )


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

PROFILES = {
    "杭州市上城区幸福家社会工作服务中心": (
        "2016-05-12",
        "社区社会工作服务、家庭综合服务、为老助残、青少年成长陪伴、社区矫正帮教",
        "4A",
        "2023-09-20",
    ),
    "上城区清波颐乐养老服务社": (
        "2014-03-08",
        "居家养老上门服务、老年食堂运营、助餐助浴、失能老人照护",
        "3A",
        "2022-11-15",
    ),
    "上城区阳光青少年成长服务中心": (
        "2018-07-01",
        "青少年课后托管、心理辅导、社区矫正对象帮教、禁毒宣传",
        "3A",
        "2024-06-30",
    ),
}


async def load_demo_bids(officer: CurrentUser) -> None:
    """Confirmed eligibility profiles, and three sealed bids on the tender whose deadline has passed."""
    from procurement.accounts.tables import Organization
    from procurement.bids import profiles
    from procurement.bids import services as bids
    from procurement.bids.schemas import BidContentIn, EligibilityProfileIn
    from procurement.tenders.tables import Tender, TenderLot

    members = {}
    for username in ("xingfujia", "yile", "yangguang"):
        row = (
            await User.select(User.id, User.organization, User.organization.name)
            .where(User.username == username)
            .first()
        )
        assert row is not None  # the demo accounts are loaded first
        members[username] = CurrentUser(
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
        registered, scope, grade, awarded = PROFILES[row["organization.name"]]
        this_year = clock.today_local().year
        await profiles.update_profile(
            members[username],
            EligibilityProfileIn.model_validate(
                {
                    "registration_type": "social_service",
                    "registration_date": registered,
                    "charter_scope": scope,
                    "grade": grade,
                    "grade_awarded_on": awarded,
                    # Both years a call may ask for (rule 4: N−2 before the filing deadline, N−1 after).
                    "annual_reports": {str(this_year - 1): "passed", str(this_year - 2): "passed"},
                }
            ),
        )
        org = await Organization.select(Organization.id).where(Organization.name == row["organization.name"]).first()
        assert org is not None  # the member's organization, just read by name
        await profiles.confirm_profile(officer, org["id"])

    closed = (
        await Tender.select(Tender.id, Tender.published_at)
        .where(Tender.title == "湖滨街道社区矫正对象帮教服务项目")
        .first()
    )
    assert closed is not None  # created above by load_demo_tenders
    lot = await TenderLot.select(TenderLot.id).where(TenderLot.tender == closed["id"]).first()
    assert lot is not None  # the tender's one lot
    prices = {"xingfujia": 33_800_000, "yile": 34_650_000, "yangguang": 32_900_000}
    for day, (username, member) in enumerate(members.items(), start=5):
        with clock.frozen(closed["published_at"] + timedelta(days=day, hours=3)):
            bid = await bids.create_bid(member, closed["id"], lot["id"])
            await bids.update_bid(
                member,
                bid.id,
                BidContentIn.model_validate(
                    {
                        "price_fen": prices[username],
                        "answers": {
                            "c1": "围绕心理矫治、就业帮扶与社会融入设计三阶段服务。",
                            "c3": "近三年承接同类项目 3 个。",
                        },
                        "team": [
                            {
                                "name": "项目负责人",
                                "level": "intermediate",
                                "role": "lead",
                                "certificate_no": "ZS2019001",
                            },
                            {
                                "name": "一线社工甲",
                                "level": "assistant",
                                "role": "member",
                                "certificate_no": "ZL2021017",
                            },
                            {
                                "name": "一线社工乙",
                                "level": "assistant",
                                "role": "member",
                                "certificate_no": "ZL2022033",
                            },
                        ],
                    }
                ),
            )
            await bids.upload_document(member, bid.id, "投标文件.pdf", MINIMAL_PDF + username.encode())
            await bids.submit_bid(member, bid.id)

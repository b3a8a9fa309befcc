"""Demo data (``procurement demo``; ``scripts/run`` loads it on first start).

Drawn from the seeds in ../shared/seeds: a district civil-affairs bureau in
Hangzhou's 上城区 and one of its 街道 as buyers, social-work and elderly-care
organizations as providers, an evaluation agency and a pool of experts. Every
demo login uses the password in the setting ``PROCUREMENT_DEMO_PASSWORD``.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.cn import uscc

from procurement.accounts import services as accounts
from procurement.accounts.schemas import CreateOrganizationIn, CreateUserIn, RegisterOrganizationIn
from procurement.accounts.states import OrgKind, OrgStatus, Role
from procurement.accounts.tables import Organization, User
from procurement.core import audit, auth, clock, db
from procurement.core.auth import CurrentUser
from procurement.settings import get_settings

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def make_credit_code(registration: str, area: str, org_base: str) -> str:
    """A 统一社会信用代码 with both check characters right (GB 11714 and GB 32100).

    ``registration``: 2 characters, e.g. "52" (民政, 民办非企业单位), "11" (机关);
    ``area``: the 6-digit administrative division, e.g. "330102" (上城区);
    ``org_base``: the 8-character organization code body.
    """
    total = sum(_ORG_CODE_CHARS.index(c) * w for c, w in zip(org_base, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    org_code = org_base + {10: "X", 11: "0"}.get(check, str(check))
    body = registration + area + org_code
    code = body + uscc.calc_check_digit(body)
    assert uscc.is_valid(code), code
    return code


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: Role
    org: str
    note: str = ""


BUREAU = "杭州市上城区民政局"
STREET = "上城区清波街道办事处"
EXPERT_POOL = "上城区政府购买服务评审专家库"
AGENCY = "杭州市众合社会组织评估中心"
SOCIAL_ORGS = [
    (
        "杭州市上城区幸福家社会工作服务中心",
        "MA2H7K1C",
        "陈晓燕",
        "13757120381",
        "社区社会工作服务、家庭综合服务、为老助残、青少年成长陪伴",
    ),
    (
        "上城区清波颐乐养老服务社",
        "MA2H8L3D",
        "赵丽华",
        "13868051762",
        "居家养老上门服务、老年食堂运营、助餐助浴、失能老人照护",
    ),
    (
        "上城区阳光青少年成长服务中心",
        "MA2HA25F",
        "孙伟",
        "15088673209",
        "青少年课后托管、心理辅导、社区矫正对象帮教、禁毒宣传",
    ),
]
PENDING_ORG = ("上城区邻里守望社区公益服务社", "MA2HC47G", "钱芳", "社区志愿服务、邻里互助、社区议事协商")

LOGINS: list[DemoLogin] = [
    DemoLogin("admin", "系统管理员", Role.ADMIN, "", "管理用户、机构、节假日与审计日志"),
    DemoLogin("officer", "王建国", Role.OFFICER, BUREAU, "民政局经办人：审核注册、发布公告"),
    DemoLogin("finance", "李淑芬", Role.FINANCE, BUREAU, "民政局财务：拨付资金"),
    DemoLogin("qingbo", "周敏", Role.OFFICER, STREET, "街道经办人"),
    DemoLogin("xingfujia", "陈晓燕", Role.ORG_MEMBER, SOCIAL_ORGS[0][0], "社会组织"),
    DemoLogin("yile", "赵丽华", Role.ORG_MEMBER, SOCIAL_ORGS[1][0], "社会组织"),
    DemoLogin("yangguang", "孙伟", Role.ORG_MEMBER, SOCIAL_ORGS[2][0], "社会组织"),
    DemoLogin("pinggu", "吴静", Role.EVALUATOR, AGENCY, "第三方评估机构评估员"),
    *[
        DemoLogin(f"expert{i}", name, Role.EXPERT, EXPERT_POOL, "评审专家")
        for i, name in enumerate(["郑海涛", "冯雪梅", "何志强", "许文静", "韩立新", "曹雅琴", "邓国栋"], start=1)
    ],
]
PENDING_LOGIN = DemoLogin("linli", "钱芳", Role.ORG_MEMBER, PENDING_ORG[0], "待审核：演示注册审批")


async def load_demo(force: bool = False) -> bool:
    """Load the demo once, all or nothing; False when users already exist (and not forced)."""
    if not force and await User.count() > 0:
        return False
    async with db.transaction():
        await _load()
    return True


async def _load() -> None:
    password = get_settings().demo_password
    now = clock.now()
    admin_id = (
        await User.insert(
            User(
                username="admin",
                display_name="系统管理员",
                password_hash=auth.hash_password(password),
                role=Role.ADMIN,
                email="admin@example.gov.cn",
                created_at=now,
            )
        ).returning(User.id)
    )[0]["id"]
    await audit.record("demo.loaded", "system", "", after={"admin": "admin"})
    admin = CurrentUser(admin_id, "admin", "系统管理员", Role.ADMIN, None, "", None, 0, "", "cli")

    org_ids: dict[str, int] = {}

    async def org(name: str, kind: OrgKind, code: str | None = None, parent: str | None = None, **more) -> None:
        out = await accounts.create_organization(
            admin,
            CreateOrganizationIn(
                name=name, kind=kind, credit_code=code, parent_id=org_ids.get(parent) if parent else None, **more
            ),
        )
        org_ids[name] = out.id

    await org(
        BUREAU,
        OrgKind.BUREAU,
        make_credit_code("11", "330102", "00250147"),
        legal_representative="林卫东",
        contact_name="王建国",
        contact_phone="0571-87080000",
        address="杭州市上城区解放路 200 号",
    )
    await org(
        STREET,
        OrgKind.BUREAU,
        make_credit_code("11", "330102", "00250263"),
        parent=BUREAU,
        contact_name="周敏",
        contact_phone="0571-87060000",
        address="杭州市上城区清波街 80 号",
    )
    await org(EXPERT_POOL, OrgKind.EXPERT_POOL, parent=BUREAU, description="政府购买服务项目评审专家，随机抽取")
    await org(
        AGENCY,
        OrgKind.AGENCY,
        make_credit_code("52", "330100", "MA2H3E9B"),
        legal_representative="吴静",
        contact_name="吴静",
        contact_phone="0571-86000001",
        description="社会组织等级评估、政府购买服务项目第三方评估",
    )
    for name, base, head, phone, scope in SOCIAL_ORGS:
        await org(
            name,
            OrgKind.SOCIAL_ORG,
            make_credit_code("52", "330102", base),
            legal_representative=head,
            contact_name=head,
            contact_phone=phone,
            address="杭州市上城区",
            description=scope,
        )

    for login in LOGINS[1:]:
        await accounts.create_user(
            admin,
            CreateUserIn(
                username=login.username,
                display_name=login.name,
                password=password,
                role=login.role,
                organization_id=org_ids[login.org],
                email=f"{login.username}@example.gov.cn",
            ),
        )

    name, base, head, scope = PENDING_ORG
    await accounts.register_organization(
        RegisterOrganizationIn(
            name=name,
            credit_code=make_credit_code("52", "330102", base),
            legal_representative=head,
            contact_name=head,
            contact_phone="13900001234",
            address="杭州市上城区清波街道",
            description=scope,
            username=PENDING_LOGIN.username,
            display_name=PENDING_LOGIN.name,
            password=password,
        )
    )
    assert await Organization.exists().where((Organization.name == name) & (Organization.status == OrgStatus.PENDING))
    from procurement.demo_tenders import load_demo_tenders
    from procurement.evaluation.demo import load_demo_experts

    await load_demo_tenders(admin)
    await load_demo_experts()

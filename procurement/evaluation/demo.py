"""Demo profiles for the seven demo experts (expert1..expert7).

Two of them are conflicted with bidders of the demo tender 湖滨街道社区矫正对象帮教服务项目
(rule 20): 冯雪梅 worked at 杭州市上城区幸福家社会工作服务中心 until a year and a half
ago, 何志强 declared that a close relative heads 上城区阳光青少年成长服务中心. 韩立新
left 上城区清波颐乐养老服务社 five years ago, outside the 3-year window.
Dates are relative to today so the demo keeps its meaning whenever it is loaded.
"""

from __future__ import annotations

from datetime import timedelta

from procurement.accounts.states import OrgKind, Role
from procurement.accounts.tables import Organization, User
from procurement.core import clock
from procurement.core.auth import CurrentUser
from procurement.evaluation.schemas import ExpertProfileIn
from procurement.evaluation.services import update_expert_profile

XINGFUJIA = "杭州市上城区幸福家社会工作服务中心"
YILE = "上城区清波颐乐养老服务社"
YANGGUANG = "上城区阳光青少年成长服务中心"


def _profiles(org: dict[str, int]) -> dict[str, dict]:
    today = clock.today_local()

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    return {
        "expert1": {"expertise": ["correction", "youth"], "employer_name": "浙江工业大学法学院"},
        "expert2": {
            "expertise": ["correction", "elderly", "family"],
            "employer_name": "杭州师范大学公共管理学院",
            "employment_history": [
                {"organization_id": org[XINGFUJIA], "role": "employee", "from": ago(6 * 365), "to": ago(550)}
            ],
        },
        "expert3": {
            "expertise": ["correction", "youth"],
            "employer_name": "上城区青少年宫",
            "declared_relations": [
                {
                    "kind": "close_relative",
                    "organization_id": org[YANGGUANG],
                    "person": "孙伟",
                    "note": "胞兄孙伟为该中心负责人",
                }
            ],
        },
        "expert4": {"expertise": ["elderly", "disability", "correction"], "employer_name": "浙江省社会工作协会"},
        "expert5": {
            "expertise": ["correction", "assistance", "governance"],
            "employer_name": "杭州市社会组织促进会",
            "employment_history": [
                {"organization_id": org[YILE], "role": "director", "from": ago(9 * 365), "to": ago(5 * 365)}
            ],
        },
        "expert6": {"expertise": ["correction", "youth", "family"], "employer_name": "浙江大学社会学系"},
        "expert7": {"expertise": ["correction", "governance", "other"], "employer_name": "上城区律师协会"},
    }


async def load_demo_experts() -> None:
    """Give the demo experts their pool entries (through the same service experts use)."""
    orgs = {o["name"]: o["id"] for o in await Organization.select(Organization.id, Organization.name)}
    for username, profile in _profiles(orgs).items():
        row = (
            await User.select(User.id, User.display_name, User.organization, User.organization.name)
            .where(User.username == username)
            .first()
        )
        if row is None:
            continue
        expert = CurrentUser(
            row["id"],
            username,
            row["display_name"],
            Role.EXPERT,
            row["organization"],
            row["organization.name"] or "",
            OrgKind.EXPERT_POOL,
            0,
            "",
            "cli",
        )
        await update_expert_profile(expert, ExpertProfileIn(**profile))

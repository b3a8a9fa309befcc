"""No page promises a feature for later ("将依次上线", "将在后续版本开放"): what users
read describes what the system does today (issue 10, dashboards)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"将依次上线|后续版本|敬请期待|即将上线|陆续上线|暂未开放|尚未开放|将在.{0,12}开放|功能开发中")
SOURCES = [ROOT / "templates", ROOT / "procurement", ROOT / "contracts"]


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def test_the_pattern_catches_the_phrases_that_were_there():
    assert placeholders("招标项目、评审与合同模块将依次上线；目前可审核社会组织注册")
    assert placeholders("机构资料与投标功能将在后续版本开放；请留意消息与公告。")
    assert placeholders("评估功能即将上线")
    assert not placeholders("没有待评分的投标。")


def test_no_template_or_code_promises_a_feature_for_later():
    found = []
    for base in SOURCES:
        for path in base.rglob("*"):
            if path.suffix not in {".html", ".py", ".txt", ".js"} or "locale" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if placeholders(line) and path.name != Path(__file__).name:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)

"""A social-worker team in a real browser (issue 13): on a signed demo contract the
provider assigns a team that meets the requirements and the bid's promise, then asks to
replace a member; the bureau's officer approves it and the history shows who was on the
team when."""

from __future__ import annotations

import httpx
import pytest
from stdnum.cn import ric

from tests.e2e.conftest import login
from tests.e2e.test_phone_width import _ok, journey, with_contract  # noqa: F401 (the awarded demo tender)

pytestmark = pytest.mark.e2e
LEAD_CERT = "ZS2019001"  # the lead the demo bid promised


# Names of people not on the demo rosters (contracts.staffing.demo), so each option is one person.


def _number(n: int) -> str:
    body = f"11010519850101{n:03d}"
    return body + ric.calc_check_digit(body + "0")


def _signed(live_server, contract_id: int) -> None:
    def api(username: str) -> httpx.Client:
        token = live_server.login_token(username)
        return httpx.Client(
            base_url=f"{live_server.url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    officer, provider = api("officer"), api("xingfujia")
    path = f"/contracts/{contract_id}"
    _ok(
        officer.put(
            path,
            json={
                "delivery_place": "湖滨街道东坡路社区",
                "indicators": [
                    {"name": "服务人次", "unit": "人次", "target": 1200},
                    {"name": "活动场次", "unit": "场", "target": 24},
                    {"name": "服务时长", "unit": "小时", "target": 800},
                    {"name": "服务对象满意度", "unit": "%", "target": 90},
                ],
            },
        )
    )
    _ok(
        provider.put(
            path,
            json={
                "provider_bank_name": "杭州银行上城支行",
                "provider_bank_account": "3301040160001234567",
                "provider_address": "杭州市上城区东坡路 1 号",
                "provider_legal_rep": "王敏",
            },
        )
    )
    version = _ok(officer.put(path, json={"confirm_provider_details": True}))["version"]
    _ok(officer.post(f"{path}/signatures", json={"version": version}))
    assert _ok(provider.post(f"{path}/signatures", json={"version": version}))["status"] == "active"
    for n, (name, level, cert) in enumerate(
        (
            ("方志远", "intermediate", LEAD_CERT),
            ("叶小青", "assistant", "ZL1"),
            ("邵海燕", "assistant", "ZL2"),
            ("葛阳", "senior", "GJ1"),
        )
    ):
        _ok(
            provider.post(
                "/social-workers/",
                json={
                    "name": name,
                    "id_number": _number(n + 1),
                    "level": level,
                    "certificate_no": cert,
                    "certificate_year": 2020,
                },
            )
        )


def test_the_provider_builds_a_team_and_the_bureau_approves_a_replacement(live_server, browser, with_contract):  # noqa: F811
    url = live_server.url
    contract_id = int(with_contract.values["/contracts/"])
    _signed(live_server, contract_id)
    team_url = f"{url}/contracts/{contract_id}/team"

    provider = browser.new_context(locale="zh-CN").new_page()
    login(provider, url, "xingfujia")
    provider.goto(team_url)
    assert "尚未指定项目负责人" in provider.content()
    for name, role in (("方志远", "lead"), ("叶小青", "worker"), ("邵海燕", "worker")):
        provider.select_option(
            "#f-worker_id", label=provider.locator("#f-worker_id option", has_text=name).first.inner_text()
        )
        provider.select_option("#f-role", role)
        provider.fill("#f-allocation", "40")
        provider.click("form[action$='/team/members'] button[type=submit]")
        provider.wait_for_url(team_url)
        assert "已加入团队" in provider.content(), provider.content()[:2000]
    assert "团队满足合同的团队要求和投标承诺" in provider.content()
    assert _number(1) not in provider.content()

    provider.select_option(
        "#f-member_id", label=provider.locator("#f-member_id option", has_text="方志远").first.inner_text()
    )
    provider.select_option(
        "#f-candidate_id", label=provider.locator("#f-candidate_id option", has_text="葛阳").first.inner_text()
    )
    provider.fill("#f-reason", "原项目负责人调往新项目")
    provider.click("form[action$='/team/replacements'] button[type=submit]")
    provider.wait_for_url(team_url)
    assert "更换申请已提交" in provider.content() and "待采购人审批" in provider.content()

    officer = browser.new_context(locale="zh-CN").new_page()
    login(officer, url, "officer")
    officer.goto(team_url)
    assert "方志远" in officer.content() and "葛阳" in officer.content() and "高级社会工作师" in officer.content()
    officer.click("form[action*='/decision'] button[value=approve]")
    officer.wait_for_url(team_url)
    content = officer.content()
    assert "已批准更换" in content and "经批准更换" in content
    assert "团队满足合同的团队要求和投标承诺" in content
    officer.goto(f"{url}/social-workers/workload")
    assert "葛阳" in officer.content() and "湖滨街道东坡路社区" in officer.content()

"""Money follows an evaluated mid-term in a real browser (issue 14, invariants 7–8, rule 35):
the provider submits its self-assessment; the third-party agency scores the mid-term
evaluation on its workspace, graded 良好; the second installment (中期款) becomes due,
the provider requests it, the bureau's officer approves it and finance releases it with
a voucher number; the provider sees it paid. Screenshots of the evaluation and payments
pages at 1366 and 390 px go to /tmp/shots/.

The contract is the demo's 小营 contract, which the bureau has signed and the provider
(颐乐) signs here through the API: its term starts at most a month from now, so no
progress report is past due and the grade depends on the scores alone (a missing
mid-term report would make it 不合格 whatever the score, rule 33). Assigning the agency
is the officer's API call (the page for it does not exist yet)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import login
from tests.e2e.test_phone_width import _ok

pytestmark = pytest.mark.e2e

CONTRACT = "小营街道社区矫正与安置帮教服务项目"
PROVIDER, AGENCY = "yile", "pinggu"
VOUCHER = "SCCZ-2026-000318"
SHOTS = Path("/tmp/shots")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Midterm:
    contract_id: int
    assessment_id: int
    amount: str  # the second installment, as the pages show money

    @property
    def evaluation(self) -> str:
        return f"/contracts/{self.contract_id}/assessments/{self.assessment_id}"

    @property
    def payments(self) -> str:
        return f"/contracts/{self.contract_id}/payments"


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


@pytest.fixture(scope="module")
def midterm(live_server) -> Midterm:
    """The 小营 contract signed by its provider, and a mid-term evaluation assigned to 评估机构 pinggu."""

    def api(username: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{live_server.url}/api/v1",
            headers={"Authorization": f"Bearer {live_server.login_token(username)}"},
            timeout=60,
        )

    officer, provider = api("officer"), api(PROVIDER)
    contract = next(c for c in _ok(officer.get("/contracts/")) if c["title"].startswith(CONTRACT))
    version = _ok(provider.get(f"/contracts/{contract['id']}"))["version"]
    signed = _ok(provider.post(f"/contracts/{contract['id']}/signatures", json={"version": version}))
    assert signed["status"] == "active", signed
    agency_id = _ok(api(AGENCY).get("/auth/me"))["organization"]["id"]
    system = next(s for s in _ok(officer.get("/assessments/indicator-systems"))["items"] if s["latest"])
    assessment = _ok(
        officer.post(
            f"/contracts/{contract['id']}/assessments/",
            json={"agency_id": agency_id, "stage": "midterm", "system_id": system["id"]},
        )
    )
    ledger = _ok(officer.get(f"/contracts/{contract['id']}/installments/"))
    second = ledger["installments"][1]
    assert (second["gate"], second["status"]) == ("midterm", "waiting"), second
    return Midterm(contract["id"], assessment["id"], _yuan(second["payable_fen"]))


def shoot(page, name: str) -> None:
    """Full-page screenshots at 1366 and 390 px; the phone layout must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"payment-{name}-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"payment-{name}-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"] + 1, f"{name} scrolls sideways at 390 px ({width} px wide)"


def _fill_scores(page, score: dict[str, str], note: str, text: str) -> None:
    """Every indicator's score (by its dimension: d1.i1 → d1) and note, and the report or opinion."""
    inputs = page.locator("input[name^='score__']")
    assert inputs.count() == 11  # the demo's indicator system: four dimensions, eleven indicators
    for field in inputs.all():
        key = (field.get_attribute("name") or "").removeprefix("score__")
        field.fill(score[key.split(".")[0]])
        page.fill(f"[name='note__{key}']", note)
    page.fill("[name=text]", text)


def _post(page, selector: str, done: str) -> None:
    page.click(selector)
    page.wait_for_selector(f"text={done}")


def test_a_good_midterm_releases_the_second_installment(live_server, browser, midterm):
    url = live_server.url

    def person(username: str):
        p = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
        p.on("dialog", lambda dialog: dialog.accept())  # the confirm() questions of app.js
        login(p, url, username)
        return p

    # The provider assesses itself first; the agency cannot score before that.
    provider = person(PROVIDER)
    provider.goto(url + midterm.evaluation)
    assert "已指派，待服务机构自评" in provider.inner_text("main")
    assert provider.inner_text("#h-form") == "提交自评"
    _fill_scores(
        provider,
        {"d1": "90", "d2": "88", "d3": "90", "d4": "86"},
        "见服务台账与个案档案。",
        "项目按计划推进：已完成入矫评估和个案建档，团体辅导每月一次，台账完整。",
    )
    _post(provider, "#h-form ~ form button[type=submit]", "已提交")
    summary = provider.inner_text("main")
    assert "已自评，待评估机构评估" in summary and "自评得分：88.4" in summary, summary
    assert provider.locator("#h-form").count() == 0  # nothing more for the provider to submit

    # The agency scores on its workspace: 85 for management, outcomes and finance, 80 for
    # satisfaction → 0.8 × 85 + 0.2 × 80 = 84.0, 良好 (80–89, rule 32).
    agency = person(AGENCY)
    agency.goto(f"{url}/assessments")
    row = agency.locator("tr", has_text=CONTRACT)
    assert "中期评估" in row.inner_text()
    row.locator("a").first.click()
    agency.wait_for_url(url + midterm.evaluation)
    _fill_scores(
        agency,
        {"d1": "85", "d2": "85", "d3": "85", "d4": "80"},
        "现场查看服务台账，抽查个案档案 5 份，记录完整。",
        "项目管理规范，服务成效与合同目标一致；社区评议样本偏少，满意度指标按回访结果评分。",
    )
    shoot(agency, "scoring")
    _post(agency, "#h-form ~ form button[type=submit]", "已提交")
    summary = agency.inner_text("main")
    assert "评估得分：84.0" in summary and "等级：良好" in summary, summary
    scored = agency.inner_text("#h-scores ~ .table-wrap")
    assert "组织架构与制度建设" in scored and "90" in scored and "85" in scored  # self-assessed beside scored
    assert agency.locator("a[href$='/report.pdf']").count() == 1
    shoot(agency, "evaluation")
    agency.goto(f"{url}/assessments")
    assert "良好（84.0）" in agency.locator("tr", has_text=CONTRACT).inner_text()

    # The mid-term gate is met: the 中期款 is due and the provider asks for it.
    provider.goto(url + midterm.payments)
    second = provider.locator("#installment-2")
    assert "中期款" in second.inner_text() and midterm.amount in second.inner_text()
    assert "剩余 30 天" in second.inner_text(), second.inner_text()  # rule 35: 30 days from today
    _post(provider, "form[action$='/payments/2/request'] button", "拨付申请已提交")
    assert "已申请拨付，待审核" in provider.inner_text("#installment-2")

    # The bureau's officer approves it; finance finds it in its queue and releases it.
    officer = person("officer")
    officer.goto(url + midterm.payments)
    assert officer.locator("form[action$='/payments/2/request']").count() == 0
    # The evaluation that met the gate is beside the approval.
    assert officer.locator(f"#installment-2 a[href='{midterm.evaluation}']").count() == 1
    assert officer.locator("#installment-2 a[href$='/report.pdf']").count() == 1
    _post(officer, "form[action$='/payments/2/approve'] button", "拨付申请已审核通过")
    finance = person("finance")
    finance.goto(f"{url}/bureau/payments")
    queued = finance.locator("tr", has_text=CONTRACT).filter(has_text="第 2 期")
    assert midterm.amount in queued.inner_text()
    queued.locator(f"a[href='{midterm.payments}']").click()
    finance.wait_for_url(url + midterm.payments)
    release = finance.locator("form[action$='/payments/2/release']")
    release.locator("input[name=voucher_no]").fill(VOUCHER)
    release.locator("button[type=submit]").click()
    finance.wait_for_selector("text=款项已拨付")
    assert finance.locator("form[action$='/payments/2/release']").count() == 0

    # The provider sees it paid, with the voucher number and the 拨付单.
    provider.goto(url + midterm.payments)
    paid = provider.inner_text("#installment-2")
    assert "已拨付" in paid and midterm.amount in paid and VOUCHER in paid, paid
    assert provider.locator("#installment-2 a[href$='/installments/2/voucher']").count() == 1
    totals = provider.inner_text("#h-total ~ dl")
    assert midterm.amount in totals, totals  # 累计已拨付: only the 中期款 was released
    shoot(provider, "payments")
    for p in (provider, agency, officer, finance):
        p.context.close()

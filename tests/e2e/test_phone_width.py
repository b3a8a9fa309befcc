"""Every page in the README's pages-by-role table fits a 390 px phone screen: no
sideways scrolling (document.documentElement.scrollWidth <= 391), signed in as the
role that reaches it.

The list of pages is read from the README itself, so a page added to the table is
checked from then on (a placeholder the test cannot fill fails, naming it). The
data behind the pages comes from the API, in the law's order: the demo tender whose
deadline has passed is opened, qualified by the officer (rule 41), given a panel
that declares, elects its chair, records the 符合性审查, scores and reports; the
officer awards it; a social organization keeps a draft on an open tender.
Screenshots of failures go to test-artifacts/."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from procurement.demo import LOGINS
from tests.e2e.conftest import ARTIFACTS, ROOT, login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
CLOSED_DEMO = "湖滨街道社区矫正对象帮教服务项目"
OPEN_DEMO = "清波街道居家养老上门服务项目"
SCORES = {
    "幸福家": {"c1": "26", "c2": "12", "c3": "15", "c4": "12"},
    "颐乐": {"c1": "24", "c2": "12", "c3": "10", "c4": "11"},
    "阳光": {"c1": "22", "c2": "12", "c3": "10", "c4": "10"},
}
# The README's "who" column → the demo login that reaches those pages (the expert: the chair;
# pages every signed-in person has are checked as each of them). Longer names first.
WHO: dict[str, str | None] = {
    "everyone signed in": "every role",
    "everyone": None,
    "social organization": "xingfujia",
    "bureau officer": "officer",
    "expert": "chair",
    "bureau finance": "finance",
    "administrator": "admin",
    "evaluation agency": "pinggu",
}
NOT_PAGES = re.compile(r"\.(atom|pdf|csv|json)$|/files/")  # feeds and downloads, not pages


def readme_pages() -> list[tuple[str, str]]:
    """(who, path) for every path in the README's pages-by-role table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## 页面 / Pages by role", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("who", "---") or set(cells[0]) <= {"-"}:
            continue
        who = next((key for key in WHO if cells[0].startswith(key)), None)
        assert who is not None, f"the README names a role the phone test does not know: {cells[0]}"
        for path in re.findall(r"`(/[^`\s]*)`", cells[1]):
            if not NOT_PAGES.search(path):
                rows.append((who, path))
    return rows


@dataclass
class Journey:
    # The path before a placeholder, as the README writes it (earlier placeholders included) → its value.
    values: dict[str, str] = field(default_factory=dict)
    chair: str = ""

    def fill(self, path: str) -> str:
        def value(match: re.Match[str]) -> str:
            prefix = path[: match.start()]
            if prefix not in self.values:
                pytest.fail(f"the phone test has no value for {match.group(0)} in {path}: add one to Journey")
            return self.values[prefix]

        return re.sub(r"\{\w+\}", value, path)


def _ok(response: httpx.Response) -> dict | list:
    assert response.status_code < 300, (response.request.url, response.status_code, response.text[:500])
    return response.json()


@pytest.fixture(scope="module")
def journey(live_server) -> Journey:
    url = live_server.url
    names = {d.name: d.username for d in LOGINS}

    def api(username: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{url}/api/v1",
            headers={"Authorization": f"Bearer {live_server.login_token(username)}"},
            timeout=60,
        )

    officer = api("officer")
    tenders = _ok(httpx.get(f"{url}/api/v1/tenders/", params={"limit": 200}))["items"]
    closed = next(t["id"] for t in tenders if t["title"] == CLOSED_DEMO)
    open_id = next(t["id"] for t in tenders if t["title"] == OPEN_DEMO)

    _ok(officer.get(f"/tenders/{closed}/opening/"))
    reviews = _ok(officer.get(f"/tenders/{closed}/reviews"))
    bids = {next(k for k in SCORES if k in r["organization_name"]): r["bid_id"] for r in reviews}
    for bid_id in bids.values():
        _ok(officer.post(f"/bids/{bid_id}/qualification", json={"passed": True}))
    panel = _ok(officer.post(f"/tenders/{closed}/panel/", json={"size": 5, "include_buyer_rep": False}))
    seats = {m["id"]: api(names[m["display_name"]]) for m in panel["members"] if m["user_id"]}
    for member in seats.values():
        _ok(member.post(f"/panels/{panel['id']}/declaration", json={"no_conflict": True}))
    chair_seat = next(iter(seats))
    for member in seats.values():
        proposed = member.post(f"/panels/{panel['id']}/chair-proposal", json={"member_id": chair_seat})
        if proposed.status_code == 409:
            break  # a majority already made the chair
        _ok(proposed)
    chair = seats[chair_seat]
    for bid_id in bids.values():
        _ok(chair.post(f"/bids/{bid_id}/compliance", json={"responsive": True}))
    for member in seats.values():
        for org, bid_id in bids.items():
            comments = {k: f"{org}：评分依据见投标文件。" for k in SCORES[org]}
            _ok(
                member.put(
                    f"/bids/{bid_id}/score-sheet", json={"scores": SCORES[org], "comments": comments, "submit": True}
                )
            )
    assert chair.get(f"/tenders/{closed}/evaluation-report").status_code == 200  # the chair previews the draft
    _ok(chair.post(f"/tenders/{closed}/evaluation-report"))
    lot_id = _ok(officer.get(f"/tenders/{closed}/ranking"))["lots"][0]["lot_id"]
    _ok(officer.post(f"/tenders/{closed}/award", json={"choices": [{"lot_id": lot_id, "bid_id": bids["幸福家"]}]}))

    member = api("xingfujia")
    mine = next(b for b in _ok(member.get("/bids/")) if b["tender_id"] == closed)
    lot = _ok(httpx.get(f"{url}/api/v1/tenders/{open_id}"))["lots"][0]["id"]
    draft = _ok(member.post("/bids/", json={"tender_id": open_id, "lot_id": lot}))
    notice = _ok(httpx.get(f"{url}/api/v1/notices/", params={"limit": 1}))["items"][0]["id"]
    chair_name = next(names[m["display_name"]] for m in panel["members"] if m["id"] == chair_seat)
    return Journey(
        values={
            "/notices/": str(notice),
            "/tenders/": str(closed),
            "/org/tenders/": str(open_id),
            "/org/bids/": str(draft["id"]),
            "/org/receipts/": mine["last_receipt_no"],
            "/bids/": str(mine["id"]),
            "/bureau/tenders/": str(closed),
            "/review/panels/": str(panel["id"]),
            "/review/bids/": str(bids["颐乐"]),
            "/tenders/{id}/evaluation/bids/": str(bids["幸福家"]),
            "/bureau/eligibility-profiles/": str(_ok(member.get("/auth/me"))["organization"]["id"]),
        },
        chair=chair_name,
    )


def test_the_readme_table_lists_pages_for_every_role():
    pages = readme_pages()
    assert {who for who, _path in pages} == set(WHO)
    assert ("administrator", "/admin/organizations") in pages and ("everyone", "/") in pages
    assert ("everyone signed in", "/dashboard") in pages


@pytest.fixture(scope="module")
def with_contract(live_server, journey) -> Journey:
    """The journey plus a contract drafted from its award, for the contract pages (kept out of
    ``journey`` itself: the contract journey drafts one from the award page)."""
    officer = httpx.Client(
        base_url=f"{live_server.url}/api/v1",
        headers={"Authorization": f"Bearer {live_server.login_token('officer')}"},
        timeout=60,
    )
    award_id = _ok(officer.get(f"/tenders/{journey.values['/tenders/']}/awards"))[0]["id"]
    contract = _ok(officer.post("/contracts/", json={"award_id": award_id}))
    return Journey(
        values={
            **journey.values,
            "/contracts/": str(contract["id"]),
            "/contracts/tenders/": journey.values["/tenders/"],  # the tender's contract template
        },
        chair=journey.chair,
    )


def test_every_page_of_the_readme_fits_a_390_px_screen(live_server, browser, with_contract):
    journey = with_contract
    too_wide, broken = [], []
    by_role: dict[str, list[str]] = {}
    for who, path in readme_pages():
        by_role.setdefault(who, []).append(journey.fill(path))
    visits: list[tuple[str, str | None, list[str]]] = []
    for who, paths in by_role.items():
        if WHO[who] == "every role":
            visits += [(who, u, paths) for u in ("officer", "finance", "xingfujia", journey.chair, "pinggu", "admin")]
        else:
            visits.append((who, journey.chair if WHO[who] == "chair" else WHO[who], paths))
    for who, username, paths in visits:
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.dismiss())
        if username:
            login(page, live_server.url, username)
        who = f"{who} ({username})" if username else who
        for path in dict.fromkeys(paths):
            response = page.goto(live_server.url + path)
            assert response is not None
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            if response.status >= 400:
                broken.append(f"{who} {path}: HTTP {response.status}")
                continue
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"] + 1:
                ARTIFACTS.mkdir(exist_ok=True)
                name = re.sub(r"[^a-z0-9]+", "-", f"phone-{who}-{path}".lower()).strip("-")
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                too_wide.append(f"{who} {path}: {width} px wide")
        context.close()
    assert not broken, "pages of the README that do not open:\n" + "\n".join(broken)
    assert not too_wide, "pages that scroll sideways at 390 px:\n" + "\n".join(too_wide)


def test_the_width_check_catches_a_page_that_scrolls_sideways(live_server, browser):
    """The measure itself: a page made wider than the screen is reported."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.evaluate("document.querySelector('main').style.minWidth = '600px'")
    assert page.evaluate("document.documentElement.scrollWidth") > PHONE["width"] + 1
    context.close()


def test_the_screenshot_folder_is_the_one_the_suite_keeps():
    assert ARTIFACTS == Path(ROOT) / "test-artifacts"

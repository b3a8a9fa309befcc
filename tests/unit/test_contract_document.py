"""The contract document (issue 12 §2): both kinds render with the 大写 amount,
the parties, the clauses, page x of y and an embedded CJK serif font; the PDF
carries the platform's signature, which breaks when one byte changes; each
version is rendered once and then served as the same bytes."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re

import pydantic
import pytest
from pypdf import PdfReader

from contracts.documents import documents, templates
from contracts.documents.samples import service_contract, venture_agreement
from contracts.documents.schemas import ContractKind, Grade, Installment, PaymentGate
from procurement.core import pdf, pdfsign
from procurement.core.errors import NotFound, ValidationFailed
from procurement.core.pdf import TEMPLATES_DIR
from procurement.settings import reset_settings_cache
from tests.unit.test_pdf import font_names

SERVICE_HEADINGS = (
    "第一条　服务内容（标的）",
    "第二条　服务期限和地点",
    "第三条　合同价款及支付方式",
    "第四条　甲方的权利和义务",
    "第五条　乙方的权利和义务",
    "第六条　服务指标、评估与验收",
    "第七条　违约责任",
    "第八条　争议解决",
    "第九条　其他",
)


def squeeze(text: str) -> str:
    """pypdf puts spaces and line breaks where the layout wrapped: compare without them."""
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.fixture(scope="module")
def service_pdf() -> documents.ContractPdf:
    return asyncio.run(documents.issue_contract_pdf(service_contract()))


@pytest.fixture(scope="module")
def venture_pdf() -> documents.ContractPdf:
    return asyncio.run(documents.issue_contract_pdf(venture_agreement()))


def test_the_service_contract_prints_the_amount_in_figures_and_in_capitals(service_pdf):
    text = squeeze(pdf_text(service_pdf.content)[0])

    assert "壹拾万元零壹分" in text  # ¥100,000.01
    assert "¥100,000.01" in text
    assert "¥30,000.01" in text and "¥40,000.00" in text


def test_the_service_contract_names_both_parties_with_their_details(service_pdf):
    text = squeeze(pdf_text(service_pdf.content)[0])

    for value in (
        "杭州市上城区民政局",
        "杭州市上城区幸福家社会工作服务中心",
        "52330102MJ8812345K",
        "陈美华",
        "杭州银行股份有限公司上城支行",
        "3301040160012345678",
    ):
        assert value in text, value


def test_the_service_contract_has_every_clause_in_order(service_pdf):
    text = squeeze(pdf_text(service_pdf.content)[0])

    positions = [text.find(squeeze(heading)) for heading in SERVICE_HEADINGS]
    assert all(p >= 0 for p in positions), dict(zip(SERVICE_HEADINGS, positions, strict=True))
    assert positions == sorted(positions)


def test_the_service_contract_prints_schedule_indicators_team_bond_and_seals(service_pdf):
    text = squeeze(pdf_text(service_pdf.content)[0])

    for phrase in (
        "合同签订后",
        "中期评估达到「合格」及以上",
        "末期评估达到「合格」及以上，经履约验收合格后",
        "国库集中支付",
        "上门服务人次",
        "≥3600",
        "服务对象满意度",
        "养老护理员职业技能等级证书",
        "欧阳明远",
        "伍仟元整（¥5,000.00）",  # the performance bond
        "不得将本合同项目转包",
        "2027年1月1日起至2027年12月31日止，共12个月",
        "甲方（盖章）",
        "乙方（盖章）",
        "法定代表人或授权代表（签字）",
        "SCMZ-2027-HT-0012",
        "公开招标",
    ):
        assert phrase in text, phrase


def test_every_page_says_page_x_of_y(service_pdf):
    text, pages = pdf_text(service_pdf.content)

    assert pages >= 3
    for number in (1, pages):
        assert re.search(rf"第\s*{number}\s*页\s*共\s*{pages}\s*页", text), number


def test_the_text_fingerprint_is_printed_and_is_not_the_files_hash(service_pdf):
    text = squeeze(pdf_text(service_pdf.content)[0])
    doc = service_contract()

    assert service_pdf.text_sha256 == doc.text_sha256()
    assert doc.text_sha256() in text
    assert "/verify/contracts" in text
    assert service_pdf.pdf_sha256 != service_pdf.text_sha256


def test_the_contract_embeds_a_cjk_serif_font(service_pdf, venture_pdf):
    for content in (service_pdf.content, venture_pdf.content):
        names = font_names(PdfReader(io.BytesIO(content)))
        assert any("Serif" in name and "CJK" in name for name in names), names


def test_the_issued_pdf_carries_the_platforms_signature_that_breaks_on_one_changed_byte(service_pdf):
    assert pdfsign.verify(service_pdf.content).ok

    changed = bytearray(service_pdf.content)
    changed[len(changed) // 3] ^= 0x01
    check = pdfsign.verify(bytes(changed))

    assert not check.ok
    assert check.integrity in (pdfsign.Integrity.MODIFIED, pdfsign.Integrity.UNREADABLE)


def test_the_venture_agreement_prints_funded_matching_and_total_amounts(venture_pdf):
    text = squeeze(pdf_text(venture_pdf.content)[0])

    assert "公益创投项目资助协议" in text
    assert "捌万元整（¥80,000.00）" in text  # funded
    assert "贰万元整（¥20,000.00）" in text  # matching
    assert "壹拾万元整（¥100,000.00）" in text  # the project's total budget
    assert "第三条资助金额及拨付方式" in text
    assert "末期评估达到「合格」及以上，经结项验收合格后" in text
    assert "中期评估达到「良好」及以上" in text
    assert "上城区阳光青少年成长服务中心" in text and "52330102MJ7765432P" in text
    assert "共24个月" in text and "两个年度的彩票公益金预算" in text  # over one year, with its reason
    assert "本项目不收取履约保证金" in text
    assert "上城区公益创投资助项目" in text  # an extra term
    for heading in SERVICE_HEADINGS[3:]:
        assert squeeze(heading) in text, heading


async def test_a_version_is_rendered_once_then_served_as_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("PROCUREMENT_VAR_DIR", str(tmp_path))
    reset_settings_cache()
    pdfsign.reset_cache()
    renders: list[str] = []
    real = pdf.render_template_pdf

    def counting(template_name, context):
        renders.append(template_name)
        return real(template_name, context)

    monkeypatch.setattr(pdf, "render_template_pdf", counting)
    try:
        first = await documents.issue_contract_pdf(service_contract())
        again = await documents.issue_contract_pdf(service_contract())
        corrected = await documents.issue_contract_pdf(service_contract(version=2))
    finally:
        reset_settings_cache()
        pdfsign.reset_cache()

    assert again.content == first.content and again.pdf_sha256 == first.pdf_sha256
    assert len(renders) == 2  # the first request and the new version, not the repeat
    assert corrected.text_sha256 != first.text_sha256


def test_the_text_fingerprint_is_stable_and_changes_with_any_printed_value():
    doc = service_contract()

    assert doc.text_sha256() == service_contract().text_sha256()
    assert doc.text_sha256() != service_contract(service_place="上城区清波街道清波门社区").text_sha256()
    assert doc.text_sha256() != service_contract(version=2).text_sha256()


def test_a_date_gate_prints_its_date():
    installment = Installment(percent_bp=10_000, amount_fen=1, gate=PaymentGate.ON_DATE, on_date=dt.date(2027, 7, 1))

    assert documents.gate_text(installment, ContractKind.SERVICE) == "2027年7月1日起"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "installments": (
                    Installment(percent_bp=5000, amount_fen=5_000_000, gate=PaymentGate.ON_SIGNING),
                    Installment(percent_bp=5000, amount_fen=5_000_000, gate=PaymentGate.FINAL, min_grade=Grade.PASS),
                )
            },
            "各期付款金额之和",
        ),
        ({"performance_bond_fen": 1_000_001}, "履约保证金不得超过"),
        ({"end_date": dt.date(2026, 12, 31)}, "结束日期早于开始日期"),
        ({"matching_fen": 100}, "配套资金"),
        ({"dispute": "arbitration"}, "仲裁委员会"),
    ],
)
def test_a_document_that_does_not_add_up_is_refused(changes, message):
    with pytest.raises(pydantic.ValidationError, match=message):
        service_contract(**changes)


def test_a_bond_of_exactly_ten_percent_is_accepted():
    assert service_contract(performance_bond_fen=1_000_000).performance_bond_fen == 1_000_000


def test_a_gate_needs_its_grade_or_its_date():
    with pytest.raises(pydantic.ValidationError, match="最低评估等级"):
        Installment(percent_bp=10_000, amount_fen=1, gate=PaymentGate.MIDTERM)
    with pytest.raises(pydantic.ValidationError, match="写明日期"):
        Installment(percent_bp=10_000, amount_fen=1, gate=PaymentGate.ON_DATE)


def test_arbitration_names_its_commission():
    html = documents.render_contract_html(
        service_contract(dispute="arbitration", arbitration_commission="杭州仲裁委员会")
    )

    assert "提交杭州仲裁委员会仲裁" in html
    assert "人民法院" not in html


def test_a_template_of_the_other_kind_is_refused():
    with pytest.raises(ValidationFailed):
        documents.contract_context(service_contract(template_key="venture-standard"))


def test_the_registry_offers_a_template_of_each_kind_whose_file_exists():
    for kind in ContractKind:
        choices = templates.templates_for(kind)
        assert choices and templates.default_for(kind) in choices
    for template in templates.TEMPLATES:
        assert (TEMPLATES_DIR / template.file).is_file()
        assert template.display_label()
    with pytest.raises(NotFound):
        templates.get_template("no-such-template")


def test_the_parties_words_are_escaped_not_interpreted():
    provider = service_contract().provider.model_copy(update={"name": "<img src=x>幸福家"})
    html = documents.render_contract_html(service_contract(provider=provider))

    assert "<img src=x>" not in html
    assert "&lt;img src=x&gt;幸福家" in html


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2027, 1, 1), dt.date(2027, 12, 31), 12),
        (dt.date(2027, 1, 1), dt.date(2028, 12, 31), 24),
        (dt.date(2027, 3, 15), dt.date(2027, 4, 14), 1),
        (dt.date(2027, 3, 15), dt.date(2027, 4, 20), 2),  # a started month counts
        (dt.date(2027, 2, 1), dt.date(2027, 2, 28), 1),
    ],
)
def test_the_term_is_counted_in_months(start, end, months):
    assert documents._months(start, end) == months


@pytest.mark.parametrize(("bp", "text"), [(4000, "40%"), (3333, "33.33%"), (3350, "33.5%"), (10_000, "100%")])
def test_percentages_print_without_trailing_zeros(bp, text):
    assert documents._percent(bp) == text


def test_a_chosen_template_prints_its_own_clauses_under_article_nine():
    standard = documents.render_contract_html(service_contract())
    eldercare = documents.render_contract_html(service_contract(template_key="service-eldercare"))

    clause = "不得向服务对象推销商品或者服务"
    assert clause not in standard
    assert clause in eldercare
    article_nine = eldercare.index("第九条")
    assert eldercare.index(clause) > article_nine
    assert service_contract(template_key="service-eldercare").text_sha256() != service_contract().text_sha256()


def test_every_template_of_a_kind_renders_that_kind_and_the_kind_follows_the_tenders_method():
    from contracts.documents.services import kind_of_method

    assert kind_of_method("venture_call") is ContractKind.VENTURE
    assert kind_of_method("open") is ContractKind.SERVICE
    for template in templates.TEMPLATES:
        doc = (service_contract if template.kind is ContractKind.SERVICE else venture_agreement)(
            template_key=template.key
        )
        html = documents.render_contract_html(doc)
        for clause in template.display_clauses():
            assert clause in html, (template.key, clause)
        assert template.display_description()
    assert len(templates.templates_for(ContractKind.SERVICE)) >= 2
    assert len(templates.templates_for(ContractKind.VENTURE)) >= 2


def test_one_canonical_form_for_every_contract_text():
    from contracts.documents.schemas import canonical
    from contracts.lifecycle import signing

    doc = service_contract()
    assert signing.canonical is canonical
    assert canonical(doc.model_dump(mode="json")) == (doc.canonical_text(), doc.text_sha256())
    text, digest = canonical({"b": 1, "a": "甲"})
    assert text == '{"a":"甲","b":1}'
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()

"""Sample contract documents of both kinds, as the lifecycle will fill them: the
administrators' template previews print them (marked 样本), and the tests read
them. Demo data, not words to translate (tests/unit/test_i18n.py lists this module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from contracts.documents.schemas import (
    BuyerParty,
    ContractDocumentIn,
    ContractKind,
    Grade,
    Indicator,
    Installment,
    PaymentGate,
    ProviderParty,
    TeamMember,
    TeamRequirement,
)

BUYER = BuyerParty(
    name="杭州市上城区民政局",
    address="浙江省杭州市上城区解放东路 8 号",
    contact_person="王立新",
    phone="0571-87000000",
    credit_code="11330102002491234X",
)
PROVIDER = ProviderParty(
    name="杭州市上城区幸福家社会工作服务中心",
    credit_code="52330102MJ8812345K",
    address="浙江省杭州市上城区清波街道河坊街 120 号 2 楼",
    legal_representative="陈美华",
    contact_person="刘晓燕",
    phone="13800571234",
    bank_name="杭州银行股份有限公司上城支行",
    bank_account_name="杭州市上城区幸福家社会工作服务中心",
    bank_account="3301040160012345678",
)


def service_contract(**changes: Any) -> ContractDocumentIn:
    """¥100,000.01 over three installments (40/30/30, the rounding on the last)."""
    values: dict[str, Any] = dict(
        kind=ContractKind.SERVICE,
        template_key="service-standard",
        contract_no="SCMZ-2027-HT-0012",
        version=1,
        issued_on=dt.date(2026, 12, 20),
        project_title="2027 年度清波街道社区居家养老上门服务项目",
        tender_reference_no="SCMZ-2026-GK-031",
        lot_name="第1包 清波街道",
        procurement_method="公开招标",
        award_letter_no="上民采中〔2026〕31号",
        buyer=BUYER,
        provider=PROVIDER,
        service_content="为清波街道辖区 80 周岁以上独居、空巢及失能半失能老年人提供助餐、助洁、助浴、助医、精神慰藉等上门服务，建立服务对象档案，开展季度满意度回访。",
        service_targets="清波街道 6 个社区经评估符合条件的老年人，不少于 300 人",
        service_place="上城区清波街道清波门、劳动路、柳翠井巷、定安、涌金、南班巷 6 个社区",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
        amount_fen=10_000_001,
        installments=(
            Installment(percent_bp=4000, amount_fen=4_000_000, gate=PaymentGate.ON_SIGNING),
            Installment(percent_bp=3000, amount_fen=3_000_000, gate=PaymentGate.MIDTERM, min_grade=Grade.PASS),
            Installment(percent_bp=3000, amount_fen=3_000_001, gate=PaymentGate.FINAL, min_grade=Grade.PASS),
        ),
        performance_bond_fen=500_000,
        indicators=(
            Indicator(name="上门服务人次", target="≥ 3600", unit="人次", method="服务台账、签到表抽查"),
            Indicator(name="建立服务对象档案", target="≥ 300", unit="份", method="档案抽查"),
            Indicator(name="主题活动", target="≥ 12", unit="场", method="活动记录、照片"),
            Indicator(name="服务对象满意度", target="≥ 90%", unit="", method="第三方评估机构问卷调查"),
        ),
        team_requirements=(
            TeamRequirement(role="项目负责人", count=1, qualification="中级社会工作师，3 年以上养老服务经验"),
            TeamRequirement(role="持证社工", count=3, qualification="助理社会工作师及以上"),
            TeamRequirement(role="养老护理员", count=6, qualification="养老护理员职业技能等级证书"),
        ),
        team_members=(
            TeamMember(name="刘晓燕", role="项目负责人", qualification="中级社会工作师"),
            TeamMember(name="张伟", role="持证社工", qualification="助理社会工作师"),
            TeamMember(name="欧阳明远", role="持证社工", qualification="助理社会工作师"),
        ),
        signing_place="杭州市上城区",
    )
    values.update(changes)
    return ContractDocumentIn.model_validate(values)


def venture_agreement(**changes: Any) -> ContractDocumentIn:
    """A 公益创投 agreement: ¥80,000.00 funded, ¥20,000.00 matching, over two years."""
    values: dict[str, Any] = dict(
        kind=ContractKind.VENTURE,
        template_key="venture-standard",
        contract_no="SCMZ-2027-GY-0003",
        version=2,
        issued_on=dt.date(2026, 12, 21),
        project_title="“彩虹桥”困境儿童成长陪伴计划",
        tender_reference_no="SCMZ-2026-CT-007",
        procurement_method="",
        award_letter_no="上民创立〔2026〕7号",
        buyer=BUYER,
        provider=PROVIDER.model_copy(
            update={
                "name": "上城区阳光青少年成长服务中心",
                "credit_code": "52330102MJ7765432P",
                "bank_account_name": "上城区阳光青少年成长服务中心",
            }
        ),
        service_content="为困境儿童开展课业辅导、心理陪伴和家庭支持，组建志愿者陪伴小组。",
        service_targets="辖区困境儿童 40 名及其家庭",
        service_place="上城区紫阳街道各社区",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2028, 12, 31),
        term_justification="陪伴服务须连续开展方能见效，资金已列入两个年度的彩票公益金预算",
        amount_fen=8_000_000,
        matching_fen=2_000_000,
        installments=(
            Installment(percent_bp=5000, amount_fen=4_000_000, gate=PaymentGate.ON_SIGNING),
            Installment(percent_bp=3000, amount_fen=2_400_000, gate=PaymentGate.MIDTERM, min_grade=Grade.GOOD),
            Installment(percent_bp=2000, amount_fen=1_600_000, gate=PaymentGate.FINAL, min_grade=Grade.PASS),
        ),
        indicators=(
            Indicator(name="结对陪伴儿童", target="40", unit="名", method="结对档案"),
            Indicator(name="陪伴服务时长", target="≥ 1600", unit="小时", method="服务台账"),
        ),
        extra_terms=("乙方应在项目宣传品和活动现场标注“上城区公益创投资助项目”字样。",),
    )
    values.update(changes)
    return ContractDocumentIn.model_validate(values)


def sample_for(kind: ContractKind, template_key: str) -> ContractDocumentIn:
    """The sample of ``kind``, printed with the template ``template_key``."""
    make = venture_agreement if kind is ContractKind.VENTURE else service_contract
    return make(template_key=template_key)

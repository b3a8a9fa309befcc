"""What the contract document prints: one self-contained input, no tables.

``ContractDocumentIn`` holds every value the template needs, already decided
(a contract version's frozen text, rule 28). The lifecycle services fill it from
a contract row and its version; until those exist, tests and previews fill it by
hand. Money is integer fen (design invariant 7); dates are Beijing calendar
dates; texts are the parties' own words and are printed as they are.

The whole model, dumped as canonical JSON (``canonical``), is the contract
version's frozen text: the lifecycle stores exactly it when the first party
signs, and its SHA-256 (``text_sha256``) is the one fingerprint the parties sign,
the document prints and the public verify page checks.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from procurement.core.i18n import _
from procurement.core.money import percent_of


def canonical(value: Any) -> tuple[str, str]:
    """The one canonical text of a contract's JSON-able content and its SHA-256: sorted
    keys, no spaces, UTF-8. A contract version's frozen text (``ContractDocumentIn``),
    the text a change's parties sign and the fingerprint printed on their PDFs all
    come from here, so one version has one fingerprint (rule 28)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


class ContractKind(enum.StrEnum):
    SERVICE = "service"  # 政府购买服务合同
    VENTURE = "venture"  # 公益创投项目资助协议 (funded + matching amounts)


class PaymentGate(enum.StrEnum):
    """When an installment may be paid (rule 35): the lifecycle's gate, printed as words."""

    ON_SIGNING = "on_signing"  # 合同签订后
    MIDTERM = "midterm"  # 中期评估达到 min_grade 及以上
    FINAL = "final"  # 末期评估达到 min_grade 及以上（履约验收合格）
    ON_DATE = "on_date"  # 指定日期起


class Grade(enum.StrEnum):
    """Evaluation grades, best first."""

    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格


class DisputeResolution(enum.StrEnum):
    LITIGATION = "litigation"  # 向甲方所在地人民法院提起诉讼
    ARBITRATION = "arbitration"  # 提交 arbitration_commission 仲裁


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class BuyerParty(_Model):
    """甲方: the buyer (the bureau or a street office) as its organization row says."""

    name: str = Field(min_length=1)  # 单位名称 (organization name)
    address: str = Field(min_length=1)  # 地址
    contact_person: str = Field(min_length=1)  # 联系人 (the contract's officer)
    phone: str = Field(min_length=1)  # 联系电话
    credit_code: str | None = Field(default=None)  # 统一社会信用代码 (optional for a government body)


class ProviderParty(_Model):
    """乙方: the provider; entered by the provider, confirmed by the buyer (issue 12 §1)."""

    name: str = Field(min_length=1)  # 单位名称
    credit_code: str = Field(min_length=18, max_length=18)  # 统一社会信用代码 (18 characters)
    address: str = Field(min_length=1)  # 住所
    legal_representative: str = Field(min_length=1)  # 法定代表人
    contact_person: str = Field(min_length=1)  # 联系人
    phone: str = Field(min_length=1)  # 联系电话
    bank_name: str = Field(min_length=1)  # 开户银行
    bank_account_name: str = Field(min_length=1)  # 账户名称 (normally the provider's name)
    bank_account: str = Field(min_length=1)  # 银行账号


class Installment(_Model):
    """One row of the payment schedule. ``amount_fen`` is decided by the lifecycle
    (the rounding goes on the last installment); the document only prints it."""

    percent_bp: int = Field(gt=0, le=10_000)  # share of the amount in basis points (40% = 4000)
    amount_fen: int = Field(ge=0)
    gate: PaymentGate
    min_grade: Grade | None = Field(default=None)  # the lowest grade that opens a MIDTERM/FINAL gate
    on_date: dt.date | None = Field(default=None)  # the date of an ON_DATE gate

    @model_validator(mode="after")
    def _gate_has_its_value(self) -> Installment:
        if self.gate in (PaymentGate.MIDTERM, PaymentGate.FINAL) and self.min_grade is None:
            raise ValueError(_("评估付款条件须写明最低评估等级。"))
        if self.gate is PaymentGate.ON_DATE and self.on_date is None:
            raise ValueError(_("按日期付款的分期须写明日期。"))
        return self


class Indicator(_Model):
    """A service indicator (服务指标) and its target, e.g. 服务人次 ≥ 1200 人次."""

    name: str = Field(min_length=1)
    target: str = Field(min_length=1)  # the target as printed: '1200', '≥ 90%', '每月 2 次'
    unit: str = Field(default="")  # 人次, 场, 小时, …
    method: str = Field(default="")  # how it is checked (考核方式): 服务台账, 满意度问卷, …


class TeamRequirement(_Model):
    """A post the tender requires: 持证社工 × 2 (助理社会工作师及以上)."""

    role: str = Field(min_length=1)
    count: int = Field(ge=1)
    qualification: str = Field(default="")


class TeamMember(_Model):
    """A person the winning bid promised (kept unless a replacement is approved)."""

    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    qualification: str = Field(default="")


class ContractDocumentIn(_Model):
    """One version of a contract (or a 公益创投 funding agreement) as it is printed.

    Filled from a contract row and its frozen version: ``contract_no`` and
    ``version`` identify it; ``amount_fen`` is the contract amount (for a
    venture agreement: the funded amount, with ``matching_fen`` the provider's
    own matching funds); ``installments`` must add up exactly to
    ``amount_fen``; ``performance_bond_fen`` is at most 10% of it (rule 29).
    """

    kind: ContractKind
    template_key: str  # the registry entry chosen for the tender (contracts.documents.templates)
    contract_no: str = Field(min_length=1)  # 合同编号
    version: int = Field(ge=1)  # 文本版本: a correction after a signature is a new version (rule 28)
    issued_on: dt.date  # the day this version was generated (Beijing)

    project_title: str = Field(min_length=1)  # 项目名称 (the tender's title)
    tender_reference_no: str = Field(min_length=1)  # 项目编号
    lot_name: str = Field(default="")  # 包号/标段 name; empty for a single-lot tender
    procurement_method: str = Field(default="")  # 采购方式 as its label: 公开招标, 竞争性磋商 …
    award_letter_no: str = Field(default="")  # 中标（成交）通知书 / 立项通知书 number, if any

    buyer: BuyerParty
    provider: ProviderParty

    service_content: str = Field(min_length=1)  # 服务内容（标的）: from the tender and the winning bid
    service_targets: str = Field(default="")  # 服务对象 and their number, as text
    service_place: str = Field(min_length=1)  # 服务地点: the 社区 served
    start_date: dt.date
    end_date: dt.date
    term_justification: str = Field(default="")  # why the term is over one year (rule 30)

    amount_fen: int = Field(gt=0)  # 合同金额 (venture: 资助金额)
    matching_fen: int = Field(default=0, ge=0)  # venture only: 乙方配套资金
    installments: tuple[Installment, ...] = Field(min_length=1)
    performance_bond_fen: int = Field(default=0, ge=0)  # 履约保证金; 0 = none
    bond_submit_days: int = Field(default=5, ge=1)  # days after signing to submit the bond

    indicators: tuple[Indicator, ...] = Field(min_length=1)
    team_requirements: tuple[TeamRequirement, ...] = ()
    team_members: tuple[TeamMember, ...] = ()

    dispute: DisputeResolution = DisputeResolution.LITIGATION
    arbitration_commission: str = Field(default="")  # the named commission when dispute = arbitration
    signing_place: str = Field(default="")  # 签订地点
    copies: int = Field(default=4, ge=2, le=10)  # 一式几份
    extra_terms: tuple[str, ...] = Field(default=())  # 其他约定, one paragraph each

    @model_validator(mode="after")
    def _consistent(self) -> ContractDocumentIn:
        # A document must never print a schedule that does not add up or a bond over the cap:
        # the lifecycle enforces these, the document refuses to hide a slip.
        if self.end_date < self.start_date:
            raise ValueError(_("服务期限的结束日期早于开始日期。"))
        if sum(i.amount_fen for i in self.installments) != self.amount_fen:
            raise ValueError(_("各期付款金额之和须等于合同金额。"))
        if sum(i.percent_bp for i in self.installments) != 10_000:
            raise ValueError(_("各期付款比例之和须为 100%。"))
        if self.performance_bond_fen > percent_of(self.amount_fen, 1000):
            raise ValueError(_("履约保证金不得超过合同金额的 10%。"))
        if self.kind is ContractKind.SERVICE and self.matching_fen:
            raise ValueError(_("只有公益创投资助协议才有配套资金。"))
        if self.dispute is DisputeResolution.ARBITRATION and not self.arbitration_commission:
            raise ValueError(_("选择仲裁的，须写明仲裁委员会名称。"))
        return self

    def canonical_text(self) -> str:
        """The version's text snapshot: canonical JSON of every printed value. The
        lifecycle stores exactly this as the frozen text of the version."""
        return canonical(self.model_dump(mode="json"))[0]

    def text_sha256(self) -> str:
        """The version's one fingerprint: printed on the document, kept with the frozen
        version and its signatures, and checked on /verify/contracts."""
        return canonical(self.model_dump(mode="json"))[1]


class ContractPdfCheckOut(BaseModel):
    """What the public check of a contract PDF found (/verify/contracts).

    ``integrity``: intact | modified | unsigned | unreadable (core.pdfsign);
    ``by_platform``: signed with this platform's certificate; ``text_sha256``:
    the version's text fingerprint the file carries (read from its metadata, so
    it is covered by the signature); ``pdf_sha256``: the uploaded file's own hash,
    which the lifecycle can compare with the issued version's."""

    ok: bool
    integrity: str
    by_platform: bool
    covers_whole_file: bool
    signer: str | None
    signed_at_local: str | None
    pdf_sha256: str
    text_sha256: str | None
    message: str

"""The contract templates an administrator can see and a bureau can choose per
tender (issue 12 §2): a small registry of named templates, each for one kind.

A template is a document file under ``templates/`` and the clauses it adds to the
standard text (printed under 第九条 before the parties' own extra terms). The
buyer's choice for a tender is kept in ``contract_template_choice``
(``contracts.documents.services``); without one, ``default_for(kind)`` applies.
The chosen key is part of each frozen version's text, so a signed version keeps
the template it was signed with. Adding a template is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.documents.schemas import ContractKind
from procurement.core.errors import NotFound
from procurement.core.i18n import N_, _


@dataclass(frozen=True)
class ContractTemplate:
    key: str  # stable: stored with a tender's choice and with each contract version
    label: str  # N_() marked; translate with _() where shown
    kind: ContractKind
    file: str  # under templates/
    description: str = ""  # N_() marked
    clauses: tuple[str, ...] = ()  # N_() marked: the clauses this template adds under 第九条

    def display_label(self) -> str:
        return _(self.label)

    def display_description(self) -> str:
        return _(self.description) if self.description else ""

    def display_clauses(self) -> list[str]:
        return [_(clause) for clause in self.clauses]


TEMPLATES: tuple[ContractTemplate, ...] = (
    ContractTemplate(
        key="service-standard",
        label=N_("政府购买服务合同（标准文本）"),
        kind=ContractKind.SERVICE,
        file="pdf/contract.html",
        description=N_("按采购文件和中标（成交）供应商的投标文件订立，固定总价，按履约进度和评估结果分期支付。"),
    ),
    ContractTemplate(
        key="service-eldercare",
        label=N_("政府购买服务合同（居家养老上门服务文本）"),
        kind=ContractKind.SERVICE,
        file="pdf/contract.html",
        description=N_(
            "在标准文本之上，增加上门服务确认、服务人员保险和突发情况处置、不得向老年人推销收费等条款，适用于居家养老上门服务项目。"
        ),
        clauses=(
            N_(
                "乙方上门服务前应与服务对象或者其监护人确认服务项目和时间；服务人员应佩戴工作证件，服务结束后由服务对象或者其监护人签字确认。"
            ),
            N_(
                "乙方应为服务人员投保意外伤害保险，并投保服务责任保险；服务中发现服务对象身体异常或者遇到突发情况的，应立即联系其监护人，必要时拨打急救电话，并及时报告甲方。"
            ),
            N_("乙方及其服务人员不得向服务对象推销商品或者服务，不得收取本合同约定以外的任何费用。"),
        ),
    ),
    ContractTemplate(
        key="venture-standard",
        label=N_("公益创投项目资助协议（标准文本）"),
        kind=ContractKind.VENTURE,
        file="pdf/contract.html",
        description=N_("按征集公告和立项项目的申报书订立，写明资助金额与配套资金，按评估结果分期拨付。"),
    ),
    ContractTemplate(
        key="venture-volunteer",
        label=N_("公益创投项目资助协议（志愿服务项目文本）"),
        kind=ContractKind.VENTURE,
        file="pdf/contract.html",
        description=N_(
            "在标准文本之上，增加招募和管理志愿者、记录志愿服务时长、为志愿者投保等条款，适用于以志愿服务为主的创投项目。"
        ),
        clauses=(
            N_(
                "乙方招募志愿者参与项目的，应依照《志愿服务条例》与志愿者约定服务内容，如实记录志愿服务时间和内容，并为志愿者投保相应的人身意外伤害保险。"
            ),
            N_(
                "乙方不得以志愿服务的名义向服务对象收取费用；资助资金用于志愿者的，限于交通、餐饮、保险和培训等必要支出。"
            ),
        ),
    ),
)

_BY_KEY = {template.key: template for template in TEMPLATES}
_DEFAULT = {ContractKind.SERVICE: "service-standard", ContractKind.VENTURE: "venture-standard"}


def get_template(key: str) -> ContractTemplate:
    template = _BY_KEY.get(key)
    if template is None:
        raise NotFound(_("没有名为「{key}」的合同模板。").format(key=key))
    return template


def templates_for(kind: ContractKind) -> list[ContractTemplate]:
    """The templates a bureau may choose for a tender of this kind."""
    return [template for template in TEMPLATES if template.kind is kind]


def default_for(kind: ContractKind) -> ContractTemplate:
    return _BY_KEY[_DEFAULT[kind]]

"""The contract templates an administrator can see and a bureau can choose per
tender (issue 12 §2): a small registry of named templates, each for one kind.

Which template a tender uses is stored with the tender's contract settings when
the lifecycle arrives; until then ``default_for(kind)`` gives the standard one.
Adding a template is one entry here and one file under ``templates/pdf/``.
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

    def display_label(self) -> str:
        return _(self.label)


TEMPLATES: tuple[ContractTemplate, ...] = (
    ContractTemplate(
        key="service-standard",
        label=N_("政府购买服务合同（标准文本）"),
        kind=ContractKind.SERVICE,
        file="pdf/contract.html",
        description=N_("按采购文件和中标（成交）供应商的投标文件订立，固定总价，按履约进度和评估结果分期支付。"),
    ),
    ContractTemplate(
        key="venture-standard",
        label=N_("公益创投项目资助协议（标准文本）"),
        kind=ContractKind.VENTURE,
        file="pdf/contract.html",
        description=N_("按征集公告和立项项目的申报书订立，写明资助金额与配套资金，按评估结果分期拨付。"),
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

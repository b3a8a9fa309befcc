"""Who may do what with evaluations; every answer carries its reason.

The relations come from the rows, never from the caller: the buyer's officer of the
contract assigns an agency; a member of the contract's provider self-assesses and
reports rectification; an evaluator (评估员) of the agency named on the assessment
scores it. Indicator systems are kept by the bureau's officers and administrators.
"""

from __future__ import annotations

from typing import Any

from contracts.assessments.states import AGENCY
from procurement.core.actors import Relation, Role
from procurement.core.auth import CurrentUser, Decision, allow, deny
from procurement.core.i18n import _


def system_editor(user: CurrentUser) -> Decision:
    """A bureau officer or an administrator adds an indicator system or a new version of one,
    through the API or on the pages at /admin/indicator-systems (edit, import). Officers
    use the pages too: they may already add versions through the API, and they choose the
    system when they commission an evaluation. Anyone else is refused with this reason."""
    if user.role in (Role.OFFICER, Role.ADMIN):
        return allow()
    return deny(_("只有民政局经办人或系统管理员可以维护评估指标体系。"))


def assigner(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """The buyer's officer of the contract commissions the third-party evaluation."""
    if user.role == Role.OFFICER and user.organization_id == contract["buyer"]:
        return allow(Relation.BUYER_OFFICER)
    return deny(_("只有采购人（{buyer}）的经办人可以委托第三方评估。").format(buyer=contract["buyer_name"]))


def self_assessor(user: CurrentUser, contract: dict[str, Any]) -> Decision:
    """A member of the contract's provider submits its self-assessment and its rectification."""
    if user.role == Role.ORG_MEMBER and user.organization_id == contract["provider"]:
        return allow(Relation.PROVIDER)
    return deny(
        _("只有服务机构（{provider}）的工作人员可以提交自评和整改情况。").format(provider=contract["provider_name"])
    )


def evaluator(user: CurrentUser, assessment: dict[str, Any]) -> Decision:
    """An evaluator of the agency this evaluation was assigned to scores it."""
    if user.role == Role.EVALUATOR and user.organization_id == assessment["agency"]:
        return allow(AGENCY)
    return deny(_("只有受托评估机构（{agency}）的评估员可以评分。").format(agency=assessment["agency_name"]))


def contract_reader(user: CurrentUser, contract: dict[str, Any]) -> bool:
    """The contract's readers see all its evaluations: the buyer's staff, the provider's
    members and administrators (as ``contracts.lifecycle.policies.reader``)."""
    if user.role == Role.ADMIN:
        return True
    if user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id == contract["buyer"]:
        return True
    return user.role == Role.ORG_MEMBER and user.organization_id == contract["provider"]


def assessment_reader(user: CurrentUser, contract: dict[str, Any], assessment: dict[str, Any]) -> Decision:
    """An evaluation is read by the contract's readers and by the assigned agency's evaluators;
    to anyone else it does not exist (404)."""
    if contract_reader(user, contract) or evaluator(user, assessment):
        return allow()
    return deny(_("找不到该评估。"))


def evidence_reader(
    user: CurrentUser, contract: dict[str, Any], assessment: dict[str, Any], evidence_round: int
) -> Decision:
    """Who may open a file of evidence (佐证材料) of an evaluation they can read: the bureau
    (the buyer's officers and finance) and administrators as supervisors, the assigned
    agency's evaluators who attached it, and the provider's members once the round it
    belongs to has its result (before, the agency's working papers are its own)."""
    if user.role == Role.ADMIN or evaluator(user, assessment):
        return allow()
    if user.role in (Role.OFFICER, Role.FINANCE) and user.organization_id == contract["buyer"]:
        return allow()
    if user.role == Role.ORG_MEMBER and user.organization_id == contract["provider"]:
        if evidence_round <= assessment["rounds"]:
            return allow()
        return deny(_("评估机构提交本轮评估结果后，服务机构才能查看其佐证材料。"))
    return deny(_("找不到该评估。"))

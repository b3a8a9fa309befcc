"""Who acts: account roles, relations to the data, and the actor of a change.

A *role* is what an account is (a bureau officer, an expert...). A *relation*
is what a person is to one piece of data (the buyer's officer of this tender,
the chair of this panel, the organization that filed this challenge). Roles
are stored on the account; relations are never stored and never asserted by
a caller: a policy predicate (``policies.py`` of the sub-domain) derives one
from the data and hands it over inside its decision. Transition tables name
the roles and relations that may take each step; time-driven steps are taken
by the system, which has neither.

Pure: no I/O, so ``states.py`` modules may use these names through the fsm.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from procurement.core.i18n import N_


class Role(StrEnum):
    """The account roles (the one enum of them)."""

    ADMIN = "admin"
    OFFICER = "bureau_officer"
    FINANCE = "bureau_finance"
    ORG_MEMBER = "org_member"
    EXPERT = "expert"
    EVALUATOR = "agency_evaluator"


class Relation(StrEnum):
    """What a person is to one aggregate, derived from the data by a policy."""

    BUYER_STAFF = "buyer_staff"  # an officer or finance member of the tender's buyer
    BUYER_OFFICER = "buyer_officer"  # an officer of the tender's buyer
    BID_OWNER = "bid_owner"  # a member of the organization whose bid it is
    BIDDER = "bidder"  # a member of an organization that submitted a bid for the tender
    MEMBER = "member"  # the person seated on a panel (a drawn expert or the buyer's representative)
    PANEL_CHAIR = "panel_chair"  # the chair of the panel, once declared
    CHALLENGER = "challenger"  # a member of the organization that filed the challenge
    OWN_ORGANIZATION = "own_organization"  # a member of the organization itself
    PROVIDER = "provider"  # a member of the contract's provider


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in person with their role and the relations a
    policy granted, or the system (time-driven work). The audit row shows it."""

    id: int | None
    label: str
    ip: str = ""
    role: str | None = None
    relations: frozenset[str] = field(default_factory=frozenset)
    system: bool = False

    @property
    def names(self) -> frozenset[str]:
        """The role and the relations: what a transition table is checked against."""
        return self.relations | ({self.role} if self.role else set())

    def granted(self, relation: str) -> Actor:
        """The same actor with one more relation. Only policies call this."""
        return replace(self, relations=self.relations | {str(relation)})


SYSTEM = Actor(None, N_("系统"), system=True)

"""Tables of contract changes (issue 12 §5; rule 28): the proposals and their signatures.

Only tables here. A change holds the full terms it would set (``new_terms``), the terms
it was proposed against (``base_terms``: it takes effect only while the contract still
has them) and their diff, all JSON; money is integer fen. ``seq`` numbers a contract's
changes 第 1 号, 第 2 号 …; the composite unique indexes (contract, seq) and
(change, party) are raw SQL in the migration.
"""

from piccolo.columns import BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from contracts.changes.states import ChangeKind, ChangeStatus
from contracts.lifecycle.states import Party
from contracts.lifecycle.tables import Contract


class ContractChange(Table, tablename="contract_change"):
    """One proposed change of an active contract: a 补充合同 or an agreed change."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    kind = Varchar(length=20, choices=ChangeKind)
    rationale = Varchar(length=30)
    explanation = Text(default="")
    legal_basis = Varchar(length=60)
    base_terms = Text()
    new_terms = Text()
    diff = Text()
    added_fen = BigInt(default=0)  # a 补充合同's addition to the amount (0 for other changes)
    status = Varchar(length=30, choices=ChangeStatus, default=ChangeStatus.PROPOSED, index=True)
    sha256 = Varchar(length=64)  # of the change's canonical text, which both parties sign
    proposed_by = Integer()
    proposed_party = Varchar(length=10, choices=Party)
    proposed_at = Timestamptz()
    effective_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)  # withdrawn or refused
    closed_reason = Text(default="")


class ContractChangeSignature(Table, tablename="contract_change_signature"):
    """One party's signature of a change's text; unique per change and party."""

    id: Serial

    change = ForeignKey(ContractChange, null=False, on_delete=OnDelete.restrict, index=True)
    party = Varchar(length=10, choices=Party)
    user_id = Integer()
    sha256 = Varchar(length=64)
    signed_at = Timestamptz()

"""Tables of installment payments (issue 14 §4; invariants 7, 8).

Only tables here. Money is integer fen; times are UTC (Timestamptz). The payment
state of an installment is keyed by the contract and the installment's number
(``seq``, unique together: raw SQL in the migration), not by the installment row's
id, because a 补充合同 rewrites a contract's installment rows (contracts.lifecycle
.amendments) while the payments already made stay. The per-contract ledger row
carries the total released; a release adds to it with a conditional UPDATE that
refuses to pass the contract's cap, so two releases can never together pay more.
"""

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from contracts.lifecycle.tables import Contract
from contracts.payments.states import PaymentStatus


class PaymentLedger(Table, tablename="contract_payment_ledger"):
    """One per contract: the total released so far (the sum of its released payments)
    and the payment term the contract agreed, if any (at most 60 days, rule 35)."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, unique=True)
    released_fen = BigInt(default=0)
    agreed_days = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class InstallmentPayment(Table, tablename="contract_installment_payment"):
    """The payment of one installment: its status, when its gate was met, its payment
    deadline and late flag, who requested, approved and released it, the amount
    released and the voucher number (拨付单号, unique)."""

    id: Serial

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    installment_id = Integer()  # the current contracts_installment row of this seq
    status = Varchar(length=20, choices=PaymentStatus, default=PaymentStatus.WAITING, index=True)
    gate_met_at = Timestamptz(null=True, default=None)
    due_on = Date(null=True, default=None)  # the Beijing day the gate was met
    deadline_on = Date(null=True, default=None)  # the last day to pay (rule 35)
    late_at = Timestamptz(null=True, default=None)  # flagged once by the sweep
    score_tenths = Integer(null=True, default=None)  # the final score, when the final installment is scaled
    assessment_id = Integer(null=True, default=None)  # the evaluation that met or failed the gate
    withheld_at = Timestamptz(null=True, default=None)
    withheld_reason = Text(default="")
    requested_by = Integer(null=True, default=None)
    requested_at = Timestamptz(null=True, default=None)
    approved_by = Integer(null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    checked_by = Integer(null=True, default=None)
    checked_at = Timestamptz(null=True, default=None)
    released_by = Integer(null=True, default=None)
    released_at = Timestamptz(null=True, default=None)
    released_fen = BigInt(default=0)
    voucher_no = Varchar(length=60, null=True, default=None, unique=True)
    next_check_at = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()

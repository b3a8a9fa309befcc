"""The contract template a buyer chose for a tender (issue 12 §2: "a template that an
administrator can see and a bureau can choose per tender").

One row per tender at most (``tender`` is unique): the key of a template in
``contracts.documents.templates``; without a row the tender's contracts use the
default template of their kind. procurement knows nothing of it: the row refers to
the tender through the app registry, and contracts reads the tender only through
procurement's services.
"""

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class ContractTemplateChoice(Table, tablename="contract_template_choice"):
    id: Serial

    tender: ForeignKey = ForeignKey(
        LazyTableReference(table_class_name="Tender", app_name="procurement"),
        null=False,
        on_delete=OnDelete.restrict,
        unique=True,
    )
    template_key = Varchar(length=60)
    chosen_by = Integer()
    chosen_at = Timestamptz()

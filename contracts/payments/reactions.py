"""What payments do when a contract is signed or an evaluation is finished (the events
of ``core.events``, agreed with contracts.assessments in issue 14): handlers run in the
emitter's transaction, so a gate met commits or rolls back with its cause."""

from __future__ import annotations

from contracts.payments.gates import on_assessment_finished, on_contract_activated
from procurement.core import events


def subscribe() -> None:
    events.subscribe("contract.activated", on_contract_activated)
    events.subscribe("assessment.finished", on_assessment_finished)

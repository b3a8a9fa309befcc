"""A prepared query returns what the Piccolo query it was built from returns, for every
value it is run with, on SQLite and PostgreSQL (issue 11: the dashboard's queries are
built once, run with new values)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from procurement.bids.tables import Bid
from procurement.core import clock, prepared
from procurement.core.prepared import Prepared
from procurement.tenders.states import TenderStatus
from procurement.tenders.tables import Tender


def _bids(org_id):
    return (
        Bid.select(Bid.id, Bid.status, Bid.lot.name, Bid.tender.title, Bid.tender.bid_deadline)
        .where(Bid.organization == org_id)
        .order_by(Bid.tender.bid_deadline, Bid.id)
    )


def _open(org_id, now):
    return (
        Tender.select(Tender.id, Tender.title, Tender.bid_deadline, Tender.invited_org_ids)
        .where(
            (Tender.status == TenderStatus.PUBLISHED)
            & (Tender.bid_deadline > now)
            & Tender.id.not_in(Bid.select(Bid.tender).where(Bid.organization == org_id))
        )
        .order_by(Tender.bid_deadline, Tender.id)
    )


async def test_a_prepared_query_returns_what_piccolo_returns_for_each_value(client):
    bids, open_tenders = Prepared(_bids), Prepared(_open)
    organizations = {r["organization"] for r in await Bid.select(Bid.organization)}
    assert organizations, "the demo's bids"
    now = clock.now()
    for org_id in [*sorted(organizations), 999_999]:
        assert await bids(org_id) == await _bids(org_id)
        for moment in (now, now + timedelta(days=40), now - timedelta(days=400)):
            assert await open_tenders(org_id, moment) == await _open(org_id, moment)
    assert any([await bids(org_id) for org_id in organizations])  # not only empty answers compared


async def test_inline_prepared_queries_are_kept_by_their_place_and_take_values_only_as_parameters(client):
    def by_status(status):
        return prepared.run(lambda status: Tender.select(Tender.id).where(Tender.status == status), status)

    published = await by_status(TenderStatus.PUBLISHED)
    assert published == await Tender.select(Tender.id).where(Tender.status == TenderStatus.PUBLISHED)
    assert await by_status("no such status") == []

    status = TenderStatus.PUBLISHED
    with pytest.raises(ValueError):
        await prepared.run(lambda: Tender.select(Tender.id).where(Tender.status == status))


async def test_a_value_that_would_change_the_sql_is_refused(client):
    bids = Prepared(_bids)
    with pytest.raises(ValueError):
        await bids(None)  # Piccolo would write IS NULL
    with pytest.raises(ValueError):
        await bids([1, 2])
    with pytest.raises(TypeError):
        await bids()
    with pytest.raises((TypeError, ValueError)):  # LIMIT takes no parameter
        await Prepared(lambda n: Tender.select(Tender.id).limit(n))(3)

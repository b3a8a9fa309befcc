"""The winner's refusal to sign and the next-ranked bidder (rule 28; 条例 art. 49)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from procurement.awards.refusal_rules import next_ranked, refusal_problems, signing_deadline

LETTER = date(2026, 3, 2)


@dataclass
class Bid:
    bid_id: int
    rank: int | None
    passes: bool | None = None
    recommended_fen: int | None = None


def test_the_signing_deadline_is_the_thirtieth_day_after_the_letter():
    assert signing_deadline(LETTER) == date(2026, 4, 1)


def test_a_failure_to_sign_is_refused_until_day_30_has_passed():
    assert "kind" in refusal_problems("overdue", False, LETTER, date(2026, 3, 20))
    assert "kind" in refusal_problems("overdue", False, LETTER, date(2026, 4, 1)), "day 30 is still the winner's"
    assert refusal_problems("overdue", False, LETTER, date(2026, 4, 2)) == {}, "day 31 is overdue"


def test_a_refusal_needs_the_winners_written_refusal_but_no_waiting():
    assert "written_refusal" in refusal_problems("refused", False, LETTER, date(2026, 3, 3))
    assert refusal_problems("refused", True, LETTER, date(2026, 3, 3)) == {}


def test_an_unknown_kind_is_refused_with_a_reason():
    assert "kind" in refusal_problems("", True, LETTER, date(2026, 4, 20))


def test_the_next_ranked_skips_earlier_winners_and_unranked_bids():
    bids = [Bid(10, 1), Bid(11, None), Bid(12, 3), Bid(13, 2)]
    assert next_ranked(bids, {10}, venture=False).bid_id == 13
    assert next_ranked(bids, {10, 13}, venture=False).bid_id == 12
    assert next_ranked(bids, {10, 12, 13}, venture=False) is None, "an unranked bid never takes the lot"


def test_joint_ranks_keep_the_rankings_order():
    bids = [Bid(1, 1), Bid(2, 2), Bid(3, 2)]
    assert next_ranked(bids, {1}, venture=False).bid_id == 2


def test_a_venture_project_must_pass_the_line_and_fit_the_budget_left():
    bids = [Bid(1, 1, True, 50_000), Bid(2, 2, False, 10_000), Bid(3, 3, True, 90_000), Bid(4, 4, True, 40_000)]
    assert next_ranked(bids, {1}, venture=True, room_fen=60_000).bid_id == 4
    assert next_ranked(bids, {1}, venture=True, room_fen=100_000).bid_id == 3
    assert next_ranked(bids, {1, 3, 4}, venture=True, room_fen=100_000) is None

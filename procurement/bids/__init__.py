"""Web bidding: eligibility, sealed bids with documents, receipts, opening, bid bonds."""

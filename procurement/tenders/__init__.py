"""Tenders and 公益创投 calls up to the bid deadline, and their public notices."""

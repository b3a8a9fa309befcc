"""The public notice portal: every notice, read without logging in."""

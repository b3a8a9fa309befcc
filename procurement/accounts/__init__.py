"""Organizations, users, roles, sessions and (later) eligibility profiles."""

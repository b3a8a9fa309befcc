"""System administration: the working-day calendar, the audit log, the inbox
and the training clock."""

"""Shared machinery with no domain rules: db, fsm, errors, clock, calendar,
money, storage, pdf, audit, scheduler, notify, auth, web."""

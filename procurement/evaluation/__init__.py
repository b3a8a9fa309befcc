"""Evaluation (评审): the expert pool, panels drawn for a tender, conflict declarations."""

"""Delivery after the award: contracts, staffing, assessments, payments."""

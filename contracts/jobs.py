"""Time-driven sweeps of the contracts package (see procurement/core/scheduler.py).

Contracts has no time-driven work until its first aggregate (the contract)
arrives; its sweeps register here, beside the procurement package's.
"""

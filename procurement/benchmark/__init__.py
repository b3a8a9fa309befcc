"""``scripts/bench``: the project and a bare Litestar app behind the same server,
driven side by side on loopback; every figure of issue 11 with its goal."""

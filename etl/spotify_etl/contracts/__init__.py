"""Package data shared with infra and queries: the warehouse schema contract, the DQDL ruleset and
the column type table (column_types.json, written from model/columnTypes.ts by `npm run python:json`).

A package (not a plain folder) so `importlib.resources` finds them from a zip or wheel too."""

"""Package data shared with infra and queries: the warehouse schema contract and the DQDL ruleset.

A package (not a plain folder) so `importlib.resources` finds them from a zip or wheel too."""

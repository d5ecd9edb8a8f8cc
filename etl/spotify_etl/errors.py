"""Exceptions the pipeline raises on purpose, so callers (Glue, CLI, tests) can tell a
bad delivery or a broken invariant apart from a Spark or programming failure."""


class EtlError(Exception):
    """Base class of every deliberate pipeline failure."""


class InputContractError(EtlError):
    """The staging data cannot be read as the declared sources (missing prefix, wrong header)."""


class ContractError(EtlError):
    """The warehouse contract file is invalid or the output does not match it."""


class ReconciliationError(EtlError):
    """Rows were lost or invented between input and output: input != accepted + rejected, etc."""


class QualityGateError(EtlError):
    """The data-quality ruleset failed on the output, so nothing was published."""

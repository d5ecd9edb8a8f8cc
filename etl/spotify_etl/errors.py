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


class RollbackError(EtlError):
    """The table cannot be restored to the snapshot before the given run."""


def error_text(error: BaseException) -> str:
    """What an error says, for a message or a run summary. A failed JVM call (py4j) carries the
    whole Java stack trace in its text; its Java exception's toString() is the class and message
    alone, which is what a reader needs."""
    java_exception = getattr(error, "java_exception", None)
    return str(java_exception.toString()) if java_exception is not None else str(error)

"""The one exception family of cslib.

Every error a user can cause (bad data, a bad period, a bad setting) is a
:class:`CslibError`; the command line prints its message on one line and exits
non-zero, never with a traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CslibError",
    "DataError",
    "OutputError",
    "ParameterError",
    "PeriodError",
]


class CslibError(Exception):
    """Base class of every error cslib raises on purpose."""

    exit_code: int = 2


class DataError(CslibError):
    """A dataset does not meet the data contract.

    Attributes
    ----------
    problems : list of str
        One line per broken rule, each naming the table (file), the column, the
        rule and up to five offending rows.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [])

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class PeriodError(CslibError):
    """A period label is malformed or lies outside the data."""


class ConfigError(CslibError):
    """A settings file (health score, risk thresholds, plans) is malformed."""


class ParameterError(CslibError):
    """A parameter or option has a bad value (an unknown column, a bad format...)."""


class OutputError(CslibError):
    """Documents cannot be written: the output folder is missing, read-only, full, or a file.

    Also raised when another build holds the output folder.
    """

"""The one exception family of cslib.

Every error a user can cause (bad data, a bad period, a bad setting) is a
:class:`CslibError`; the command line prints its message on one line and exits
non-zero, never with a traceback.
"""

from __future__ import annotations

__all__ = [
    "AssemblyError",
    "ConfigError",
    "CslibError",
    "DataError",
    "ExecutionError",
    "OutputClosedError",
    "OutputError",
    "ParameterError",
    "PeriodError",
    "QmdError",
    "QuartoError",
    "require_extra",
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


class ParameterError(CslibError, ValueError):
    """A parameter or option has a bad value (an unknown column, a bad format...).

    Also a :class:`ValueError`, as Python code calling cslib functions expects.
    """


class OutputError(CslibError):
    """Documents cannot be written: the output folder is missing, read-only, full, or a file.

    Also raised when another build holds the output folder.
    """


class ExecutionError(CslibError):
    """A notebook cell raised while a report was being built.

    Attributes
    ----------
    cell : int or None
        1-based index of the failing cell.
    last_line : str
        The error's last line (``ParameterError: `segment` must be one of ...``).
    """

    def __init__(self, message: str, *, cell: int | None = None, last_line: str = "") -> None:
        super().__init__(message)
        self.cell = cell
        self.last_line = last_line


class AssemblyError(CslibError):
    """An executed notebook cannot become a document (no report block, an error output)."""


class RenderError(CslibError):
    """A document cannot be rendered as it should read (a PDF whose layout did not settle)."""


class QmdError(CslibError):
    """A Quarto document cannot be read as a report notebook (names the file and line)."""


class QuartoError(CslibError):
    """Quarto is missing, misconfigured, or failed to render a notebook.

    Attributes
    ----------
    returncode : int or None
        The exit code of the failed ``quarto`` process, when there was one.
    """

    def __init__(self, message: str, *, returncode: int | None = None) -> None:
        super().__init__(message)
        self.returncode = returncode


class OutputClosedError(Exception):
    """The reader of stdout or stderr went away (``cslib validate DIR | head -1``).

    Raised instead of the :class:`BrokenPipeError` of a write to them, so that the
    command line ends quietly on it, as a tool killed by SIGPIPE does, while any
    other broken pipe stays an error. Not a :class:`CslibError`: nothing went wrong.
    """


def require_extra(module: str, extra: str, feature: str) -> None:
    """Raise a clear :class:`ParameterError` when an optional dependency is not installed.

    ``require_extra("sqlalchemy", "warehouse", "database sources")`` says
    "the `warehouse` extra is needed for database sources: pip install
    'cslib[warehouse]'" instead of an import traceback.
    """
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ParameterError(f"the `{extra}` extra is needed for {feature}: "
                             f"pip install 'cslib[{extra}]'")

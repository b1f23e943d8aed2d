"""Every error a user can meet: a kind, an exit status, one message a person can act on.

The CLI has one boundary that prints these (``adcli.cli``); batch mode turns them into
``{"error": {"kind": ..., "message": ...}}`` lines.  Exit statuses are the contract's:
0 success, 1 cannot evaluate at this point, 2 anything wrong with the command line or the text.
"""

from __future__ import annotations

from enum import IntEnum

# The line:col helpers live in adcli.text; they are re-exported here for the modules that
# place errors.
from .text import MAX_MESSAGE, clip


class ExitStatus(IntEnum):
    OK = 0
    EVALUATION = 1  # well formed, but not evaluable here: domain, overflow, non-finite
    USAGE = 2  # the command line or the program text is wrong
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
    BROKEN_PIPE = 141  # the reader went away (`adcli ... | head`), as shells report SIGPIPE


class AdcliError(Exception):
    """Base of all user-facing errors: ``kind`` names the class for scripts, ``excerpt`` is an
    optional second part (the source line and a caret) printed under the message."""

    kind = "error"
    status = ExitStatus.USAGE
    position: tuple[int, int] | None = None  # (line, column) in the program's text, when known

    def __init__(self, message: str, excerpt: str = "") -> None:
        message = clip_message(message)
        super().__init__(message)
        self.message = message
        self.excerpt = excerpt

    def as_json(self) -> dict:
        return {"kind": self.kind, "message": self.message}


class UsageError(AdcliError):
    kind = "usage"


class ProgramSyntaxError(AdcliError):
    kind = "syntax"


class ProgramNameError(AdcliError):
    """Unbound or unknown name, reassignment, binding a constant, use before assignment.

    ``names`` lists the unbound names when that is the error (the command line adds how to bind
    them; a library message speaks of names only)."""

    kind = "name"

    def __init__(self, message: str, excerpt: str = "", names: tuple[str, ...] = ()) -> None:
        super().__init__(message, excerpt)
        self.names = tuple(names)


class ArityError(AdcliError):
    kind = "arity"


class LimitError(AdcliError):
    """A size limit the user can raise with a flag (the message says which)."""

    kind = "limit"


class EvaluationError(AdcliError):
    """The program cannot be evaluated (or differentiated) at this point."""

    kind = "domain"
    status = ExitStatus.EVALUATION


class CheckFailedError(EvaluationError):
    """``adcli check``: a derivative disagrees with its finite difference beyond the tolerance
    (raised after the report is written)."""

    kind = "check"


class OverflowEvaluationError(EvaluationError):
    kind = "overflow"


class NonFiniteError(EvaluationError):
    kind = "non-finite"


def clip_message(message: str, limit: int = MAX_MESSAGE) -> str:
    """The message, its middle cut if it is long (a 1 MB name must not come back on stderr)."""
    return clip(message, limit, middle=True)

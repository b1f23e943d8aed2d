"""Every error a user can meet: a kind, an exit status, one message a person can act on.

The CLI has one boundary that prints these (``adcli.cli``); batch mode turns them into
``{"error": {"kind": ..., "message": ...}}`` lines.  Exit statuses are the contract's:
0 success, 1 cannot evaluate at this point, 2 anything wrong with the command line or the text.
"""

from __future__ import annotations

from enum import IntEnum


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
    """Unbound or unknown name, reassignment, binding a constant, use before assignment."""

    kind = "name"


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


MAX_MESSAGE = 600  # characters: a message names the input's parts, it never echoes them whole


def clip_message(message: str, limit: int = MAX_MESSAGE) -> str:
    """The message, its middle cut if it is long (a 1 MB name must not come back on stderr)."""
    if len(message) <= limit:
        return message
    cut = len(message) - limit
    return f"{message[: limit * 2 // 3]}…[{cut:,} characters]…{message[-limit // 3 :]}"


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def where(text: str, offset: int) -> str:
    """``line:col`` of an offset, for messages (``log at 1:5: ...``)."""
    if offset < 0:
        return "?"
    line, column = position(text, offset)
    return f"{line}:{column}"


def locator(text: str):
    """``offset -> "line:col"`` (None for no offset) by bisection over the line starts: for
    messages about many nodes, where calling ``where`` per node would rescan the text each time."""
    from bisect import bisect_right

    starts = [0]
    find = text.find
    newline = find("\n")
    while newline >= 0:
        starts.append(newline + 1)
        newline = find("\n", newline + 1)

    def locate(offset: int) -> str | None:
        if offset < 0:
            return None
        line = bisect_right(starts, offset)
        return f"{line}:{offset - starts[line - 1] + 1}"

    return locate


def excerpt(text: str, offset: int, width: int = 72) -> str:
    """The source line holding ``offset``, clipped around it, with a caret under the spot."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    end = len(text) if end < 0 else end
    line = text[start:end].replace("\t", " ")
    caret = offset - start
    if len(line) > width:
        left = max(0, min(caret - width // 2, len(line) - width))
        clipped = line[left : left + width]
        prefix = "…" if left > 0 else ""
        suffix = "…" if left + width < len(line) else ""
        caret = caret - left + len(prefix)
        line = prefix + clipped + suffix
    # Control characters would garble the terminal; show them as '?'.
    line = "".join(ch if ch.isprintable() else "?" for ch in line)
    return f"  {line}\n  {' ' * caret}^"

"""Text every layer writes: numbers, clipped strings, ``line:col`` positions, escaped names.

Layer 0 (stdlib only).  Each helper exists once, here: the number formatter used by messages,
printed programs, tables and pictures; the clip used for long names and messages; the line and
column of an offset in a program's text; and the escaping of control characters, so a path or a
name echoed in a message never writes raw escape sequences to a terminal.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_MESSAGE = 600  # characters: a message names the input's parts, it never echoes them whole


def number(x: float, digits: int | None = None, *, short: bool = False, nan: str = "nan") -> str:
    """A number as text.

    Default: the shortest text that round-trips (``repr``), or ``digits`` significant digits.
    ``short`` drops the ``.0`` of whole numbers (``2`` rather than ``2.0``), as programs and
    messages write them — still exact: ``float("2") == 2.0``.  ``nan`` is how NaN reads (the
    pictures say ``undefined``); infinities read ``inf`` and ``-inf``.

    >>> number(2.0), number(2.0, short=True), number(0.1 + 0.2), number(1 / 3, 3)
    ('2.0', '2', '0.30000000000000004', '0.333')
    >>> number(float("nan"), nan="undefined"), number(-1e300 * 1e10)
    ('undefined', '-inf')
    """
    x = float(x)
    if x != x:
        return nan
    if digits is not None:
        return f"{x:.{digits}g}"
    text = repr(x)
    return text[:-2] if short and text.endswith(".0") else text


def clip(text: str, width: int, *, middle: bool = False) -> str:
    """``text`` cut to about ``width`` characters.

    The end is cut, marked ``…`` (a name or a number in a message); with ``middle`` the middle is
    cut and counted, keeping both ends (a whole message: ``…[1,234 characters]…``).

    >>> clip("abcdefgh", 5), clip("a" * 10 + "b" * 10, 6, middle=True)
    ('abcd…', 'aaaa…[14 characters]…bb')
    """
    if len(text) <= width:
        return text
    if not middle:
        return text[: width - 1] + "…"
    cut = len(text) - width
    return f"{text[: width * 2 // 3]}…[{cut:,} characters]…{text[-width // 3 :]}"


def escape(text: str) -> str:
    r"""``text`` with control and other unprintable characters written as escapes (``\x1b``,
    ``\n``), for echoing a user's path or name: a terminal must not act on them.

    >>> escape("/tmp/\x1b[31mfile"), escape("plain")
    ('/tmp/\\x1b[31mfile', 'plain')
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def where(text: str, offset: int) -> str:
    """``line:col`` of an offset, for messages (``log at 1:5: ...``); ``?`` for no offset."""
    if offset < 0:
        return "?"
    line, column = position(text, offset)
    return f"{line}:{column}"


def locator(text: str) -> Callable[[int], str | None]:
    """``offset -> "line:col"`` (None for no offset) by bisection over the line starts: for
    messages about many nodes, where calling ``where`` per node would rescan the text each time."""
    from bisect import bisect_right  # not at module level: every run imports this module

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
    # Control characters would garble the terminal; show them as '?' (one column each, so the
    # caret stays under its character).
    line = "".join(ch if ch.isprintable() else "?" for ch in line)
    return f"  {line}\n  {' ' * caret}^"

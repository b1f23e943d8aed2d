"""The world a command runs in: its streams, whether stdout is a terminal, its environment
variables — injectable, so tests run commands in-process (as httpie's ``Environment`` does).

Commands never touch ``sys.stdout``/``sys.stderr``/``sys.stdin`` or ``os.environ`` directly:
they write through ``env.stdout``, ``env.write_json``, ``env.warn`` and ``env.console()``.
Rich is imported only when a command asks for a console, so the JSON paths never pay for it.
"""

from __future__ import annotations

import os
import sys

from .text import escape

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import IO, Any

DEFAULT_WIDTH = 80


# A small answer (eval's value and a few partials) is written without importing json, which
# costs more start-up time than the rest of eval's work; past this many numbers, names and
# containers the C encoder of json.dumps is faster, and writes the same bytes.
SMALL_JSON = 256


def dumps(obj: object) -> str:
    """Strict RFC 8259 JSON: a non-finite number is a bug upstream, so it raises here.
    The bytes are always those of ``json.dumps(obj, allow_nan=False)``."""
    parts: list[str] = []
    if _small_json(obj, parts.append, [SMALL_JSON]):
        return "".join(parts)
    from .native import load

    # A large one (an array's partials): the same values, any size, by the compiled core (the
    # floats by Grisu3: ~10x json's float.__repr__); None from it for anything else.
    writer = getattr(load("_cjson"), "dumps", None)  # None: not built, or a build older than it
    text = writer(obj) if writer is not None else None
    if text is not None:
        return text
    import json

    return json.dumps(obj, allow_nan=False)


def dumps_gradient(value: float, names: list[str], values: Iterable[float]) -> str | None:
    """``dumps({"value": value, "gradient": dict(zip(names, values))})``'s very bytes, written
    from the names and the values in order without building the dict (10^6 inserts cost more
    than the writing); None where that cannot be promised (a name JSON would escape, a value
    that is not a finite float, no names): the caller then builds the dict."""
    from math import isfinite  # a module built into Python: nothing to load

    values = list(values)
    if (
        not names
        or len(values) != len(names)
        or type(value) is not float
        or not _plain("".join(names))  # so no name holds the NUL the keys are split on
        or set(map(type, values)) != {float}
        or not all(map(isfinite, values))
        or not isfinite(value)
    ):
        return None
    keys = ('"' + '": \0"'.join(names) + '": ').split("\0")
    body = ", ".join(map(str.__add__, keys, map(float.__repr__, values)))
    return '{"value": ' + float.__repr__(value) + ', "gradient": {' + body + "}}"


def _small_json(obj: object, out, budget: list[int]) -> bool:
    """Write ``obj`` as json.dumps would (default separators, ASCII), if it is small and made of
    dicts with plain ASCII keys, lists, finite floats, ints, booleans and None only; else False
    (json.dumps then writes it, or raises its own error for a non-finite number)."""
    budget[0] -= 1
    if budget[0] < 0:
        return False
    kind = type(obj)
    if kind is float:
        if obj - obj != 0.0:  # inf or nan: json.dumps raises the error
            return False
        out(float.__repr__(obj))
    elif kind is dict:
        out("{")
        for k, (key, value) in enumerate(obj.items()):
            if type(key) is not str or not _plain(key):
                return False
            out(f'"{key}": ' if k == 0 else f', "{key}": ')
            if not _small_json(value, out, budget):
                return False
        out("}")
    elif kind is list:
        out("[")
        for k, value in enumerate(obj):
            if k:
                out(", ")
            if not _small_json(value, out, budget):
                return False
        out("]")
    elif kind is int:
        out(int.__repr__(obj))
    elif obj is None or kind is bool:
        out("null" if obj is None else "true" if obj else "false")
    else:
        return False
    return True


def _plain(key: str) -> bool:
    """A string json.dumps writes as it is, between quotes: printable ASCII, no quote or
    backslash."""
    return key.isascii() and key.isprintable() and '"' not in key and "\\" not in key


class Environment:
    """Streams and settings of one run. Every argument defaults to the process's own: ``stdin``
    (text, with ``.buffer`` for bytes), ``stdout``, ``stderr``, ``stdout_isatty`` (asked of
    stdout when not given) and ``environ`` (a mapping such as ``os.environ``)."""

    def __init__(
        self,
        stdin: IO[str] | None = None,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        stdout_isatty: bool | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        # sys.stdout is None when the process started with it closed (`>&-`); kept as None so
        # the CLI can say so.
        self.stdin = sys.stdin if stdin is None else stdin
        self.stdout = sys.stdout if stdout is None else stdout
        self.stderr = sys.stderr if stderr is None else stderr
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        if stdout_isatty is None:
            stdout_isatty = _isatty(self.stdout)
        self.stdout_isatty = stdout_isatty

    @property
    def colour(self) -> bool:
        """Colour on stdout: NO_COLOR (any value) or TERM=dumb turn it off, FORCE_COLOR on;
        otherwise only on a terminal."""
        if self.environ.get("NO_COLOR", ""):
            return False
        if self.environ.get("FORCE_COLOR", ""):
            return True
        if self.environ.get("TERM", "").strip().lower() == "dumb":
            return False
        return self.stdout_isatty

    @property
    def width(self) -> int:
        """Columns for output meant for people: COLUMNS when set, else the terminal's, else 80."""
        columns = self.environ.get("COLUMNS", "").strip()
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        if self.stdout_isatty:
            try:
                return os.get_terminal_size(self.stdout.fileno()).columns or DEFAULT_WIDTH
            except (AttributeError, OSError, ValueError):
                pass
        return DEFAULT_WIDTH

    def console(self) -> Any:
        """A Rich Console on stdout: colour and width as above; plain text on a pipe."""
        from rich.console import Console

        return Console(
            file=self.stdout,
            # None lets Rich ask the stream (and honour FORCE_COLOR); True for an injected
            # terminal, which a test's buffer cannot say it is.
            force_terminal=True if self.stdout_isatty else None,
            highlight=False,
            soft_wrap=False,
            _environ=dict(self.environ),
        )

    def write(self, text: str) -> None:
        """Text on stdout, flushed (a reader in a pipeline gets it at once)."""
        self.stdout.write(text)
        self.stdout.flush()

    def write_json(self, obj: object) -> None:
        """One strict JSON value on one line of stdout, flushed; never through Rich, which
        wraps long lines when piped."""
        self.write(dumps(obj) + "\n")

    def warn(self, message: str, quiet: bool = False) -> None:
        """``adcli: warning: ...`` on stderr, unless ``quiet``; a long message is clipped (a
        warning naming a 1 MB input must not echo it)."""
        if quiet:
            return
        from .errors import clip_message

        self.error(f"warning: {clip_message(message)}")

    def error(self, message: str, excerpt: str = "") -> None:
        """``adcli: message`` (and an optional excerpt) on stderr; silent if stderr is gone.

        The message is one line: control characters in it (a path or a name the user gave,
        ``$'/tmp/\\e[31mx'``) are written as escapes, so the terminal never acts on them."""
        try:
            message = escape(message)
            self.stderr.write(f"adcli: {message}\n" + (excerpt + "\n" if excerpt else ""))
            self.stderr.flush()
        except (AttributeError, OSError, ValueError):
            pass


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return False

"""Command lines of the form ``adcli CMD PROGRAM [BINDINGS...] [OPTIONS]``, parsed by hand.

Click cannot pair an unknown option with its value (``--x 0.5``), takes ``-x^2`` for an option
and abbreviates long options; adcli's bindings need all three the other way round.  So each
command declares its options here, and everything shaped like ``--name VALUE``,
``--name=VALUE`` or ``name=VALUE`` that is not one of them binds an input.  Options are never
abbreviated (``--b 2`` binds ``b``), ``--`` ends the options, and a value may start with ``-``
(``--x -1.5``).

A typo of an option must not become a binding silently: ``--digit 3`` looks like ``--digits``
(difflib, among the command's own options), so it binds ``digit`` only if the program uses an
input of that name, and is otherwise an error that says "did you mean --digits?" (checked once
the program is read: ``CommandLine.check_near_options``).  An input really named like an option
is bound with ``digit=3`` or ``--at``, which are never taken for options.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence

from .bindings import (  # noqa: F401 (re-exported: the commands parse values with them)
    NAME,
    bindings_from_json,
    check_name,
    is_number,
    parse_binding,
    parse_number,
)
from .errors import LimitError, UsageError
from .text import clip
from .values import Value, value_from_text

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from typing import IO

NEAR_OPTION = 0.66  # difflib ratio from which --name reads as a typo of an option

DEFAULT_MAX_SIZE = 64 * 1024 * 1024  # bytes of program text; --max-size raises it


class Option:
    """One option of a command: its flags, where its value goes, and its help line."""

    __slots__ = ("convert", "default", "dest", "flags", "help", "metavar")

    def __init__(
        self,
        flags: tuple[str, ...],
        dest: str,
        help: str,
        metavar: str = "",  # empty for a flag without value
        convert: Callable[[str], object] = str,
        default: object = None,
    ) -> None:
        self.flags, self.dest, self.help, self.metavar = flags, dest, help, metavar
        self.convert, self.default = convert, default

    @property
    def takes_value(self) -> bool:
        return bool(self.metavar)


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ValueError("a whole number >= 1")
    return int(text)


def non_negative_int(text: str) -> int:
    if not text.isdigit():
        raise ValueError("a whole number >= 0")
    return int(text)


def size(text: str) -> int:
    """``64M``, ``1G``, ``500000`` → bytes."""
    m = re.fullmatch(r"(\d+)([KMG]?)i?B?", text.strip(), re.IGNORECASE)
    if not m:
        raise ValueError("a size such as 500K, 64M or 1G")
    return int(m.group(1)) * 1024 ** " KMG".index((m.group(2) or " ").upper())


def choice(*values: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if text not in values:
            raise ValueError("one of " + ", ".join(values))
        return text

    convert.choices = values  # type: ignore[attr-defined]  # what shell completion offers
    return convert


def names_list(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    bad = [n for n in names if not NAME.fullmatch(n)]
    if any("[" in n for n in bad):
        raise ValueError("whole input names, such as x,W (an array's partials come whole)")
    if bad or not names:
        raise ValueError("a comma-separated list of input names, such as x,y")
    return names


FILE = Option(("-f", "--file"), "file", "read the program from FILE ('-' for stdin)", "FILE")
AT = Option(
    ("--at",),
    "at",
    "bind inputs from a JSON object, given inline or as a file: --at '{\"x\": 0.5}'",
    "JSON|FILE",
)
JSON = Option(("--json",), "json", "print one JSON object on stdout, for scripts")
QUIET = Option(("--quiet",), "quiet", "no warnings on stderr")
MAX_SIZE = Option(
    ("--max-size",),
    "max_size",
    "refuse programs larger than this (default 64M)",
    "SIZE",
    size,
    DEFAULT_MAX_SIZE,
)
DATA = Option(
    ("--data",),
    "data",
    "bind each column of a CSV file (a header row of names, then numbers) as a vector input",
    "FILE.csv",
)
HELP = Option(("--help",), "help", "show this help and exit")
COMMON = (FILE, AT, DATA, QUIET, MAX_SIZE, HELP)


class CommandLine:
    """What a command line asked for: the program's source, the bindings, the options.

    Options read as attributes: ``command_line.json``, ``command_line.digits``.
    """

    def __init__(self, options: dict[str, object]) -> None:
        self.program: str | None = None  # the program text ('-': stdin), None with --file
        self.program_file: str | None = None
        self.bindings: dict[str, Value] = {}  # in command-line order; a later binding wins
        self.options = options
        self.help = False
        # --name bindings that look like a typo of an option: name -> the option
        self.near_options: dict[str, str] = {}

    def __getattr__(self, name: str) -> object:
        try:
            return self.__dict__["options"][name]
        except KeyError:
            raise AttributeError(name) from None

    def check_near_options(self, inputs) -> None:
        """Refuse a binding spelled like a typo of an option (``--digit 3``) unless the
        program has an input of that name: then it is meant, and binds."""
        for name, option in self.near_options.items():
            if name not in inputs:
                raise UsageError(near_option_message(name, option))

    def read_program(self, stdin: IO[str] | None = None) -> str:
        """The program text, from the command line, a file or ``stdin`` (default: the
        process's), within --max-size."""
        limit = self.options.get("max_size", DEFAULT_MAX_SIZE)
        if self.program is not None and self.program != "-":
            text = self.program
        else:
            source = self.program_file if self.program_file is not None else "-"
            raw = read_bytes(source, limit, stdin)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                where = "stdin" if source == "-" else source
                raise UsageError(f"{where} is not UTF-8 text (byte {exc.start})") from None
        if len(text) > limit:
            raise LimitError(
                f"the program is {len(text):,} characters, over the limit of {limit:,}; "
                "raise it with --max-size (for example --max-size 1G)"
            )
        return text


def read_bytes(source: str, limit: int, stdin: IO[str] | None = None) -> bytes:
    """Bytes of a file or of ``stdin`` ('-'; default: the process's), refusing more than
    ``limit`` without reading it all."""
    try:
        if source == "-":
            stdin = sys.stdin if stdin is None else stdin
            if stdin is None:
                raise UsageError("stdin is closed: nothing to read the program or points from")
            raw = stdin.buffer.read(limit + 1)
        else:
            with _open_for_reading(source) as handle:
                raw = handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {clip(source, 300)}: {exc.strerror or exc}") from None
    if len(raw) > limit:
        where = "stdin" if source == "-" else clip(source, 300)
        raise LimitError(
            f"{where} is over the limit of {limit:,} bytes; "
            "raise it with --max-size (for example --max-size 1G)"
        )
    return raw


def _open_for_reading(path: str):
    """``open(path, 'rb')`` that does not wait forever for a FIFO nobody writes to: it opens
    without blocking (a FIFO with no writer then reads as empty), then reads normally."""
    import os

    nonblocking = getattr(os, "O_NONBLOCK", 0)
    if not nonblocking:  # Windows: no FIFOs to wait for
        return open(path, "rb")
    fd = os.open(path, os.O_RDONLY | nonblocking)
    try:
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def near_option(name: str, options: Sequence[Option]) -> str | None:
    """The command's own long option that ``--name`` looks like a typo of, if any: ``digit``
    → ``--digits``, ``jsno`` → ``--json``.  Names under three letters are never typos (``--b 2``
    binds b, whatever options start with b)."""
    if len(name) < 3:
        return None
    import difflib  # only for an unknown --name: the common --x binding never gets here

    flags = [flag for opt in options for flag in opt.flags if flag.startswith("--")]
    spelled = name.replace("_", "-")
    matches = difflib.get_close_matches(spelled, [f[2:] for f in flags], n=1, cutoff=NEAR_OPTION)
    return f"--{matches[0]}" if matches else None


def near_option_message(name: str, option: str) -> str:
    return (
        f"unknown option --{name}: did you mean {option}? (to bind an input named '{name}', "
        f"write {name}=VALUE or --at '{{\"{name}\": VALUE}}')"
    )


def parse_command_line(
    args: Sequence[str],
    options: Sequence[Option],
    takes_program: bool = True,
    stdin: IO[str] | None = None,
) -> CommandLine:
    """Split ``args`` into program, bindings and options (see the module docstring); ``--at -``
    reads ``stdin`` (default: the process's)."""
    by_flag = {flag: opt for opt in options for flag in opt.flags}
    command_line = CommandLine(options={opt.dest: opt.default for opt in options})
    positionals: list[str] = []
    i = 0
    only_positionals = False
    while i < len(args):
        token = args[i]
        i += 1
        if only_positionals or token == "-" or not token.startswith("-"):
            # `--` ends the options; `name=VALUE` is a binding, not an option, on either side.
            if _binding_token(token):
                name, _, value = token.partition("=")
                check_name(name, token)
                command_line.bindings[name] = parse_binding(value, name)
            else:
                positionals.append(token)
            continue
        if token == "--":
            only_positionals = True
            continue
        flag, eq, inline = token.partition("=")
        opt = by_flag.get(flag)
        if opt is None:
            name = flag[2:] if flag.startswith("--") else ""
            if not NAME.fullmatch(name):
                positionals.append(token)  # a program such as "-x^2" or "-1"
                continue
            check_name(name, flag)
            option = near_option(name, options)
            if option is not None:
                # A typo with no value, or a value that is no number, is no binding at all.
                try:
                    value, i = _value(args, i, eq, inline, "")
                    command_line.bindings[name] = parse_binding(value, flag)
                except UsageError:
                    raise UsageError(near_option_message(name, option)) from None
                command_line.near_options[name] = option
                continue
            value, i = _value(
                args, i, eq, inline, f"{flag} needs a value (binds the input '{name}')"
            )
            command_line.bindings[name] = parse_binding(value, flag)
            continue
        if opt.dest == "help":
            command_line.help = True
            continue
        if not opt.takes_value:
            if eq:
                raise UsageError(f"{flag} takes no value")
            command_line.options[opt.dest] = True
            continue
        value, i = _value(args, i, eq, inline, f"{flag} needs a value: {opt.metavar}")
        try:
            converted = opt.convert(value)
        except ValueError as exc:
            raise UsageError(f"{flag}: expected {exc}, got {clip(value, 40)!r}") from None
        if opt.dest == "at":
            _bind_all(command_line, _at_bindings(value, stdin))
        elif opt.dest == "data":
            from .stream.csvdata import read_columns  # only when asked: a file of columns

            _bind_all(command_line, read_columns(value))
        elif opt.dest == "file":
            command_line.program_file = converted
        else:
            command_line.options[opt.dest] = converted
    if command_line.help:
        return command_line
    if takes_program:
        _assign_program(command_line, positionals)
    elif command_line.near_options:
        command_line.check_near_options(())
    elif positionals or command_line.bindings:
        raise UsageError(
            f"unexpected argument {clip((positionals or list(command_line.bindings))[0], 40)!r}"
        )
    return command_line


def _value(args: Sequence[str], i: int, eq: str, inline: str, missing: str) -> tuple[str, int]:
    """An option's value, ``--opt=VALUE`` or ``--opt VALUE`` (which may start with '-'), and
    the index of the next argument."""
    if eq:
        return inline, i
    if i < len(args):
        return args[i], i + 1
    raise UsageError(missing)


def _binding_token(token: str) -> bool:
    """``name=NUMBER`` and ``name=[JSON array]`` bind; ``y=2*x``, ``h = tanh(x)`` or
    ``y=[1, x][0]`` is a program."""
    name, eq, value = token.partition("=")
    if not eq or not NAME.fullmatch(name) or value != value.strip():
        return False
    if value.startswith("["):
        import json  # only for an array binding: eval --json imports no json reader

        try:
            return isinstance(json.loads(value), list)
        except (ValueError, RecursionError):
            return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _bind_all(command_line: CommandLine, bindings: dict[str, Value]) -> None:
    """Add a dict of bindings (a later one wins); the first is taken as it is, not copied."""
    command_line.bindings = command_line.bindings | bindings if command_line.bindings else bindings


def _at_bindings(value: str, stdin: IO[str] | None) -> dict[str, Value]:
    if value.lstrip().startswith(("{", "[")):  # inline JSON ('[' only to say it must be an object)
        return bindings_from_json(value, "--at", arrays=True)
    # The bytes go as soon as they are decoded (8 MB for 250,000 bindings).
    text = read_bytes(value, DEFAULT_MAX_SIZE, stdin).decode("utf-8-sig", errors="replace")
    return bindings_from_json(text, f"--at {clip(value, 40)}", arrays=True)


def _assign_program(command_line: CommandLine, positionals: list[str]) -> None:
    extra = positionals if command_line.program_file is not None else positionals[1:]
    for token in extra:
        name, eq, value = token.partition("=")
        if eq and NAME.fullmatch(name) and value.lstrip().startswith("["):
            value_from_text(value, name)  # meant as an array: say what is wrong with it
        if eq and NAME.fullmatch(name):  # meant as a binding, but the value is no number
            raise UsageError(f"{name}: {clip(value, 40)!r} is not a number")
    if command_line.program_file is not None:
        if positionals:
            raise UsageError(
                f"unexpected argument {clip(positionals[0], 40)!r}: the program comes from "
                f"{command_line.program_file}"
            )
        return
    if not positionals:
        raise UsageError(
            "no program given: pass it as the first argument, e.g. 'x*y + sin(x)' --x 0.5 "
            "--y 4.2, or with -f FILE"
        )
    if len(positionals) > 1:
        raise UsageError(
            f"unexpected argument {clip(positionals[1], 40)!r} after the program "
            "(bind inputs with --x 0.5 or x=0.5)"
        )
    command_line.program = positionals[0]

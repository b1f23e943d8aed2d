"""What adcli says about itself: help pages, the version, the manual page, shell completion.

People ask these in a hurry (``-h``, a TAB), so they answer in about the time Python takes to
start: this module imports no Rich and no Typer (together ~250 ms), only the standard library.
The top page's command list needs no command module (``SUMMARIES`` below); a command's page
imports just that command's module and is built from its ``HELP``, ``OPTIONS`` and ``EXAMPLES``,
the text the manual page (``help.man``) and the completion scripts (``help.completion``) are made
from too. Completion scripts are static: a TAB runs shell code only, never Python.

Markup in ``HELP``: ``[bold]...[/bold]`` is bold on a terminal and plain on a pipe; ``\\[`` is a
literal ``[``.
"""

from __future__ import annotations

import re
import sys
from types import ModuleType

from ..commands import COMMANDS, command
from ..errors import ExitStatus

TYPE_CHECKING = False  # not typing's: importing typing would cost a help page ~5 ms
if TYPE_CHECKING:
    from ..arguments import Option
    from ..environment import Environment

DESCRIPTION = "Exact derivatives of expressions and small programs, by automatic differentiation."

# One line per command for the top page, the manual's list and the completion menus.
SUMMARIES: dict[str, str] = {
    "eval": "the value and every partial derivative at a point (or at many: --batch)",
    "functions": "every function and operator with its derivative rule",
    "tree": "the computational graph as a tree: values, adjoints, local derivatives",
    "trace": "the forward and reverse sweeps, step by step",
    "dot": "the graph as Graphviz DOT text",
    "hessian": "value, gradient and the exact matrix of second derivatives",
    "jvp": "a directional derivative by one forward-mode pass",
    "check": "reverse-mode AD against central finite differences",
    "diff": "the derivative as a program (or as Python, NumPy, C, LaTeX)",
    "plot": "the function and its derivative over a range, as a picture",
}

TOP_EXAMPLES = """adcli eval "x*y + sin(x)" --x 0.5 --y 4.2
adcli eval "h = tanh(w*x + b); (h - t)^2" w=0.5 x=2 b=-0.3 t=1 --json
adcli tree "x*y + sin(x)" --x 0.5 --y 4.2
adcli hessian "x^2*y" --x 1 --y 3
adcli diff "x*y + sin(x)" --wrt x
echo '{"x": 1, "y": 2}' | adcli eval "x*y + sin(x)" --batch -"""

# (flags, metavar, help) of the options that stand before any command.
TOP_OPTIONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("-h", "--help"), "", "show this help and exit; 'adcli COMMAND --help' for a command"),
    (("-V", "--version"), "", "print the version and exit"),
    (("--man",), "", "print the manual page (roff): adcli --man | man -l -"),
    (("--completion",), "SHELL", "print the completion script for bash, zsh or fish"),
)
SHELLS = ("bash", "zsh", "fish")
HELP_FLAGS = ("-h", "--help")
MAX_WIDTH = 100

_MARKUP = re.compile(r"\\\[|\[(/?)(?:bold|b)?\]")


def present(args: list[str], env: Environment) -> int:
    """Answer every command line that does not run a command: help, version, manual page,
    completion, and the usage errors of the top level (no command, an unknown one)."""
    if not args:  # a usage error (status 2) that answers with the page, as an excerpt
        page = top_page(env.width - 2, bold=False)
        env.error("missing command", "\n".join(f"  {line}".rstrip() for line in page.splitlines()))
        return int(ExitStatus.USAGE)
    first = args[0]
    if first in COMMANDS:  # ``adcli CMD ... --help``: the dispatcher sends only those here
        return _write(env, command_page(first, env.width, bold=_bold(env)))
    if first in HELP_FLAGS or first == "help":
        if first == "help" and len(args) > 1 and args[1] in COMMANDS:
            return _write(env, command_page(args[1], env.width, bold=_bold(env)))
        return _write(env, top_page(env.width, bold=_bold(env)))
    if first in ("-V", "--version"):
        from ..native import describe

        return _write(env, f"adcli {version()} ({describe()})\n")
    if first == "--man":
        from .man import man_page

        return _write(env, man_page())
    if first == "--completion":
        shell = args[1] if len(args) > 1 else _login_shell(env)
        if shell not in SHELLS:
            return _usage(env, f"--completion needs a shell: {', '.join(SHELLS)}")
        from .completion import completion_script

        return _write(env, completion_script(shell))
    if first.startswith("-"):
        return _usage(env, f"no such option: {first}{_did_you_mean(first, top_flags())}")
    return _usage(env, f"no such command: '{first}'{_did_you_mean(first, list(COMMANDS))}")


def _write(env: Environment, text: str) -> int:
    env.stdout.write(text)
    env.stdout.flush()
    return 0


def _usage(env: Environment, message: str) -> int:
    env.error(message, "  Usage: adcli COMMAND [ARGS]...\n  Try 'adcli --help'.")
    return int(ExitStatus.USAGE)


def _did_you_mean(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def top_flags() -> list[str]:
    return [flag for flags, _, _ in TOP_OPTIONS for flag in flags]


def _bold(env: Environment) -> bool:
    """Bold only for a person at a terminal (TERM=dumb has no bold)."""
    return env.stdout_isatty and env.environ.get("TERM", "").strip().lower() != "dumb"


def _login_shell(env: Environment) -> str:
    return env.environ.get("SHELL", "").rsplit("/", 1)[-1]


# ---- the version -----------------------------------------------------------------------------


def version() -> str:
    """The installed version; its one source is pyproject.toml, through the package metadata.

    The metadata directory's name carries the version (``adcli-0.2.0.dist-info``), and finding
    it along ``sys.path`` — the search importlib.metadata makes — costs well under a
    millisecond, where importing importlib.metadata costs about Python's whole start-up.
    """
    import os

    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("adcli-") and name.endswith(".dist-info"):
                return name[len("adcli-") : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("adcli")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


# ---- pages for people ------------------------------------------------------------------------


def styled(text: str, bold: bool) -> str:
    """HELP markup to text: ANSI bold on a terminal, nothing on a pipe."""

    def swap(match: re.Match[str]) -> str:
        if match.group(0) == "\\[":
            return "["
        if not bold:
            return ""
        return "\x1b[0m" if match.group(1) else "\x1b[1m"

    return _MARKUP.sub(swap, text)


def paragraphs(text: str) -> list[str]:
    """A HELP text's paragraphs, each on one line (source text is wrapped at 100 columns)."""
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]


def _wrap(text: str, width: int, indent: str = "", bold: bool = False) -> str:
    """``text`` wrapped to ``width`` columns, styled; markup takes no columns."""
    import textwrap

    plain = styled(text, bold=False)
    lines = textwrap.wrap(plain, width - len(indent), break_on_hyphens=False) or [""]
    if plain != text:  # put the markup back, word by word (a tag never stands alone)
        words = iter(text.split())
        lines = [" ".join(next(words) for _ in line.split()) for line in lines]
    return "\n".join(indent + styled(line, bold) for line in lines)


def _heading(title: str, bold: bool) -> str:
    return styled(f"[bold]{title}[/bold]", bold)


def _table(rows: list[tuple[str, str]], width: int, bold: bool) -> str:
    """Two columns: the term, then its help wrapped beside it (or below a long term)."""
    column = min(max((len(term) for term, _ in rows), default=0) + 4, 30, width // 2)
    out = []
    for term, text in rows:
        body = _wrap(text, width, " " * column, bold).lstrip(" ") if text else ""
        head = "  " + styled(f"[bold]{term}[/bold]", bold)
        if len(term) + 4 > column:
            out.append(head)
            out.append(" " * column + body)
        else:
            out.append(head + " " * (column - 2 - len(term)) + body)
    return "\n".join(line.rstrip() for line in out)


def _page_width(width: int) -> int:
    return max(40, min(width, MAX_WIDTH))


def option_term(option: Option) -> str:
    """How an option is written in help: its flags, then its value's name if it takes one."""
    flags = HELP_FLAGS if option.dest == "help" else option.flags
    term = ", ".join(flags)
    return f"{term} {option.metavar}" if option.takes_value else term


def usage(name: str, module: ModuleType | None = None) -> str:
    module = module or command(name)
    if getattr(module, "TAKES_PROGRAM", True):
        return f"adcli {name} [OPTIONS] PROGRAM [BINDINGS...]"
    return f"adcli {name} [OPTIONS]"


def command_page(name: str, width: int = 80, bold: bool = False) -> str:
    """``adcli NAME --help``."""
    module = command(name)
    width = _page_width(width)
    parts = [styled(f"[bold]Usage:[/bold] {usage(name, module)}", bold)]
    parts += [_wrap(p, width, bold=bold) for p in paragraphs(module.HELP)]
    if getattr(module, "TAKES_PROGRAM", True):
        parts.append(
            _wrap(
                "BINDINGS give each input a value: --x 0.5, --x=0.5, x=0.5, or --at with a "
                "JSON object or file.",
                width,
            )
        )
    rows = [(option_term(o), o.help) for o in module.OPTIONS]
    parts.append(_heading("Options:", bold) + "\n" + _table(rows, width, bold))
    examples = [e for e in module.EXAMPLES.strip().splitlines() if e.strip()]
    if examples:
        parts.append(_heading("Examples:", bold) + "\n" + "\n".join("  " + e for e in examples))
    return "\n\n".join(parts) + "\n"


def summary(name: str) -> str:
    """A command's line in the command list (from its HELP's first sentence if not in
    ``SUMMARIES``)."""
    if name in SUMMARIES:
        return SUMMARIES[name]
    first = paragraphs(command(name).HELP)[0]
    return styled(first.split(". ")[0].rstrip("."), bold=False)


def top_page(width: int = 80, bold: bool = False) -> str:
    """``adcli --help``, and what a bare ``adcli`` prints on stderr."""
    width = _page_width(width)
    commands = [(name, summary(name)) for name in COMMANDS]
    options = [
        (", ".join(flags) + (f" {metavar}" if metavar else ""), text)
        for flags, metavar, text in TOP_OPTIONS
    ]
    parts = [
        styled("[bold]Usage:[/bold] adcli COMMAND [ARGS]...", bold),
        _wrap(DESCRIPTION, width),
        _heading("Commands:", bold) + "\n" + _table(commands, width, bold),
        _heading("Options:", bold) + "\n" + _table(options, width, bold),
        _heading("Examples:", bold) + "\n" + "\n".join("  " + e for e in TOP_EXAMPLES.splitlines()),
        _wrap("Run 'adcli COMMAND --help' for a command's options and examples.", width),
    ]
    return "\n\n".join(parts) + "\n"

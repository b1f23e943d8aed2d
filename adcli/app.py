"""The Typer application: help pages, ``--version``, shell completion, usage errors.

Commands run through ``adcli.cli`` with their own argument parser (Click cannot pair
``--x 0.5``); this module presents them — each page is built from the command module's
``HELP``, ``OPTIONS`` and ``EXAMPLES`` — and catches what no command handles.
"""

from __future__ import annotations

import contextlib
import inspect

import typer

from . import __version__
from .commands import COMMANDS, command
from .environment import Environment
from .errors import ExitStatus

RAW_ARGS = {
    "ignore_unknown_options": True,
    "allow_extra_args": True,
    "help_option_names": ["--help"],
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"adcli {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="adcli",
    help="Exact derivatives of expressions and small programs, by automatic differentiation.",
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["--help"]},
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Exact derivatives of expressions and small programs, by automatic differentiation.

    Try: [bold]adcli eval "x*y + sin(x)" --x 0.5 --y 4.2[/bold]
    """


def _paragraphs(text: str) -> str:
    """Source text wrapped at 100 columns → one line per paragraph, for Rich to wrap."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))


def _display_parameters(module) -> list[inspect.Parameter]:
    """The command's options as Typer parameters, built from its OPTIONS: only for the help
    page and completion; the command itself parses its arguments (``adcli.arguments``)."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    ]
    if getattr(module, "TAKES_PROGRAM", True):
        argument = typer.Argument(
            None,
            metavar="PROGRAM",
            help="The program text ('-' for stdin), e.g. \"x*y + sin(x)\".",
            show_default=False,
        )
        params.append(
            inspect.Parameter("program", keyword, default=argument, annotation=str | None)
        )
    for opt in module.OPTIONS:
        if opt.dest == "help":
            continue
        option = typer.Option(
            None if opt.takes_value else False,
            *opt.flags,
            metavar=opt.metavar or None,
            help=opt.help,
            show_default=False,
        )
        annotation = str | None if opt.takes_value else bool
        params.append(inspect.Parameter(opt.dest, keyword, default=option, annotation=annotation))
    return params


_ENV: list[Environment] = []  # the Environment of the run_typer call in progress


def _register(name: str) -> None:
    module = command(name)

    def run_command(ctx: typer.Context, **_shown_in_help: object) -> None:
        raise typer.Exit(module.run(list(ctx.args), _ENV[-1]))

    run_command.__signature__ = inspect.Signature(_display_parameters(module))
    examples = getattr(module, "EXAMPLES", "").strip().splitlines()
    takes_program = getattr(module, "TAKES_PROGRAM", True)
    app.command(
        name,
        help=_paragraphs(module.HELP),
        epilog="[bold]Examples[/bold]\n\n" + "\n\n".join(f"  {e}" for e in examples),
        options_metavar="[BINDINGS...] [OPTIONS]" if takes_program else "[OPTIONS]",
        context_settings=RAW_ARGS,
    )(run_command)


for _name in COMMANDS:
    _register(_name)


def run_typer(args: list[str], env: Environment) -> int:
    """Run the Typer app on ``args`` and return its exit status.

    Usage errors (no command, an unknown command or option) are printed like every other
    adcli error, ``adcli: message`` then the usage, rather than in Click's box.
    """
    try:
        from typer._click.exceptions import UsageError
    except ImportError:  # typer before 0.20 used Click itself
        from click.exceptions import UsageError

    _ENV.append(env)
    try:
        # Typer and Click write to sys.stdout/sys.stderr: point them at the Environment's.
        with contextlib.redirect_stdout(env.stdout), contextlib.redirect_stderr(env.stderr):
            code = app(args=args, prog_name="adcli", standalone_mode=False)
    except UsageError as exc:
        usage = exc.ctx.get_usage() if exc.ctx else "Usage: adcli COMMAND [ARGS]..."
        env.error(exc.format_message(), f"  {usage}\n  Try 'adcli --help'.")
        return int(ExitStatus.USAGE)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else int(ExitStatus.USAGE))
    finally:
        _ENV.pop()
    return code if isinstance(code, int) else 0

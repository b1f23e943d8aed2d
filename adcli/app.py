"""The Typer application: help pages, ``--version``, shell completion, usage errors.

Commands run through ``adcli.cli`` with their own argument parser (Click cannot pair
``--x 0.5``); this module presents them — each page is built from the command module's
``HELP``, ``OPTIONS`` and ``EXAMPLES`` — and catches what no command handles.
"""

from __future__ import annotations

import sys

import typer

from . import __version__
from .cli import COMMANDS, command

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


def help_page(module) -> str:
    """A command's help: what it does, its options (from its OPTIONS), examples."""
    lines = [module.HELP.strip(), "", "[bold]Options[/bold] (never abbreviated):", ""]
    for opt in module.OPTIONS:
        flags = ", ".join(opt.flags) + (f" {opt.metavar}" if opt.metavar else "")
        lines.append(f"  [bold]{flags}[/bold]  {opt.help}")
    lines.append("")
    examples = getattr(module, "EXAMPLES", "")
    if examples:
        lines += ["[bold]Examples[/bold]:", ""]
        lines += [f"  {line}" for line in examples.strip().splitlines()]
    # Rich markup: blank lines separate paragraphs, and a line break inside one needs "\b"-free
    # text, so every line is its own paragraph.
    return "\n\n".join(line for line in lines if line) + "\n"


def _register(name: str) -> None:
    module = command(name)

    def run_command(ctx: typer.Context) -> None:
        raise typer.Exit(module.run(list(ctx.args)))

    app.command(name, help=help_page(module), context_settings=RAW_ARGS, add_help_option=True)(
        run_command
    )


for _name in COMMANDS:
    _register(_name)


def run_typer(args: list[str]) -> int:
    """Run the Typer app on ``args`` and return its exit status.

    Usage errors (no command, an unknown command or option) are printed like every other
    adcli error, ``adcli: message`` then the usage, rather than in Click's box.
    """
    try:
        from typer._click.exceptions import UsageError
    except ImportError:  # typer before 0.20 used Click itself
        from click.exceptions import UsageError

    try:
        code = app(args=args, prog_name="adcli", standalone_mode=False)
    except UsageError as exc:
        usage = exc.ctx.get_usage() if exc.ctx else "Usage: adcli COMMAND [ARGS]..."
        sys.stderr.write(f"adcli: {exc.format_message()}\n  {usage}\n  Try 'adcli --help'.\n")
        return 2
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    return code if isinstance(code, int) else 0

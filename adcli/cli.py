"""The command line's entry point: dispatch, and the one error boundary.

``adcli eval ... --json`` runs in shell loops, so start-up matters: a command's module is
imported only when that command runs, Rich only when a person reads the output, and Typer (which
pulls in Click and pydantic, ~170 ms) only for help, version, completion and usage errors.
Commands parse their own arguments (``adcli.arguments``); Typer presents them.
"""

from __future__ import annotations

import importlib
import os
import sys

from .errors import AdcliError, ExitStatus

# command name -> its module in adcli.commands (which defines ``run``, ``OPTIONS``, ``HELP`` and
# ``EXAMPLES``); one module per command, so a command imports only what it uses.
COMMANDS: dict[str, str] = {
    "eval": "evaluate",
    "functions": "functions",
    "tree": "tree",
    "trace": "trace",
    "dot": "dot",
    "hessian": "hessian",
    "jvp": "jvp",
    "check": "check",
    "diff": "diff",
}


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run and exit with the contract's status."""
    sys.exit(run(sys.argv[1:] if argv is None else argv))


def run(args: list[str]) -> int:
    """Run one command line and return its exit status; nothing escapes as a traceback."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): nowhere to answer
        _error("stdout is closed: nowhere to write the answer")
        return int(ExitStatus.EVALUATION)
    try:
        return _dispatch(list(args))
    except AdcliError as exc:
        _error(exc.message, exc.excerpt)
        return int(exc.status)
    except KeyboardInterrupt:
        _error("interrupted")
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``adcli ... | head``): stop quietly, as `yes | head` does.
        _silence_stdout()
        return 141
    except OSError as exc:  # writing the output failed: a full disk, a vanished terminal
        _silence_stdout()
        _error(f"cannot write the output: {exc.strerror or exc}")
        return int(ExitStatus.EVALUATION)
    except MemoryError:
        _error("out of memory: the program or the batch is too large for this machine")
        return int(ExitStatus.EVALUATION)
    except RecursionError:
        _error("internal error: recursion too deep (please report this input)")
        return int(ExitStatus.EVALUATION)
    except Exception as exc:  # the boundary: a bug must still not show a traceback
        _error(f"internal error: {type(exc).__name__}: {exc} (please report this input)")
        return int(ExitStatus.EVALUATION)


def _dispatch(args: list[str]) -> int:
    if args and args[0] in COMMANDS and "_ADCLI_COMPLETE" not in os.environ:
        options = args[1 : args.index("--")] if "--" in args else args[1:]
        if "--help" not in options:
            return command(args[0]).run(args[1:])
    from .app import run_typer

    return run_typer(args)


def command(name: str):
    """The module implementing a command."""
    return importlib.import_module(f"adcli.commands.{COMMANDS[name]}")


def _error(message: str, excerpt: str = "") -> None:
    try:
        sys.stderr.write(f"adcli: {message}\n")
        if excerpt:
            sys.stderr.write(excerpt + "\n")
        sys.stderr.flush()
    except (AttributeError, OSError):  # stderr closed or gone: nothing more to say
        pass


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass

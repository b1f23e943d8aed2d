"""The command line's entry point: dispatch, and the one error boundary.

``adcli eval ... --json`` runs in shell loops, so start-up matters: a command's module is
imported only when that command runs, Rich only when a person reads the output, and the help
presentation (``adcli.help``) only for help, version, completion and usage errors.  Commands parse
their own arguments (``adcli.arguments``) and write through an ``Environment``
(``adcli.environment``), which tests inject to run commands in-process.
"""

from __future__ import annotations

import gc
import os
import sys

from .commands import COMMANDS, command, with_binding_hint
from .environment import Environment
from .errors import AdcliError, ExitStatus


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run and exit with the contract's status."""
    # One command, then the process ends: what the imports made (modules, functions, tables)
    # lives until exit, so the cyclic garbage collector need not walk it again — not in the
    # collections the run triggers, nor in the ones at exit (~7 M of a short eval's ~90 M
    # instructions).  The command's own objects are collected as usual.
    gc.freeze()
    sys.exit(run(sys.argv[1:] if argv is None else argv))


def run(args: list[str], env: Environment | None = None) -> int:
    """Run one command line in ``env`` (default: the process's streams and environment) and
    return its exit status; nothing escapes as a traceback."""
    env = Environment() if env is None else env
    if env.stdout is None:  # started with stdout closed (`>&-`): nowhere to answer
        env.error("stdout is closed: nowhere to write the answer")
        return int(ExitStatus.EVALUATION)
    try:
        return _dispatch(list(args), env)
    except AdcliError as exc:
        # unbound names: the library names them, the command line says how to bind them
        exc = with_binding_hint(exc)
        env.error(exc.message, exc.excerpt)
        return int(exc.status)
    except KeyboardInterrupt:
        env.error("interrupted")
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``adcli ... | head``): stop quietly, as `yes | head` does.
        _silence_stdout(env)
        return int(ExitStatus.BROKEN_PIPE)
    except OSError as exc:  # writing the output failed: a full disk, a vanished terminal
        _silence_stdout(env)
        env.error(f"cannot write the output: {exc.strerror or exc}")
        return int(ExitStatus.EVALUATION)
    except ImportError as exc:  # a dependency is missing or broken: say what to install
        hint = missing_dependency(exc)
        if hint is None:
            env.error(f"internal error: {type(exc).__name__}: {exc} (please report this input)")
            return int(ExitStatus.EVALUATION)
        env.error(hint)
        return int(ExitStatus.USAGE)
    except MemoryError:
        env.error("out of memory: the program or the batch is too large for this machine")
        return int(ExitStatus.EVALUATION)
    except RecursionError:
        env.error("internal error: recursion too deep (please report this input)")
        return int(ExitStatus.EVALUATION)
    except Exception as exc:  # the boundary: a bug must still not show a traceback
        env.error(f"internal error: {type(exc).__name__}: {exc} (please report this input)")
        return int(ExitStatus.EVALUATION)


# module imported -> what pip installs it (the extras name the feature that needs it)
INSTALL = {
    "rich": "rich",
    "numpy": "numpy",
    "pyarrow": "adcli[parquet]",
    "pandas": "adcli[dask]",
    "dask": "adcli[dask]",
    "distributed": "adcli[dask]",
    "matplotlib": "adcli[plot]",
    "plotext": "plotext",
    "lark": "adcli[grammar]",
}


def missing_dependency(exc: ImportError) -> str | None:
    """The message for an import of a package adcli needs that failed (None when the failed
    import is adcli's own: that is a bug, not an installation problem)."""
    name = (exc.name or "").split(".")[0]
    if not name or name == "adcli":
        return None
    package = INSTALL.get(name, name)
    return (
        f"this needs the Python package '{name}', which is not installed or does not import "
        f"({exc}); install it into adcli's environment: python3 -m pip install '{package}'"
    )


def _dispatch(args: list[str], env: Environment) -> int:
    if args and args[0] in COMMANDS:
        options = args[1 : args.index("--")] if "--" in args else args[1:]
        if "--help" not in options and "-h" not in options:
            return command(args[0]).run(args[1:], env)
    from .help import present  # help, version, completion, top-level usage: only when asked

    return present(args, env)


def _silence_stdout(env: Environment) -> None:
    """Point stdout's file descriptor at /dev/null, so the interpreter's final flush of a
    closed pipe does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, env.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass

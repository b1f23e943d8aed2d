"""Shared test helpers: run adcli in-process (or, for the smoke layer, as the real console
script), parse strict JSON, centred differences."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

from adcli.cli import run as cli_run
from adcli.environment import Environment

ROOT = Path(__file__).resolve().parent.parent

# CI's extra run: ADCLI_COMPILED_EVERYWHERE=1 sends every tape and program text to the compiled
# core (where it is built), not only large ones, so the whole suite runs on that path too.
# (ADCLI_PURE=1, CI's other run, forces pure Python: adcli.native.)
if os.environ.get("ADCLI_COMPILED_EVERYWHERE") == "1":
    from adcli import bindings as _bindings
    from adcli import parse as _parse
    from adcli.commands import evaluate as _evaluate
    from adcli.engine import sweep as _sweep

    _sweep.COMPILED_FROM = _parse.COMPILED_FROM = _sweep.UNBOUND_FROM = 0
    _bindings.COMPILED_FROM = _evaluate.COMPILED_FROM = 0  # adcli._cjson: --at, eval --json


# The whole suite (``python -m pytest``, the README's command and CI's) runs on every core the
# process may use, with pytest-xdist (in the test extra); a run of chosen files or tests stays in
# one process, where starting workers would cost more than it saves.  ``-n N`` (``-n 0``: no
# workers) or ``-p no:xdist`` decide otherwise.  Each test file runs whole on one worker
# (``--dist loadfile``): a module's fixtures are built once (test_packaging's wheel, built in
# the source tree, must not be built twice at once), and no file's tests depend on order across
# files.
@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    option = config.option
    if (
        not config.pluginmanager.hasplugin("xdist")
        or os.environ.get("PYTEST_XDIST_WORKER")
        or getattr(option, "numprocesses", None) is not None
        or getattr(option, "tx", None)
        or getattr(option, "dist", "no") != "no"
        or config.args_source != pytest.Config.ArgsSource.TESTPATHS
        or option.collectonly
        or option.usepdb
    ):
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) > 1:
        option.numprocesses = cores
        option.dist = "loadfile"


# Under xdist, the files that take longest are handed out first (each worker collects the same
# order), so no worker is left running one of them alone at the end; one process keeps the usual
# order.  Measured on 2 cores: each of these takes 5-30 s of the suite's ~190 s.
SLOW_FIRST = (
    "test_readme.py",
    "test_packaging.py",
    "test_properties.py",
    "test_dask.py",
    "test_arrays_memory.py",
    "test_calculus_properties.py",
    "test_csweep.py",
    "test_plot.py",
    "test_fuzz.py",
    "test_cparse.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {name: k for k, name in enumerate(SLOW_FIRST)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable within a file


SAMPLES = ROOT / "samples"
TEST_ENV = {"NO_COLOR": "1", "COLUMNS": "100"}  # what every run sees unless ``env`` overrides it


def adcli_command() -> list[str]:
    """The installed console script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).parent / "adcli"
    if script.exists():
        return [str(script)]
    found = shutil.which("adcli")
    return [found] if found else [sys.executable, "-m", "adcli"]


def run_adcli(
    *args: str,
    input: str | bytes | None = None,
    env: dict | None = None,
    timeout: float = 60,
    tty: bool = False,
    real: bool = False,
) -> subprocess.CompletedProcess:
    """Run ``adcli ARGS`` and capture stdout and stderr apart, as text.

    In-process by default: ``adcli.cli.run(args, Environment(...))`` with in-memory streams,
    ``input`` (text or bytes) as stdin, ``os.environ`` + NO_COLOR=1 COLUMNS=100 + ``env`` as the
    environment, and ``tty=True`` to present stdout as a terminal.  Warnings the run raises are
    written to its stderr, as the interpreter would.  ``real=True`` runs the installed console
    script in a subprocess instead: for what needs a process — signals, closed or broken pipes,
    FIFOs, start-up.  Either way a run over ``timeout`` seconds raises ``TimeoutExpired``.
    """
    environ = {**os.environ, **TEST_ENV, **(env or {})}
    if real:
        return _run_real(args, input, environ, timeout)
    data = input.encode() if isinstance(input, str) else (input or b"")
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True)
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    run_env = Environment(stdin, stdout, stderr, stdout_isatty=tty, environ=environ)
    with warnings.catch_warnings(record=True) as caught, _time_limit(args, timeout):
        warnings.simplefilter("default")
        status = cli_run(list(args), run_env)
    for w in caught:
        stderr.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
    stdout.flush()
    stderr.flush()
    return subprocess.CompletedProcess(
        ["adcli", *args], status, _decoded(out.getvalue(), input), _decoded(err.getvalue(), input)
    )


class _Hang(BaseException):
    """Raised by the alarm: a BaseException, so adcli's boundary cannot take it for a bug."""


@contextlib.contextmanager
def _time_limit(args, seconds: float):
    """``subprocess.TimeoutExpired`` if the body runs over ``seconds`` (an in-process run that
    hangs must fail as a subprocess would, not hang the suite); a no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def alarm(signum, frame):
        raise _Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Hang:
        raise subprocess.TimeoutExpired(["adcli", *args], seconds) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _decoded(raw: bytes, input: str | bytes | None) -> str:
    """Bytes as ``subprocess.run`` would give them back: with ``text=True`` (str input) newlines
    are translated; for bytes input they are decoded with replacement, as before."""
    if isinstance(input, bytes):
        return raw.decode(errors="replace")
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="replace").read()


def _run_real(args, input, environ: dict, timeout: float) -> subprocess.CompletedProcess:
    """The installed console script in a subprocess (the smoke layer)."""
    if isinstance(input, bytes):
        done = subprocess.run(
            [*adcli_command(), *args],
            input=input,
            capture_output=True,
            env=environ,
            timeout=timeout,
        )
        return subprocess.CompletedProcess(
            done.args,
            done.returncode,
            done.stdout.decode(errors="replace"),
            done.stderr.decode(errors="replace"),
        )
    return subprocess.run(
        [*adcli_command(), *args],
        input=input,
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
    )


def strict_json(text: str):
    """Parse JSON, refusing NaN and Infinity as RFC 8259 does."""

    def refuse(token: str):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def central_difference(f, x: float, h: float | None = None) -> float:
    h = h if h is not None else 1e-6 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.fixture
def adcli():
    return run_adcli

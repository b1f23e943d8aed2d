"""Shared test helpers: run the real console script, parse strict JSON, centred differences."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def adcli_command() -> list[str]:
    """The installed console script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).parent / "adcli"
    if script.exists():
        return [str(script)]
    found = shutil.which("adcli")
    return [found] if found else [sys.executable, "-m", "adcli"]


def run_adcli(
    *args: str, input: str | bytes | None = None, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run ``adcli ARGS`` in a subprocess; stdout and stderr are captured apart, as text."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})}
    if isinstance(input, bytes):
        done = subprocess.run(
            [*adcli_command(), *args],
            input=input,
            capture_output=True,
            env=full_env,
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
        env=full_env,
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

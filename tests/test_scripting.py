"""adcli in scripts: pipe manners (head, Ctrl-C, colour, --version, --quiet, --wrt) through the
console script, and the recipes of docs/scripting.md (whose examples tests/test_readme.py runs)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, adcli_command, run_adcli, strict_json

DOC = ROOT / "docs" / "scripting.md"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def clean_env(**extra: str) -> dict[str, str]:
    """The user's environment with adcli's directory first on PATH and no colour settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    bin_dir = str(Path(adcli_command()[0]).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def test_the_doc_has_every_pipeline_a_scripter_needs():
    """Its examples run in tests/test_readme.py; here: the recipes are all there."""
    text = DOC.read_text()
    for needle in ("| jq", "for x in", "--output csv", "--batch", "gradient.x", "parallel --pipe"):
        assert needle in text, needle


# ---- pipe manners --------------------------------------------------------------------------


def pipeline(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )


def test_piped_into_head_exits_quietly():
    done = pipeline('adcli eval "x*y+sin(x)" --x 0.5 --y 4.2 --json | head -c 5')
    assert done.stdout == '{"val'
    assert done.stderr == ""
    done = pipeline("adcli functions | head -n 1 >/dev/null")
    assert done.stderr == ""


def test_a_big_batch_piped_into_head_exits_quietly(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text("".join(f'{{"x": {i}}}\n' for i in range(200_000)))
    done = pipeline(f'adcli eval "x^2" --batch {path} | head -n 2')
    assert done.stdout == (
        '{"value": 0.0, "gradient": {"x": 0.0}}\n{"value": 1.0, "gradient": {"x": 2.0}}\n'
    )
    assert done.stderr == ""
    assert done.returncode == 141  # as `yes | head`: the writer saw its reader go


def test_ctrl_c_during_a_slow_batch_exits_130_without_traceback():
    proc = subprocess.Popen(
        [*adcli_command(), "eval", "x^2", "--batch", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # The child must see SIGINT as a terminal's Ctrl-C does, whatever this process ignores.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        proc.stdin.write(b'{"x": 3}\n')
        proc.stdin.flush()
        assert proc.stdout.readline() == b'{"value": 9.0, "gradient": {"x": 6.0}}\n'
        proc.send_signal(signal.SIGINT)  # while it waits for the next line
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err == b"adcli: interrupted\n"


def human_table(**env: str) -> str:
    done = subprocess.run(
        [*adcli_command(), "eval", "x*y + sin(x)", "--x", "0.5", "--y", "4.2"],
        capture_output=True,
        text=True,
        env=clean_env(**env),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_colour_only_on_a_terminal_or_when_forced():
    piped = human_table()
    assert not ANSI.search(piped)
    assert "2.579425538604203" in piped
    forced = human_table(FORCE_COLOR="1")
    assert ANSI.search(forced)
    assert ANSI.sub("", forced) == piped
    colours = {c for c in ANSI.findall(human_table(FORCE_COLOR="1", NO_COLOR="1"))}
    assert not any(re.search(r"\[(\d+;)*3\dm", c) for c in colours), colours  # no colour codes
    assert not ANSI.search(human_table(FORCE_COLOR="1", TERM="dumb"))


def test_colour_on_a_real_terminal():
    """Run under a pseudo-terminal (no FORCE_COLOR): a person at a terminal gets colour."""
    script = f"{adcli_command()[0]} eval 'x*y + sin(x)' --x 0.5 --y 4.2"
    out = subprocess.run(
        [sys.executable, "-c", f"import pty; pty.spawn(['bash', '-c', {script!r}])"],
        capture_output=True,
        env=clean_env(TERM="xterm-256color"),
        timeout=60,
    )
    assert ANSI.search(out.stdout.decode(errors="replace"))


def test_version():
    done = run_adcli("--version")
    assert done.returncode == 0
    assert re.fullmatch(
        r"adcli \d+\.\d+\.\d+\S* \((compiled core.*|pure Python \(.+\))\)\n", done.stdout
    )


def test_quiet_silences_warnings():
    loud = run_adcli("eval", "x^2", "--x", "2", "--z", "1", "--json")
    assert "warning" in loud.stderr
    quiet = run_adcli("eval", "x^2", "--x", "2", "--z", "1", "--json", "--quiet")
    assert quiet.stderr == ""
    assert quiet.stdout == loud.stdout


def test_wrt_restricts_the_reported_partials():
    done = run_adcli("eval", "x*y + sin(x)", "--x", "0.5", "--y", "4.2", "--json", "--wrt", "y")
    assert strict_json(done.stdout) == {"value": 2.579425538604203, "gradient": {"y": 0.5}}

"""The smoke layer: the installed console script and ``python -m adcli`` end to end (the rest
of the suite runs commands in-process), and what the JSON path imports."""

import subprocess
import sys

from conftest import run_adcli, strict_json

GOLDEN = '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}\n'


def test_golden_example_json():
    done = run_adcli("eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json", real=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == GOLDEN
    data = strict_json(done.stdout)
    assert list(data["gradient"]) == ["x", "y"]


def test_in_process_runs_answer_exactly_as_the_console_script():
    args = ("eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2")
    for extra in (("--json",), ()):
        real, inside = run_adcli(*args, *extra, real=True), run_adcli(*args, *extra)
        assert (inside.returncode, inside.stdout, inside.stderr) == (
            real.returncode,
            real.stdout,
            real.stderr,
        )
    assert inside.stdout.count("\n") > 3  # the table


def test_python_dash_m():
    done = subprocess.run(
        [sys.executable, "-m", "adcli", "eval", "x*y+sin(x)", "x=0.5", "y=4.2", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, GOLDEN, "")


def test_the_json_path_imports_no_presentation_library():
    """``eval --json`` in shell loops pays only for what it uses: no Rich, Typer, numpy or
    even typing (each costs start-up time)."""
    code = (
        "import sys; from adcli.cli import run\n"
        "status = run(['eval', 'x*y+sin(x)', '--x', '0.5', '--y', '4.2', '--json'])\n"
        "heavy = ('rich', 'typer', 'click', 'numpy', 'typing', 'lark')\n"
        "print(status, sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout + done.stderr

"""The tables people read never cut a number: at 40, 80 and 200 columns on a terminal, eval,
hessian, jvp and check show every digit (wrapped column groups or stacked rows when too
narrow), byte for byte as the golden files under tests/golden/tables/.

Regenerate the golden files after an intended change with ``ADCLI_UPDATE_GOLDEN=1 pytest
tests/test_tables.py`` and read the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import run_adcli

GOLDEN = Path(__file__).resolve().parent / "golden" / "tables"
NEURON = ["h = tanh(w*x + b); (h - t)^2", "w=0.5", "x=2", "b=-0.3", "t=1"]
COMMANDS = {
    "eval": ["eval", *NEURON],
    "hessian": ["hessian", *NEURON],
    "jvp": ["jvp", *NEURON, "--dw", "1", "--dx", "0.5"],
    "check": ["check", *NEURON],
}
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]\d+)?|-?\d+e[-+]\d+")


def on_terminal(args: list[str], width: int) -> str:
    """Run a command in-process with stdout a terminal of ``width`` columns (styles removed)."""
    done = run_adcli(*args, tty=True, env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    text = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def numbers_of(args: list[str]) -> list[str]:
    """Every number the table shows in full, as repr writes it, from the --json output (check's
    table rounds its errors and steps on purpose: its AD and FD partials are whole)."""
    done = run_adcli(*args, "--json")
    assert done.returncode == 0, done.stderr
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if args[0] != "check" or key in ("check", "w", "x", "b", "t", "ad", "fd"):
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, float) and value not in (0.0, 1.0):
            found.append(repr(value))

    walk(json.loads(done.stdout))
    return found


@pytest.mark.parametrize("width", [40, 80, 200])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_tables_never_cut_a_number(command, width):
    args = COMMANDS[command]
    text = on_terminal(args, width)
    assert "…" not in text
    assert max(map(len, text.split("\n"))) <= width
    shown = set(NUMBER.findall(text))
    wanted = numbers_of(args)
    missing = [n for n in wanted if n not in shown]
    assert not missing, f"cut or missing at {width} columns: {missing}\n{text}"
    golden = GOLDEN / f"{command}_{width}.txt"
    if os.environ.get("ADCLI_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_a_pipe_gets_the_whole_table_at_its_natural_width():
    done = run_adcli(*COMMANDS["hessian"], env={"COLUMNS": "40"})
    text = done.stdout
    assert done.returncode == 0 and "-1.004493739746001" in text and "…" not in text


@pytest.mark.parametrize("width", [40, 80])
def test_a_short_trace_on_a_narrow_terminal_keeps_every_number_whole(width):
    args = ["trace", *NEURON]
    text = on_terminal(args, width)
    assert max(map(len, text.split("\n"))) <= width
    nodes = json.loads(run_adcli(*args, "--json").stdout)["nodes"]
    values = {repr(node["value"]) for node in nodes}
    assert values <= set(NUMBER.findall(text)) | {"0.5", "2.0", "1.0", "-0.3", "0.0"}
    golden = GOLDEN / f"trace_{width}.txt"
    if os.environ.get("ADCLI_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_functions_on_a_narrow_terminal_cuts_no_number():
    """``adcli functions`` goes through print_tables too: its rules' constants (log 2, log 10)
    print whole at 40 columns, never as ``0.6931471…``."""
    text = on_terminal(["functions"], 40)
    assert not re.search(r"\d…", text)
    assert max(map(len, text.split("\n"))) <= 40
    for number in ("0.6931471805599453", "2.302585092994046"):
        assert number in text

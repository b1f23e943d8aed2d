"""Long arrays in the human tables: eval, jvp, check and hessian keep 8 elements at each end
around one row that says what was left out, with a note of how to see it all (issue 12 point 5),
byte for byte as the golden files tests/golden/tables/clipped_*.txt; --json keeps every element.

Regenerate the golden files after an intended change with ``ADCLI_UPDATE_GOLDEN=1 pytest
tests/test_clipped_tables.py`` and read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_adcli

import adcli
from adcli.render.tables import Clipped, clip_rows, element_rows

GOLDEN = Path(__file__).resolve().parent / "golden" / "tables"
N = 40
X = json.dumps([k / 4 for k in range(N)])
ONES = json.dumps([1.0] * N)
PROGRAM = "sum(x^2) * y"
COMMANDS = {
    "eval": ["eval", PROGRAM, "--x", X, "--y", "0.5"],
    "jvp": ["jvp", PROGRAM, "--x", X, "--y", "0.5", "--dx", ONES],
    "check": ["check", PROGRAM, "--x", X, "--y", "0.5"],
    "hessian": ["hessian", PROGRAM, "--x", X, "--y", "0.5"],
}
NOTES = {
    "eval": "Long arrays are clipped: --json prints every partial; --wrt picks inputs.",
    "jvp": "Long arrays are clipped: --json prints the whole direction.",
    "check": "Long arrays are clipped: --json prints every comparison; --wrt picks inputs.",
    "hessian": "(25 rows and columns) not shown: --json prints them all, --wrt picks inputs",
}


def table(*args: str, status: int = 0) -> str:
    done = run_adcli(*args)  # a pipe: the table at its natural width
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_table_of_elements_clips_a_long_vector_alike(command):
    text = table(*COMMANDS[command])
    golden = GOLDEN / f"clipped_{command}.txt"
    if os.environ.get("ADCLI_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    lines = text.splitlines()
    # Per input, as eval: y stays; the Hessian clips its whole list of rows and columns (one
    # ⋯ column, not one per array: a matrix clipped per input would be as wide as its inputs).
    middle = "x[8] … x[32]" if command == "hessian" else "x[8] … x[31]"
    assert any(line.lstrip("│ ").startswith(middle) for line in lines)
    assert NOTES[command] in " ".join(" ".join(lines).split())
    for shown in ("x[0]", "x[7]", "x[33]", "x[39]", "y"):
        assert shown in text
    assert "x[8] " not in text.replace(middle, "") and "x[20]" not in text
    if command != "hessian":
        assert "24 rows not shown" in text
        assert len(lines) < 40  # 16 elements, y, f or ∇f·v, the clipped row, frame and note


@pytest.mark.parametrize("command", list(COMMANDS))
def test_json_still_has_every_element(command):
    out = json.loads(table(*COMMANDS[command], "--json"))
    assert len(out["direction" if command == "jvp" else "gradient"]["x"]) == N
    if command == "check":
        assert len(out["check"]) == N + 1
    if command == "hessian":
        assert len(out["hessian"]) == N + 1


def test_a_short_vector_is_not_clipped():
    # 17 = 2 * 8 + 1 elements: clipping would hide a single row, so all are shown.
    x = json.dumps([1.0] * 17)
    for args in (["jvp", "sum(x)", "--x", x, "--dx", x], ["check", "sum(x)", "--x", x]):
        text = table(*args)
        assert "x[8]" in text and "not shown" not in text and "clipped" not in text


def test_check_counts_the_failures_it_does_not_show():
    # relu has a kink at 0: the ten zeros in the middle fail, the ones around them pass.
    x = json.dumps([1.0] * 10 + [0.0] * 10 + [1.0] * 10)
    done = run_adcli("check", "sum(relu(x))", "--x", x)
    assert done.returncode == 1
    clipped = next(line for line in done.stdout.splitlines() if "rows not shown" in line)
    assert "x[8] … x[21]" in clipped and "10 FAIL" in clipped
    assert done.stdout.count("FAIL") == 1  # every row shown passes
    assert "x[10] (0.5)" in done.stderr  # the status-1 message still names each failure
    passing = table("check", "sum(relu(x))", "--x", json.dumps([1.0] * 30))
    clipped = next(line for line in passing.splitlines() if "rows not shown" in line)
    assert clipped.rstrip(" │").endswith("ok")


def test_check_sweeps_only_the_rows_it_shows():
    text = table("check", "sum(x^2) + y", "--x", json.dumps([1.0] * 30), "--y", "1", "--sweep")
    assert text.count("FD against h") == 17  # x[0..7], x[22..29], y
    assert "∂f/∂x[21]: FD" not in text and "∂f/∂x[22]: FD" in text and "∂f/∂y: FD" in text


def test_a_jvp_over_thousands_of_elements_prints_a_short_table():
    n = 5000
    text = table("jvp", "sum(x*x)", "--x", json.dumps([1.0] * n), "--dx", json.dumps([1.0] * n))
    assert f"x[8] … x[{n - 9}]" in text and f"{n - 16:,} rows not shown" in text
    assert len(text.splitlines()) < 30 and str(2.0 * n) in text


def test_clip_rows_is_the_one_clipping_rule():
    rows = clip_rows(10, lambda k: k, "e{}".format, items=list(range(10)), keep=2)
    assert rows[:2] == [0, 1] and rows[3:] == [8, 9]
    middle = rows[2]
    assert isinstance(middle, Clipped)
    assert (middle.first, middle.last, middle.count) == ("e2", "e7", 6)
    assert list(middle.hidden()) == [2, 3, 4, 5, 6, 7]
    assert clip_rows(5, lambda k: k, str, keep=2) == [0, 1, 2, 3, 4]
    # element_rows takes any flat items: check passes its comparison rows.
    compared = [{"k": k} for k in range(7)]
    rows = element_rows("x", None, compared, keep=2)
    assert rows[0] == ("x[0]", None, {"k": 0}) and list(rows[2].hidden()) == compared[2:5]
    assert element_rows("y", 2.0, {"k": 0}) == [("y", 2.0, {"k": 0})]


@pytest.mark.parametrize(
    "direction, got",
    [
        ({"x": 1}, "got a scalar"),
        ({"x": [1, 0, 0]}, "got a vector of 3"),
        ({"x": [[1, 0]]}, "got a 1×2 matrix"),
    ],
)
def test_api_jvp_refuses_a_direction_not_shaped_like_its_input(direction, got):
    f = adcli.compile("sum(x*x) + y")
    with pytest.raises(adcli.BindingError) as caught:
        f.jvp({"x": [1, 2], "y": 1}, direction)
    message = f"the direction for 'x' must be a vector of 2, like x; {got}"
    assert caught.value.kind == "usage" and caught.value.message == message
    cli = run_adcli(
        "jvp", "sum(x*x) + y", "--x", "[1, 2]", "--y", "1", "--dx", json.dumps(direction["x"])
    )
    assert cli.returncode == 2 and cli.stderr == f"adcli: {message}\n"


def test_api_jvp_refuses_an_array_direction_for_a_scalar_input():
    f = adcli.compile("sum(x*x) + y")
    with pytest.raises(
        adcli.BindingError,
        match="the direction for 'y' must be a scalar, like y; got a vector of 2",
    ):
        f.jvp({"x": [1, 2], "y": 1}, {"y": [1, 0]})
    # Shaped right, it is the same answer as the CLI's.
    v = f.jvp({"x": [1, 2], "y": 1}, {"x": [1, 0], "y": 2})
    assert (v.value, v.jvp, v.direction) == (6.0, 4.0, {"x": [1.0, 0.0], "y": 2.0})

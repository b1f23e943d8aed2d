"""``--batch`` for hessian, jvp and check: one JSON line per input line, in order, each equal
to the command's single-point ``--json`` output at that point; per-line errors; status 1 at
the end when any line failed."""

from __future__ import annotations

import json

import pytest
from conftest import run_adcli, strict_json

PROGRAM = "x*y + sin(x)"
POINTS = [
    {"x": 0.5, "y": 4.2},
    {"x": -1.25},  # y from the command line
    {"x": 1e-3, "y": -7.5, "z": 2},  # z: not an input (reported with zero partials)
]


def jsonl(*objects) -> str:
    return "".join(json.dumps(o) + "\n" for o in objects)


def single(command: str, bindings: dict, *extra: str) -> str:
    done = run_adcli(command, PROGRAM, *extra, "--at", json.dumps(bindings), "--json")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "command, extra",
    [("hessian", ()), ("check", ()), ("jvp", ("--dx", "0.6", "--dy", "0.8"))],
)
def test_each_line_equals_the_single_point_run_byte_for_byte(command, extra, tmp_path):
    path = tmp_path / "points.jsonl"
    path.write_text(jsonl(*POINTS[:1]) + "not json\n" + jsonl(*POINTS[1:]))
    done = run_adcli(command, PROGRAM, "--y", "2", *extra, "--batch", str(path))
    assert done.returncode == 1  # the bad line
    lines = done.stdout.splitlines(keepends=True)
    assert len(lines) == 4
    error = strict_json(lines[1])["error"]
    assert error["kind"] == "usage" and error["message"].startswith("line 2: not valid JSON")
    for point, line in zip(POINTS, lines[:1] + lines[2:]):
        bound = dict(point) if command != "jvp" else {k: v for k, v in point.items() if k != "z"}
        expected = single(command, {"y": 2, **bound}, *extra)
        assert line == expected
    assert "1 of 4 lines failed; the first: line 2: not valid JSON" in done.stderr


def test_jvp_lines_may_carry_their_own_direction():
    lines = jsonl({"x": 1, "y": 2, "dx": 0, "dy": 1}, {"x": 1, "y": 2})
    done = run_adcli("jvp", PROGRAM, "--dx", "1", "--batch", "-", input=lines)
    assert done.returncode == 0, done.stderr
    first, second = map(strict_json, done.stdout.splitlines())
    assert first == {"value": 2 + 0.8414709848078965, "jvp": 1.0, "direction": {"x": 0.0, "y": 1.0}}
    assert second["direction"] == {"x": 1.0, "y": 0.0}
    assert done.stderr == ""  # dx, dy are directions, not unused bindings


def test_jvp_without_any_direction_fails_per_line():
    done = run_adcli(
        "jvp", PROGRAM, "--batch", "-", input=jsonl({"x": 1, "y": 2, "dy": 1}, {"x": 1, "y": 2})
    )
    assert done.returncode == 1
    first, second = map(strict_json, done.stdout.splitlines())
    assert first["jvp"] == 1.0
    assert second["error"]["message"].startswith("no direction given")


def test_a_failed_gradient_check_is_reported_on_its_line_and_in_the_status():
    # step at 0: the AD partial is 0, the centred difference is 1/2h
    done = run_adcli("check", "step(x)", "--batch", "-", input=jsonl({"x": 1}, {"x": 0}, {"x": -2}))
    assert done.returncode == 1
    reports = [strict_json(line) for line in done.stdout.splitlines()]
    assert [r["ok"] for r in reports] == [True, False, True]
    assert "1 of 3 lines failed; the first: line 2: gradient check failed" in done.stderr


def test_hessian_batch_reads_csv_and_evaluation_errors_stay_on_their_line():
    done = run_adcli(
        "hessian",
        "log(x) * y",
        "--y",
        "5",
        "--batch",
        "-",
        "--input-format",
        "csv",
        input="x,y\n2,1\n-1,1\n3,\n",
    )
    assert done.returncode == 1
    first, second, third = map(strict_json, done.stdout.splitlines())
    assert first["hessian"]["x"]["x"] == -0.25
    assert second["error"]["kind"] == "domain"
    assert third["gradient"]["x"] == pytest.approx(
        5 / 3
    )  # the empty cell takes the command line's y
    assert "line 3:" in done.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("hessian", "x", "--batch", "-", "--digits", "3"), "--digits rounds the table"),
        (
            ("check", "x", "--x", "1", "--input-format", "csv"),
            "--input-format, --output and --out go with --batch",
        ),
        (("jvp", "--batch", "-", "-f", "-"), "cannot both come from stdin"),
    ],
)
def test_usage_errors(args, message):
    done = run_adcli(*args, input="")
    assert done.returncode == 2
    assert message in done.stderr


def test_an_empty_batch_writes_nothing_and_succeeds():
    done = run_adcli("hessian", "x^2", "--batch", "-", input="")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


ARRAY_LINES = [
    {"x": [1, 2], "y": 3},
    {"x": [0.5, -1.0, 2.0], "y": 1},  # another shape on the next line
    {"x": [[1, 2], [3, 4]], "y": 0.5},
    {"x": 2, "y": 1},  # a scalar where the program sums: still one element
]


@pytest.mark.parametrize(
    "command, extra",
    [("eval", ()), ("hessian", ()), ("check", ()), ("jvp", ("--dy", "1"))],
)
def test_json_lines_may_bind_arrays_each_line_equals_its_single_run(command, extra):
    program = "sum(x^2) * y + y^2"
    done = run_adcli(command, program, *extra, "--batch", "-", input=jsonl(*ARRAY_LINES))
    lines = done.stdout.splitlines(keepends=True)
    assert len(lines) == len(ARRAY_LINES)
    for bindings, line in zip(ARRAY_LINES, lines):
        args = [f"--{k}={json.dumps(v)}" for k, v in bindings.items()]
        single = run_adcli(command, program, *extra, *args, "--json")
        if single.returncode == 0:
            assert line == single.stdout
        else:
            error = strict_json(line)["error"]
            assert single.stderr.startswith(f"adcli: {error['message']}")
    assert "error" not in strict_json(lines[0]) and "error" not in strict_json(lines[2])


def test_an_array_gradient_in_csv_output_is_a_clear_per_line_error():
    lines = jsonl({"x": [1, 2]}, {"x": 3})
    done = run_adcli("eval", "sum(x)", "--batch", "-", "--output", "csv", input=lines)
    assert done.returncode == 1
    assert done.stdout.splitlines()[1:] == [
        ",,usage: line 1: an array's gradient is an array: write JSON Lines (--output jsonl)",
        "3.0,1.0,",
    ]

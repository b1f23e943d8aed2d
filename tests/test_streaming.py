"""The views stream: tree, trace and dot write as they go, stop with status 141 when the reader
leaves, and cost what they print (lines of bounded width however deep the program)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from conftest import adcli_command

from adcli.engine.evaluation import evaluate
from adcli.parse import parse
from adcli.render import CHUNK, plain_text, write_text
from adcli.render.data import graph_data, graph_json
from adcli.render.dot import dot, dot_lines
from adcli.render.tree import PART_DEPTH, tree_lines


def chain(lines: int) -> str:
    """Each line uses the one before twice: a tree as deep as the program is long."""
    body = ["h0 = x*y + sin(x)"]
    body += [f"h{i} = h{i - 1}*y + sin(h{i - 1})" for i in range(1, lines)]
    return "\n".join([*body, f"h{lines - 1}"])


def test_deep_tree_lines_stay_short_and_the_output_linear():
    sizes = {}
    for n in (100, 300):
        ev = evaluate(parse(chain(n)), {"x": 0.5, "y": 0.9})
        text = plain_text(tree_lines(ev, None, None, ascii=True))
        widest_guides = max(len(line) - len(line.lstrip("|` -")) for line in text.split("\n"))
        assert widest_guides <= 4 * PART_DEPTH
        # every node is drawn exactly once in full (a full line shows "adjoint")
        assert text.count("adjoint") == len(ev.program.tape)
        assert text.count("(inputs continued below)") == text.count("(continued from above")
        sizes[n] = len(text)
    assert sizes[300] / sizes[100] < 3.3  # linear in the program (depth² would be ~9)


def test_parts_say_where_they_continue():
    ev = evaluate(parse(chain(20)), {"x": 0.5, "y": 0.9})
    text = plain_text(tree_lines(ev, None, None, ascii=True))
    continued = [line for line in text.split("\n") if "(inputs continued below)" in line]
    first = continued[0].split("g=")[1].split()[1].rstrip(":")  # the node's name
    assert f"\n\n{first} (continued from above, depth {PART_DEPTH})\n" in text


def test_cut_and_part_views_agree_with_the_limits():
    ev = evaluate(parse(chain(40)), {"x": 0.5, "y": 0.9})
    text = plain_text(tree_lines(ev, 30, None, ascii=True))
    assert "(inputs continued below)" in text and "drew " in text and "--depth 30" in text
    text = plain_text(tree_lines(ev, None, 50, ascii=True))
    assert "(stopped at --max-nodes 50)" in text


def test_dot_and_json_are_made_piece_by_piece_with_the_same_bytes():
    ev = evaluate(parse("h = x*y; h + sin(x) + 0*sqrt(x)"), {"x": 0.0, "y": 4.2})
    assert "".join(graph_json(ev)) == json.dumps(graph_data(ev), allow_nan=False) + "\n"
    assert sum(1 for _ in dot_lines(ev)) == dot(ev).count("\n")


class Recorder(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)


def test_write_text_writes_in_chunks_as_it_goes():
    out = Recorder()
    write_text(("x" * 100 + "\n" for _ in range(2000)), out)
    assert out.getvalue() == ("x" * 100 + "\n") * 2000
    assert len(out.sizes) > 5 and max(out.sizes) < CHUNK + 200


def big_program(tmp_path) -> str:
    path = tmp_path / "big.adc"
    path.write_text("sin(" * 5_000 + "x" + ")" * 5_000)  # megabytes out: many chunks
    return str(path)


@pytest.mark.parametrize("view", [["dot"], ["tree", "--all"], ["trace", "--all"]])
def test_a_reader_that_leaves_stops_the_view_with_141(tmp_path, view):
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [*adcli_command(), *view, "-f", big_program(tmp_path), "--x", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout.readline()  # the first line, then the reader goes away
    proc.stdout.close()
    assert proc.wait(timeout=120) == 141
    assert proc.stderr.read() == b""


def test_render_modules_and_the_plain_views_never_import_rich():
    """Rich is imported inside the functions that build Rich objects: importing the render
    modules, and dot, tree and trace on a pipe (plain text), leave it out."""
    code = (
        "import io, sys\n"
        "import adcli.render.tree, adcli.render.trace, adcli.render.dot, adcli.render.data\n"
        "import adcli.render.tables, adcli.render.fit, adcli.render.nodes\n"
        "from adcli.cli import run\n"
        "from adcli.environment import Environment\n"
        "env = Environment(stdout=io.StringIO(), stdout_isatty=False, environ={})\n"
        "assert run(['dot', 'x*y', 'x=1', 'y=2'], env) == 0\n"
        "assert run(['tree', 'x*y', 'x=1', 'y=2', '--json'], env) == 0\n"
        "assert run(['tree', 'x*y', 'x=1', 'y=2'], env) == 0\n"
        "assert run(['trace', 'x*y', 'x=1', 'y=2'], env) == 0\n"
        "print('rich' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "False\n"


def test_a_long_table_stops_with_141_too(tmp_path):
    """Tables are rendered by Rich but written by adcli: Rich's own print would turn the closed
    pipe into status 1 (or, unbuffered, lose the rest silently with status 0)."""
    n = 1500  # rows of ~100 bytes: twice what a pipe and the reader's buffer hold
    names = [f"an_input_with_a_rather_long_name_{i:04}" for i in range(n)]
    program = tmp_path / "wide.adc"
    program.write_text(" + ".join(f"{x}*{x}" for x in names))
    at = tmp_path / "at.json"
    at.write_text(json.dumps({x: i * 0.5 for i, x in enumerate(names)}))
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [*adcli_command(), "eval", "-f", str(program), "--at", str(at)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=120) == 141
    assert proc.stderr.read() == b""

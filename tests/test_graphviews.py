"""adcli tree, trace and dot: exact small pictures (golden files), linear size on shared nodes,
DOT accepted by a parser (and by Graphviz when installed), the --json graph, 100,000-node programs.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_adcli, strict_json
from rich.console import Console

from adcli.engine.evaluation import evaluate
from adcli.parse import parse
from adcli.render import plain_text
from adcli.render.data import graph_data
from adcli.render.dot import dot, dot_string
from adcli.render.trace import trace, trace_text
from adcli.render.tree import PART_DEPTH, tree_lines

GOLDEN = Path(__file__).resolve().parent / "golden"
SEED = ("x*y+sin(x)", {"x": 0.5, "y": 4.2})
BINDINGS = ("a = x*y; b = a\nh = tanh(w*a + 2^x)\nq = h*h + b\nz = 3 * 4\nq + z + pi",
            {"x": 0.5, "y": 4.2, "w": 0.3})  # fmt: skip


def rendered(renderable, width: int = 120) -> str:
    """What Rich's recording console shows (plain text, trailing padding removed)."""
    console = Console(record=True, width=width, file=io.StringIO(), highlight=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().split("\n"))


def tree(ev, *args, **kwargs) -> str:
    return plain_text(tree_lines(ev, *args, **kwargs))


def ev_of(case):
    source, point = case
    return evaluate(parse(source), point)


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


# ---- exact small pictures -----------------------------------------------------------------------


@pytest.mark.parametrize("ascii", [False, True], ids=["unicode", "ascii"])
def test_seed_tree_is_exact(ascii):
    text = tree(ev_of(SEED), ascii=ascii)
    assert text == golden(f"seed_tree_{'ascii' if ascii else 'unicode'}.txt")


@pytest.mark.parametrize("ascii", [False, True], ids=["unicode", "ascii"])
def test_seed_trace_is_exact(ascii):
    text = rendered(trace(ev_of(SEED), ascii=ascii))
    assert text == golden(f"seed_trace_{'ascii' if ascii else 'unicode'}.txt")


def test_bindings_tree_is_exact():
    # Names of bindings (two names for one node), a shared binding, constants with their true
    # local derivatives (never a misleading 0), a named constant.
    assert tree(ev_of(BINDINGS), ascii=True) == golden("bindings_tree_ascii.txt")


def test_seed_trace_checks_by_hand():
    text = rendered(trace(ev_of(SEED), ascii=True))
    x, y = 0.5, 4.2
    # x̄ = ȳ... = y + cos(x): the two terms, in the engine's order, and their sum.
    assert f"df/dx = {math.cos(x)!r} + {y!r} = {y + math.cos(x)!r}" in text
    assert f"df/dy = {x!r}" in text
    assert f"x += 1.0 * {math.cos(x)!r}" in text


def test_unicode_guides_and_ascii_guides():
    unicode_text = tree(ev_of(SEED))
    ascii_text = tree(ev_of(SEED), ascii=True)
    assert "├── " in unicode_text and "└── " in unicode_text and "↑ (shown above)" in unicode_text
    assert "|-- " in ascii_text and "`-- " in ascii_text and "x (shown above)" in ascii_text
    assert ascii_text.isascii()
    assert rendered(trace(ev_of(SEED), ascii=True)).isascii()


def test_shared_nodes_keep_the_tree_linear():
    # a_k = a_{k-1} * a_{k-1}: 2^40 paths from the output to x, 41 nodes, 81 edges.
    levels = 40
    source = "a0 = x\n" + "".join(f"a{k} = a{k - 1} * a{k - 1}\n" for k in range(1, levels + 1))
    ev = evaluate(parse(source + f"a{levels}"), {"x": 1.0})
    text = tree(ev, depth=None, max_nodes=None, ascii=True)
    # Past PART_DEPTH levels the inputs continue as a part: a blank line and the part's root.
    parts = text.split("\n\n")
    assert len(parts) == 2 and parts[1].startswith(f"a{levels - PART_DEPTH} (continued from above")
    lines = [line for line in text.strip("\n").split("\n") if "(continued from above" not in line]
    lines = [line for line in lines if line]
    assert len(lines) == 2 * levels + 1  # one line per edge, plus the root
    assert sum("(shown above)" in line for line in lines) == levels
    assert "more node" not in text


def test_constant_children_show_their_true_local_derivative():
    ev = ev_of(("x^2", {"x": 0.5}))
    data = graph_data(ev)
    power = data["nodes"][data["output"]]
    assert power["inputs"][1][1] == pytest.approx(0.25 * math.log(0.5))  # ∂(x^c)/∂c
    assert data["nodes"][1]["adjoint"] == pytest.approx(0.25 * math.log(0.5))
    # Where the rule is undefined (log of a negative base), JSON says null and the tree says so.
    data = graph_data(ev_of(("x^2", {"x": -1.0})))
    assert data["nodes"][2]["inputs"][1][1] is None and data["nodes"][1]["adjoint"] is None
    text = tree(ev_of(("x^2", {"x": -1.0})), ascii=True)
    assert "g=undefined  2  adjoint undefined (not needed: a constant)" in text


def test_cut_tree_counts_every_hidden_node():
    source = "t0 = x\n" + "".join(f"t{i + 1} = t{i}*0.5 + sin(t{i})*y\n" for i in range(50))
    ev = evaluate(parse(source + "t50"), {"x": 0.1, "y": 0.2})
    text = tree(ev, depth=3, max_nodes=None, ascii=True)
    total = len(ev.program.tape)
    drawn = len(re.findall(r"adjoint", text))
    hidden = sum(int(n.replace(",", "")) for n in re.findall(r"\.\.\. ([\d,]+) more node", text))
    assert drawn + hidden == total
    assert f"drew {drawn} of {total:,} nodes (--depth 3)" in text
    text = tree(ev, depth=None, max_nodes=10, ascii=True)
    assert "(stopped at --max-nodes 10)" in text


# ---- DOT ----------------------------------------------------------------------------------------

DOT_TOKEN = re.compile(
    r'\s*(?:(->)|([{}\[\];,=])|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_.]*|-?[\d.]+))'
)


# One line of adcli's DOT: a node with its label, or an edge with its g_weight.
DOT_LINE = re.compile(
    r'  n(\d+) \[label="(?:[^"\\]|\\.)*", shape=\w+(?:, peripheries=2)?\];'
    r'|  n\d+ -> n(\d+) \[label="[^"\\]*"\];'
)


def parse_dot(text: str) -> tuple[dict[str, dict], list[tuple[str, str, dict]]]:
    """A strict little parser for the DOT subset adcli writes: nodes and edges with attributes.
    Raises AssertionError on anything else (unbalanced quotes, stray tokens, unknown nodes)."""
    tokens, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        m = DOT_TOKEN.match(text, pos)
        assert m and m.end() > pos, f"bad DOT at {text[pos : pos + 40]!r}"
        tokens.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
    it = iter(tokens)

    def take(expected=None):
        tok = next(it)
        assert expected is None or tok == expected, (tok, expected)
        return tok

    def attrs() -> dict:
        out = {}
        tok = take()
        while tok != "]":
            key = tok
            take("=")
            value = take()
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            out[key] = value
            tok = take()
            if tok == ",":
                tok = take()
        return out

    take("digraph"), take(), take("{")
    nodes, edges = {}, []
    tok = take()
    while tok != "}":
        if tok in ("graph", "node", "edge"):
            take("["), attrs()
        else:
            nxt = take()
            if nxt == "->":
                target = take()
                take("[")
                edges.append((tok, target, attrs()))
            else:
                assert nxt == "[", nxt
                nodes[tok] = attrs()
        take(";")
        tok = take()
    assert next(it, None) is None
    for a, b, _ in edges:
        assert a in nodes and b in nodes, (a, b)
    return nodes, edges


SAMPLES = [
    SEED,
    BINDINGS,
    ("x*x", {"x": 3.0}),
    ("-x^2 + atan2(y, x) / log(x, 2)", {"x": 3.0, "y": 1.0}),
    ("0*sqrt(x)", {"x": 0.0}),
]


@pytest.mark.parametrize("case", SAMPLES, ids=[s for s, _ in SAMPLES])
def test_dot_parses_and_carries_the_numbers(case):
    ev = ev_of(case)
    nodes, edges = parse_dot(dot(ev))
    tape = ev.program.tape
    assert len(nodes) == len(tape)
    assert len(edges) == sum(len(ev.inputs_of(i)) for i in range(len(tape)))
    out = nodes[f"n{ev.program.output}"]
    assert out.get("peripheries") == "2"
    assert f"adjoint {ev.adjoint[ev.program.output]!r}" in out["label"]


def test_seed_dot_is_exact():
    assert dot(ev_of(SEED)) == golden("seed.dot")


def test_dot_string_escapes():
    assert dot_string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    nodes, _ = parse_dot("digraph g {\n  n0 [label=" + dot_string('say "hi" \\ ok') + "];\n}\n")
    assert nodes["n0"]["label"] == 'say "hi" \\ ok'


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot():
    for case in SAMPLES:
        done = subprocess.run(
            ["dot", "-Tsvg"], input=dot(ev_of(case)), capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 0 and not done.stderr, done.stderr
        assert "<svg" in done.stdout


# ---- through the console script -----------------------------------------------------------------


def test_cli_tree_on_a_pipe_is_plain_ascii():
    done = run_adcli("tree", "x*y+sin(x)", "--x", "0.5", "--y", "4.2")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == golden("seed_tree_ascii.txt")


def test_cli_trace_on_a_pipe_is_plain_ascii():
    done = run_adcli("trace", "x*y+sin(x)", "x=0.5", "y=4.2", env={"NO_COLOR": ""})
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == golden("seed_trace_ascii.txt")
    assert not any(line != line.rstrip() for line in done.stdout.split("\n"))


@pytest.mark.parametrize("case", [SEED, BINDINGS, ("x*x - 2", {"x": 3.0})])
@pytest.mark.parametrize("max_steps", [None, 40, 3])
def test_plain_trace_is_rich_layout(case, max_steps):
    # A pipe gets trace_text (one pass, any size); it must read exactly as Rich draws it.
    ev = ev_of(case)
    assert trace_text(ev, max_steps) == rendered(trace(ev, max_steps, ascii=True), width=1000)


def test_cli_forced_colour_keeps_unicode_unless_told():
    env = {"NO_COLOR": "", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    done = run_adcli("tree", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", env=env)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    assert "\x1b[" in done.stdout and "├── " in plain
    done = run_adcli("tree", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--ascii", env=env)
    assert "|-- " in re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    done = run_adcli("tree", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", env={**env, "TERM": "dumb"})
    assert "|-- " in done.stdout


def test_cli_json_shape():
    done = run_adcli("tree", "h = x*y; h + sin(x)", "--x", "0.5", "--y", "4.2", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("}\n") and done.stdout.count("\n") == 1
    data = strict_json(done.stdout)
    assert set(data) == {"nodes", "output"}
    assert [n["id"] for n in data["nodes"]] == list(range(len(data["nodes"])))
    x, _y, h, s, out = data["nodes"]
    assert x == {"id": 0, "op": "input", "name": "x", "value": 0.5,
                 "adjoint": 4.2 + math.cos(0.5), "inputs": [], "at": "1:5"}  # fmt: skip
    assert h["name"] == "h" and h["op"] == "mul" and h["inputs"] == [[0, 4.2], [1, 0.5]]
    assert s["op"] == "sin" and s["inputs"] == [[0, math.cos(0.5)]] and "name" not in s
    assert data["output"] == out["id"] == 4 and out["adjoint"] == 1.0
    # trace --json is the same graph
    again = run_adcli("trace", "h = x*y; h + sin(x)", "--x", "0.5", "--y", "4.2", "--json")
    assert again.stdout == done.stdout


def test_cli_json_non_finite_g_weight_is_null():
    done = run_adcli("tree", "0*sqrt(x)", "--x", "0", "--json")
    assert done.returncode == 0, done.stderr
    sqrt = strict_json(done.stdout)["nodes"][2]
    assert sqrt["op"] == "sqrt" and sqrt["inputs"] == [[1, None]]


def test_cli_dot_pipes_into_graphviz():
    done = run_adcli("dot", "x*y+sin(x)", "--x", "0.5", "--y", "4.2")
    assert done.returncode == 0 and done.stdout == golden("seed.dot")


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["tree", "log(x)", "--x", "-1"], 1, "adcli: log at 1:1: argument -1 is not > 0"),
        (["trace", "x + q", "--x", "1"], 2, "adcli: unbound name 'q' at 1:5"),
        (["dot", "x +", "--x", "1"], 2, "adcli: "),
        (["tree", "x", "--x", "1", "--depth", "-1"], 2, "adcli: --depth: expected"),
        (["trace", "x", "--x", "1", "--max-steps", "0"], 2, "adcli: --max-steps: expected"),
    ],
)
def test_cli_errors(args, status, message):
    done = run_adcli(*args)
    assert done.returncode == status and done.stdout == ""
    assert done.stderr.startswith(message) and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["tree", "trace", "dot"])
def test_cli_help(command):
    done = run_adcli(command, "--help")
    assert done.returncode == 0 and "Usage: adcli " + command in done.stdout


def test_deep_programs_through_the_cli(tmp_path):
    """A 10,000-deep nesting (ten times what any recursion on depth survives): tree and
    trace are cut with a summary, dot and --json are whole."""
    n = 10_000
    program = tmp_path / "deep.adc"
    program.write_text("sin(" * n + "x" + ")" * n)
    commands = {
        "tree": ["tree"],
        "trace": ["trace"],
        "dot": ["dot"],
        "json": ["tree", "--json"],
    }
    out = {}
    for name, args in commands.items():
        done = run_adcli(*args, "-f", str(program), "--x", "0.1")
        assert done.returncode == 0 and done.stderr == "", (name, done.stderr)
        out[name] = done.stdout
    assert out["tree"].count("\n") < 40
    assert f"drew 21 of {n + 1:,} nodes (--depth 20)" in out["tree"]
    assert out["trace"].count("\n") < 120 and f"{n - 39:,} steps not shown" in out["trace"]
    lines = out["dot"].split("\n")
    assert lines[0] == "digraph adcli {" and lines[-2:] == ["}", ""]
    body = [line for line in lines[1:-2] if not line.startswith(("  graph ", "  node ", "  edge "))]
    kinds = [DOT_LINE.fullmatch(line) for line in body]
    assert all(kinds), next(line for line, k in zip(body, kinds) if not k)
    assert sum(k.group(1) is not None for k in kinds) == n + 1  # every node
    assert sum(k.group(2) is not None for k in kinds) == n  # every edge
    parse_dot("\n".join([*lines[:50], "}", ""]))  # and the head is DOT by the full parser
    data = strict_json(out["json"])
    assert len(data["nodes"]) == n + 1 and data["output"] == n
    assert data["nodes"][0]["adjoint"] == pytest.approx(
        math.prod(math.cos(v["value"]) for v in data["nodes"][:-1])
    )


# ---- array inputs: the views, check and jvp see the lowered program's elements -----------------


def test_tree_trace_dot_draw_array_elements_by_name():
    done = run_adcli("tree", "sum(x*x) + y", "--x", "[1, 2]", "--y", "3")
    assert done.returncode == 0, done.stderr
    assert "x[0] = 1.0  adjoint 2.0" in done.stdout and "x[1] = 2.0  adjoint 4.0" in done.stdout
    data = strict_json(run_adcli("trace", "sum(x*x)", "--x", "[1, 2]", "--json").stdout)
    assert [n["name"] for n in data["nodes"] if n["op"] == "input"] == ["x[0]", "x[1]"]
    assert (
        'label="x[1]\\nvalue 2.0\\nadjoint 4.0"' in run_adcli("dot", "sum(x*x)", "x=[1,2]").stdout
    )
    done = run_adcli("tree", "x[0]*2", "--x", "1")  # a scalar bound where an array is used
    assert done.returncode == 2 and "cannot index a scalar at 1:2" in done.stderr


def test_check_and_jvp_take_arrays_element_by_element():
    done = run_adcli("check", "sum(x*x) + y", "--x", "[1, 2]", "--y", "3", "--json")
    report = strict_json(done.stdout)
    assert (
        done.returncode == 0 and report["ok"] and report["gradient"] == {"x": [2.0, 4.0], "y": 1.0}
    )
    assert list(report["check"]) == ["x[0]", "x[1]", "y"]  # the rows stay by element
    done = run_adcli("jvp", "sum(x*x) + y", "--x", "[1, 2]", "--y", "3", "--dx", "[0.5, 1]",
                     "--dy", "2", "--json")  # fmt: skip
    answer = strict_json(done.stdout)
    assert answer["jvp"] == 2.0 * 0.5 + 4.0 * 1 + 2 and answer["direction"] == {
        "x": [0.5, 1.0],
        "y": 2.0,
    }
    done = run_adcli("jvp", "sum(x*x)", "--x", "[1, 2]", "--dx", "1")
    assert done.returncode == 2 and "must be a vector of 2, like x; got a scalar" in done.stderr

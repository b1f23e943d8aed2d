"""Array inputs cost memory for their numbers, not Python objects per element (issue 12 point 4):
a lowered program binds each array as a block of consecutive INPUT nodes (``adcli.elements``),
and element names (``x[3]``) are made only where they are shown.  Memory is measured in-process
with tracemalloc (allocations, not timing): per element, bounds the old per-element names,
dictionary entries and floats (about 400 bytes an element more) cannot meet."""

from __future__ import annotations

import json
import random
import tracemalloc
from array import array

import pytest
from conftest import run_adcli

from adcli.arrays import lower
from adcli.elements import Flat, NodeNames
from adcli.engine import gradient, hessian
from adcli.engine.evaluation import evaluate
from adcli.parse import parse
from adcli.values import ArrayValue, element_names

N = 200_000


def vector(n: int, seed: int = 3) -> ArrayValue:
    rng = random.Random(seed)
    return ArrayValue((n,), array("d", (rng.uniform(-2, 2) for _ in range(n))))


def peak_bytes(action) -> tuple[object, int]:
    """``action()`` and the peak of what it allocated (tracemalloc), in bytes."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = action()
        return result, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_lowering_binds_an_array_as_one_block_of_nodes():
    x = vector(1000)
    lw = lower(parse("y = x^2; sum(y) + c"), {"x": x, "c": 2.0})
    inputs = lw.program.inputs
    assert type(inputs) is Flat and type(lw.point) is Flat
    (shape, nodes), (c_shape, c_node) = inputs.blocks["x"], inputs.blocks["c"]
    assert shape == (1000,) and type(nodes) is range and len(nodes) == 1000
    assert c_shape == () and type(c_node) is int
    assert lw.point.blocks["x"][1] is x.data  # the point holds the input's own doubles
    bound = lw.program.bind(lw.point)
    assert len(bound) == 2 and bound[nodes.start] is x.data  # one entry for 1000 elements
    # No name string was made: the tape's element names wait for a reader.
    names = lw.program.tape.names
    assert type(names) is NodeNames and not any(
        type(v) is str and "[" in v for v in names._names.values()
    )
    # ...and read, they are the old ones: x[k] on input nodes, y[k] on the squares.
    assert names[nodes.start + 3] == "x[3]"
    assert list(inputs)[:3] == ["x[0]", "x[1]", "x[2]"] and list(inputs)[-1] == "c"
    assert inputs["x[999]"] == nodes.stop - 1 and lw.point["x[7]"] == x.data[7]
    assert dict(inputs.items()) == {**dict(zip(element_names("x", (1000,)), nodes)), "c": c_node}
    assert "y[0]" in lw.program.bindings and names[lw.program.bindings["y[5]"]] == "y[5]"


@pytest.mark.parametrize(
    "key", ["x", "x[03]", "x[ 3]", "x[3,]", "x[1000]", "x[-1]", "x[٣]", "z[0]"]
)
def test_only_the_names_lowering_makes_are_keys(key):
    lw = lower(parse("sum(x)"), {"x": vector(1000)})
    assert key not in lw.program.inputs and lw.program.inputs.get(key) is None


def test_matrix_element_names_and_gradient_slices():
    w = ArrayValue((2, 3), array("d", [1, 2, 3, 4, 5, 6]))
    lw = lower(parse("sum(W^2)"), {"W": w})
    assert list(lw.program.inputs) == element_names("W", (2, 3))
    assert lw.program.inputs["W[1,0]"] == lw.program.inputs.blocks["W"][1][3]
    result = gradient(lw.program, lw.point)
    assert type(result.gradient) is Flat and result.gradient.blocks["W"][1].typecode == "d"
    assert dict(result.gradient.items()) == {
        f"W[{r},{c}]": 2.0 * w.data[3 * r + c] for r in range(2) for c in range(3)
    }
    assert lw.shaped(result.gradient) == {"W": [[2.0, 4.0, 6.0], [8.0, 10.0, 12.0]]}
    # Hessians and views still name every element.
    _, matrix = hessian(lw.program, lw.point, list(lw.program.inputs))
    assert list(matrix) == element_names("W", (2, 3)) and matrix["W[0,1]"]["W[0,1]"] == 2.0
    assert evaluate(lw.program, lw.point).names[lw.program.inputs["W[0,2]"]] == ("W[0,2]",)


def test_a_scalar_only_lowering_keeps_plain_dicts():
    lw = lower(parse("sum([x, y])"), {"x": 1.0, "y": 2.0})
    assert type(lw.program.inputs) is dict and type(lw.point) is dict
    assert gradient(lw.program, lw.point).gradient == {"x": 1.0, "y": 1.0}


def test_a_non_finite_partial_is_still_diagnosed():
    lw = lower(parse("sum(sqrt(x))"), {"x": ArrayValue((3,), array("d", [1.0, 0.0, 4.0]))})
    with pytest.raises(Exception, match="sqrt"):
        gradient(lw.program, lw.point)


def test_lowering_memory_is_the_tapes_not_objects_per_element():
    """sum(x^2) is 3 nodes an element on the tape (21 bytes a node): about 63 bytes an element
    plus the lowering's index arrays; an element name, dict entries and a float cost ~400."""
    x = vector(N)
    program = parse("sum(x^2)")
    lw, peak = peak_bytes(lambda: lower(program, {"x": x}))
    assert len(lw.program.tape) == 3 * N
    assert peak / N < 120, f"lowering allocated {peak / N:.0f} bytes an element"


def test_eval_json_memory_per_element(tmp_path):
    """``eval --json --data`` end to end in-process: the tape, the sweeps' arrays (32 bytes a
    node) and the JSON text; per-element names, dicts and point floats pushed it past 500."""
    x = vector(N)
    path = tmp_path / "x.csv"
    path.write_text("x\n" + "\n".join(map(repr, x.data)) + "\n")
    run_adcli("eval", "sum(x^2)", "--x", "[1, 2]", "--json")  # imports outside the measurement
    done, peak = peak_bytes(lambda: run_adcli("eval", "sum(x^2)", "--data", str(path), "--json"))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["gradient"]["x"][:3] == [2.0 * v for v in x.data[:3]]
    assert peak / N < 330, f"eval --json allocated {peak / N:.0f} bytes an element at its peak"


def test_jvp_seeds_an_array_direction_as_a_block():
    from adcli.commands.jvp import element_direction, jvp_at

    x = ArrayValue((4,), array("d", [1, 2, 3, 4]))
    v = ArrayValue((4,), array("d", [1, 0, -1, 0.5]))
    flat = element_direction({"x": v, "c": 2.0}, {"x": (4,)})
    assert type(flat) is Flat and flat.blocks["x"][1] is v.data and flat["x[2]"] == -1.0
    value, derivative, full, _ = jvp_at(
        parse("sum(x*x) + c*y"), {"x": x, "c": 3.0, "y": 1.0}, {"x": v}
    )
    assert value == 33.0 and derivative == 2 * (1 - 3 + 2)  # ∇f·v = Σ 2 x_k v_k
    assert dict(full.items()) == {**dict(zip(element_names("x", (4,)), v.data)), "c": 0.0, "y": 0.0}


def test_a_finite_difference_moves_one_block():
    x = ArrayValue((3,), array("d", [1.0, 2.0, 3.0]))
    lw = lower(parse("sum(x^2) + c"), {"x": x, "c": 1.0})
    moved = lw.point.replace("x[2]", 9.0)
    assert type(moved) is Flat and moved["x[2]"] == 9.0 and lw.point["x[2]"] == 3.0
    assert moved.blocks["c"] is lw.point.blocks["c"] and lw.point.blocks["x"][1] is x.data
    assert lw.point.replace("c", 5.0)["c"] == 5.0 and lw.point.replace("z", 1.0)["z"] == 1.0
    done = run_adcli("check", "sum(x^2) + c", "--x", "[1, 2, 3]", "--c", "1", "--json")
    assert json.loads(done.stdout)["ok"] is True

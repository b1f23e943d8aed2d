"""The compiled sweeps give Python's bits: the generated rules, row by row, and whole programs.

Differential tests: each compares the compiled path (``adcli._csweep``, forced on for every tape
size) with the pure-Python one on the same tape at the same point — values, g_weights, adjoints
(bit for bit, as bytes) or the same error (kind and message).  They skip with a reason where the
compiled core is not built or ``ADCLI_PURE=1`` forces pure Python; the check that the generated
header is current runs everywhere.
"""

from __future__ import annotations

import math
import os
import random
import struct
import zlib
from array import array
from contextlib import contextmanager

import fuzzing
import pytest
import strategies
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adcli import native
from adcli.codegen import native_rules
from adcli.engine import sweep
from adcli.errors import AdcliError
from adcli.parse import parse
from adcli.primitives import ARITIES, FLOAT, INPUT, TABLE

compiled = native.load("_csweep")
needs_compiled = pytest.mark.skipif(
    compiled is None, reason=f"the compiled sweeps are not loaded: {native.describe()}"
)
COMPILED_ROWS = [p for p in TABLE if not native_rules.trace(p).reason]


def test_the_generated_rules_are_current():
    with open(native_rules.HEADER, encoding="utf-8") as header:
        assert header.read() == native_rules.generate(), (
            "adcli/_native/rules.h is stale: python -m adcli.codegen.native_rules"
        )


def test_only_rows_without_a_c_twin_are_left_out():
    left_out = {p.call_name for p in TABLE} - {p.call_name for p in COMPILED_ROWS}
    assert left_out == {"atan", "asinh", "atan2", "hypot"}  # each names F.hypot or is hypot


@needs_compiled
def test_the_module_was_built_from_this_table():
    assert native_rules.rows_signature() == compiled.ROWS


@contextmanager
def path(on: bool):
    saved = sweep.COMPILED_FROM
    sweep.COMPILED_FROM = 0 if on else math.inf
    try:
        yield
    finally:
        sweep.COMPILED_FROM = saved


def outcome(run):
    try:
        return run()
    except (AdcliError, ArithmeticError, ValueError) as exc:
        return type(exc).__name__, str(exc)


def gradient_bits(program, point, need=None):
    def run():
        tape = program.tape
        tape.cache.clear()  # the activity mask too is computed on this path
        s = sweep.forward(tape, program.bind(point), program.source, need)
        adjoint = sweep.backward(tape, s, program.output)
        sweep.check_gradient(tape, s, adjoint, program.inputs.values(), program.source)
        mask = sweep.needed_partials(tape)
        return tuple(a.tobytes() for a in (mask, s.values, s.g0, s.g1, adjoint))

    return outcome(run)


def same_on_both_paths(program, point, need=None):
    with path(True):
        fast = gradient_bits(program, point, need)
    with path(False):
        slow = gradient_bits(program, point, need)
    assert fast == slow


# ---- row by row: the generated C rule against the row's float function and partials --------


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


SPECIAL = (0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 1e-310, -1e-310, 1e300, -1e300, 710.0, 1e-8)


def samples(arity: int, count: int, seed: int):
    rng = random.Random(seed)
    for x in SPECIAL:
        for y in SPECIAL[: 6 if arity == 2 else 1]:
            yield (x, y)[:arity]
    for _ in range(count):
        yield tuple(
            rng.choice((rng.uniform(-3, 3), rng.uniform(-1, 1), rng.uniform(0, 50)))
            * 10 ** rng.choice((0, 0, 0, -5, 5, -200, 200))
            for _ in range(arity)
        )


def one_node(p, args, need):
    """The row's node on a three-node tape, by C: (ok, value, g0, g1)."""
    code = TABLE.index(p) + 2
    op = array("B", [INPUT, INPUT, code])
    arg0, arg1 = array("i", [-1, -1, 0]), array("i", [-1, -1, 1 if p.arity == 2 else -1])
    values = array("d", [args[0], args[-1], 0.0])
    g0, g1 = array("d", bytes(24)), array("d", bytes(24))
    ok = compiled.forward(op, arg0, arg1, array("B", [0, 0, need]), values, g0, g1)
    return ok, values[2], g0[2], g1[2]


def python_node(p, args, need):
    """The same by the row's own float function and rules: None where Python raises."""
    try:
        v = p.fn(*args)
        g = [p.partials[s](FLOAT, *args, v) if need >> s & 1 else 0.0 for s in range(p.arity)]
    except (ArithmeticError, ValueError):
        return None
    return v, *g, *[0.0] * (2 - p.arity)


@needs_compiled
@pytest.mark.parametrize("p", COMPILED_ROWS, ids=lambda p: f"{p.call_name}/{p.arity}")
def test_each_compiled_row_gives_pythons_bits(p):
    checked = 0
    for args in samples(p.arity, 1500, seed=zlib.crc32(p.call_name.encode())):
        for need in (1, 2, 3) if p.arity == 2 else (1,):
            ok, *c = one_node(p, args, need)
            py = python_node(p, args, need)
            if py is None or not all(math.isfinite(v) for v in py):
                assert not ok, (p.name, args, need, c)  # C leaves it to Python
                continue
            if ok:  # else a spurious IEEE flag: Python does it, no harm
                assert [bits(v) for v in c] == [bits(float(v)) for v in py], (p.name, args)
                checked += 1
    assert checked > 300  # the common case runs in C


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(COMPILED_ROWS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
)
def test_compiled_rows_on_any_floats(p, x, y):
    args = (x, y)[: p.arity]
    need = 3 if p.arity == 2 else 1
    ok, *c = one_node(p, args, need)
    py = python_node(p, args, need)
    if py is None or not all(math.isfinite(v) for v in py):
        assert not ok
    elif ok:
        assert [bits(v) for v in c] == [bits(float(v)) for v in py]


# ---- whole programs ---------------------------------------------------------------------------

UNARY = tuple(f"{name}({{}})" for name, arities in sorted(ARITIES.items()) if 1 in arities)
OPERATORS = ("({} + {})", "({} - {})", "({} * {})", "({} / {})", "({} ^ {})")
BINARY = (
    *OPERATORS,
    *(f"{name}({{}}, {{}})" for name, arities in sorted(ARITIES.items()) if 2 in arities),
)
VALUES = st.one_of(
    st.sampled_from((0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 1e-300, 800.0)),
    st.floats(-4.0, 4.0, allow_nan=False),
)


# Built once (a strategy built per example costs hypothesis ~0.1 s each): a binding, then the output.
CONSTANTS = ("0", "1", "2", "0.5", "pi")
FIRST = strategies.expressions(("x", "y", "z"), CONSTANTS, UNARY, BINARY, max_leaves=10)
OUTPUT = strategies.expressions(("x", "y", "t"), CONSTANTS, UNARY, BINARY, max_leaves=10)


@needs_compiled
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(FIRST, OUTPUT, VALUES, VALUES, VALUES, st.booleans())
def test_generated_programs_agree(first, output, x, y, z, everything):
    program = parse(f"t = {first}\n{output}")
    point = {name: v for name, v in zip(("x", "y", "z"), (x, y, z)) if name in program.inputs}
    same_on_both_paths(program, point, "all" if everything else None)


@needs_compiled
def test_the_fuzz_corpus_agrees():
    rng = random.Random(15)
    for k in range(600):
        text = fuzzing.program(rng) if k % 4 else rng.choice(fuzzing.VALID)
        try:
            program = parse(text)
        except AdcliError:
            continue
        point = {name: float(fuzzing.value(rng)) for name in program.inputs}
        same_on_both_paths(program, point)


def bench_workloads():
    import importlib.util

    spec = importlib.util.spec_from_file_location("workloads", ROOT / "bench" / "workloads.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WORKLOADS


# 10^6 nodes too with ADCLI_SLOW_TESTS=1 (the pure sweeps take 1-3 s a workload there).
SIZES = [10**5, *([10**6] if os.environ.get("ADCLI_SLOW_TESTS") else [])]


@needs_compiled
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["wide", "deep", "mlp"])
def test_large_workloads_run_in_c_and_agree(name, size):
    workload = bench_workloads()[name]
    p = workload.params(size)
    program = parse(workload.text(p))
    point = workload.point(p)
    tape = program.tape
    need = sweep.needed_partials(tape)
    values, g0, g1 = sweep._start(tape, program.bind(point))
    assert compiled.forward(tape.op, tape.arg0, tape.arg1, need, values, g0, g1)  # no bail
    same_on_both_paths(program, point)


@needs_compiled
def test_binding_in_c_sets_what_python_sets():
    template = array("d", [0.5] * 12)
    inputs = {0: 1.25, 3: array("d", [2.0, -3.0, 4.5]), 11: -0.0}
    fast, slow = template[:], template[:]
    assert compiled.bind(fast, inputs)
    for node, value in inputs.items():
        if type(value) is array:
            slow[node : node + len(value)] = value
        else:
            slow[node] = value
    assert fast.tobytes() == slow.tobytes()
    for odd in ({1: 2}, {1: "2.0"}, {11: array("d", [1.0, 2.0])}, {12: 1.0}, {1: array("i", [1])}):
        assert not compiled.bind(template[:], odd)  # Python's loop does these (or refuses them)


@needs_compiled
@pytest.mark.parametrize("command", ["eval", "hessian"])
def test_the_command_line_says_the_same_on_both_paths(command):
    """What a user sees — numbers, tables, error messages with their line:col — whichever path
    sweeps (the parser's threshold kept: only the sweeps differ here)."""
    rng = random.Random(151)
    for k in range(120):
        text = fuzzing.program(rng) if k % 3 else rng.choice(fuzzing.VALID)
        args = [command, text, *fuzzing.bindings(rng), *(["--json"] if k % 2 else [])]
        with path(True):
            fast = fuzzing.run_inprocess(args)
        with path(False):
            slow = fuzzing.run_inprocess(args)
        assert (fast.status, fast.stdout, fast.stderr) == (slow.status, slow.stdout, slow.stderr)

"""The compiled gradient's floats (Grisu3, else dtoa: adcli/_native/float_repr.h) are repr's bytes.

``_cjson.gradient`` writes every float of ``{"value": v, "gradient": {...}}`` itself; here it is
driven with adjoint arrays of chosen doubles and each float it wrote is compared with ``repr``:
hypothesis doubles and bit patterns, hand-picked edges (zeros, subnormals, every power of two and
of ten with its neighbours, values Grisu3 declines), and large random samples in one call.  The
cached powers of ten it uses are generated (adcli/codegen/native_powers.py): the checked-in header
must be what the generator writes.
"""

from __future__ import annotations

import math
import os
import random
import struct
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adcli import native
from adcli.codegen import native_powers

cjson = native.load("_cjson")
needs_compiled = pytest.mark.skipif(
    cjson is None, reason=f"the compiled JSON is not loaded: {native.describe()}"
)

_names: dict[str, int] = {}


def names(n: int) -> dict[str, int]:
    """``{"x0": 0, ..., "x<n-1>": n-1}`` (built once, at the largest size asked for)."""
    global _names
    if len(_names) < n:
        _names = dict(zip(map("x{}".format, range(n)), range(n)))
    return _names if len(_names) == n else dict(zip(list(_names)[:n], range(n), strict=True))


def mismatches(values: list[float], value: float = 0.5) -> list[tuple[str, str, str]]:
    """``(hex, written, repr)`` for each float gradient() writes otherwise than repr does."""
    finite = [x for x in values if math.isfinite(x)] or [0.0]  # gradient() needs an input
    text = cjson.gradient(value, names(len(finite)), array("d", finite))
    head, tail = '{"value": ', "}}"
    assert text.startswith(head) and text.endswith(tail), text[:80]
    written_value, _, body = text[len(head) : -len(tail)].partition(', "gradient": {')
    written = [item.partition(": ")[2] for item in body.split(", ")]
    assert len(written) == len(finite)
    bad = [(x.hex(), w, repr(x)) for x, w in zip(finite, written, strict=True) if w != repr(x)]
    if written_value != repr(value):
        bad.append((value.hex(), written_value, repr(value)))
    return bad


def doubles(bits: list[int]) -> list[float]:
    return [struct.unpack("<d", struct.pack("<Q", b))[0] for b in bits]


def test_the_generated_powers_are_current():
    with open(native_powers.HEADER, encoding="utf-8") as header:
        assert header.read() == native_powers.generate(), (
            "adcli/_native/powers.h is stale: python -m adcli.codegen.native_powers"
        )


def test_the_powers_are_the_nearest_64_bit_significands():
    for k in (-348, -1, 0, 1, 27, 28, 340):
        f, e = native_powers.power(k)
        assert 1 << 63 <= f < 1 << 64
        exact = 10**k * 2**-e if k >= 0 and e <= 0 else None
        if exact is not None:
            assert f == exact  # small powers of ten are exact
        # |f * 2**e - 10**k| <= 2**e / 2, in integers: |2 f 2**e - 2 * 10**k| <= 2**e
        lhs = abs(2 * f * 10 ** max(-k, 0) * 2 ** max(e, 0) - 2 * 10 ** max(k, 0) * 2 ** max(-e, 0))
        assert lhs <= 10 ** max(-k, 0) * 2 ** max(e, 0)


LAYOUT = [
    (0.0, "0.0"), (-0.0, "-0.0"), (0.1, "0.1"), (100.0, "100.0"), (1234.5, "1234.5"),
    (0.0001, "0.0001"), (1e-05, "1e-05"), (1e15, "1000000000000000.0"), (1e16, "1e+16"),
    (9999999999999998.0, "9999999999999998.0"), (1.2345678901234567e16, "1.2345678901234568e+16"),
    (-1.5e-7, "-1.5e-07"), (123456789012345680.0, "1.2345678901234568e+17"), (5e-324, "5e-324"),
    (2.0**-1022, "2.2250738585072014e-308"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    (1e100, "1e+100"), (1 / 3, "0.3333333333333333"), (9007199254740993.0, "9007199254740992.0"),
    (0.00012, "0.00012"), (-123.456, "-123.456"), (1e23, "1e+23"),
    (2.0**-25, "2.9802322387695312e-08"), (-1e-300, "-1e-300"), (12.0, "12.0"),
]  # fmt: skip


@needs_compiled
def test_layout_is_reprs():
    assert all(repr(x) == text for x, text in LAYOUT)  # the table itself is right
    text = cjson.gradient(-0.0, names(len(LAYOUT)), array("d", [x for x, _ in LAYOUT]))
    expected = ", ".join(f'"x{i}": {t}' for i, (_, t) in enumerate(LAYOUT))
    assert text == f'{{"value": -0.0, "gradient": {{{expected}}}}}'


def edges() -> list[float]:
    out = []
    for e in range(-1074, 1024):  # every power of two, its neighbours, 1.5 times it
        x = math.ldexp(1.0, e)
        out += [x, math.nextafter(x, 0.0), math.nextafter(x, math.inf), 1.5 * x]
    for k in range(-323, 309):  # every power of ten and its neighbours
        x = float(f"1e{k}")
        out += [x, math.nextafter(x, 0.0), math.nextafter(x, math.inf)]
    out += [m * 5e-324 for m in range(1, 2000)]  # the smallest subnormals
    out += doubles([(1 << 52) - 1, 1 << 52, (1 << 52) + 1, 0x7FEFFFFFFFFFFFFF, 0x7FE0000000000000])
    out += [i / 8 for i in range(1, 4000)] + [i / 10 for i in range(1, 4000)]
    out += [float(2**53 + i) for i in range(-50, 50)] + [float(10**16 + 2 * i) for i in range(50)]
    # Grisu3 declines these (dtoa writes them): a shortest string on the interval's end (1e23),
    # a candidate too close to call (found offline with a counting build).
    out += [1e23, 4.95493e20, 8.2667e20, 1.24104e22, 6.22371e35, 0.000531795, 2.4178516392292583e24]
    out += [4.1045368012983762e-289, 6.169394854663383e-179, 8.535058474086213e242]
    return out + [-x for x in out]


@needs_compiled
def test_edges_are_reprs():
    assert mismatches(edges()) == []


@needs_compiled
@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_any_doubles_are_reprs(values):
    assert mismatches(values, values[0]) == []


@needs_compiled
@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=20))
def test_any_bit_patterns_are_reprs(bits):
    assert mismatches(doubles(bits)) == []


@needs_compiled
def test_large_random_samples_are_reprs():
    n = 250_000
    bits = array("d", os.urandom(8 * n)).tolist()  # any bits (non-finite ones are left out)
    rnd = random.Random(2026)
    uniform = [rnd.uniform(-2.0, 2.0) for _ in range(n)]
    scaled = [rnd.uniform(-1.0, 1.0) * 10.0 ** rnd.randint(-30, 30) for _ in range(n // 5)]
    assert mismatches(bits + uniform + scaled) == []

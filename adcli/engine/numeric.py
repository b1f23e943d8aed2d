"""The table's values and rules on numpy arrays (batch replay) and numpy scalars (IEEE arithmetic
for the rare local derivative that Python floats refuse, ``0.5 / 0.0``).

numpy is passed in, never imported at module level: batch mode must set numpy's CPU features
before the first import (see ``adcli.engine.replay``).
"""

from __future__ import annotations

import math

from ..primitives import BY_CODE, EACH, namespace

_NAMESPACES: dict[int, object] = {}


# Batch must equal eval to the last bit, and eval calls the C library (libm) through ``math``.
# numpy's float64 loops for these call libm too — unless a SIMD loop of numpy's own (AVX-512's
# SVML, or some of numpy's AVX2 loops) was dispatched, which differs in the last bits.  Setting
# NPY_DISABLE_CPU_FEATURES works only before numpy's first import, which a library user or a
# test may already have done; so at first use each ufunc's active dispatch is read from numpy and
# a ufunc running a loop not known to be libm's is replaced by ``fn`` element by element.
# IEEE arithmetic is correctly rounded on every loop; any other ufunc a row names is checked.
_EXACT = frozenset(
    ["add", "subtract", "multiply", "divide", "negative", "sqrt", "abs", "absolute", "sign"]
)
# (ufunc, dispatch target) pairs measured equal to libm (200,000 random points in [-20, 20], every
# one; tests/test_engine.py re-checks every row on the machine it runs on): numpy's AVX2
# builds of these float64 loops call the C library.
_LIBM_LOOPS = frozenset(
    {("exp", "X86_V3"), ("log", "X86_V3"), ("sin", "X86_V3"), ("cos", "X86_V3")}
)
_TRUSTED: dict[tuple[int, str], bool] = {}


def dispatch_target(np, name: str) -> str:
    """The SIMD target numpy runs for ufunc ``name`` on float64 (``baseline`` when none is
    dispatched, ``unknown`` when this numpy cannot say)."""
    try:
        from numpy.lib.introspect import opt_func_info
    except ImportError:  # numpy < 2 cannot say which loop runs (and 1.25's tanh is its own,
        return "unknown"  # 1 ulp off libm's even without AVX-512): trust only the exact ufuncs
    info = opt_func_info(func_name=f"^{name}$", signature="^d+$").get(name)
    if not info:
        return "baseline"  # no dispatched loops at all
    current = {entry["current"] for entry in info.values()}
    if all(c.startswith("baseline") for c in current):
        return "baseline"
    return " ".join(sorted(c for c in current if not c.startswith("baseline")))


def libm_equal(np, name: str) -> bool:
    """Whether numpy's float64 ufunc ``name`` computes what libm (so ``math``) computes."""
    key = (id(np), name)
    found = _TRUSTED.get(key)
    if found is None:
        target = "baseline" if name in _EXACT else dispatch_target(np, name)
        found = _TRUSTED[key] = target == "baseline" or (name, target) in _LIBM_LOOPS
    return found


def vector_fn(np, p):
    """A primitive's value on arrays, as its row declares it (``vfn``): a numpy ufunc's name, a
    function of ``np``, or ``EACH``: the float function element by element (also for a ufunc
    whose active loop is not libm's, see ``libm_equal``)."""
    if p.vfn == EACH or (isinstance(p.vfn, str) and not libm_equal(np, p.vfn)):
        each = np.frompyfunc(_ieee(np, p), p.arity, 1)
        return lambda *args: np.asarray(each(*args), dtype=float)
    if isinstance(p.vfn, str):
        return getattr(np, p.vfn)
    vfn = p.vfn
    return lambda *args: vfn(np, *args)


def _ieee(np, p):
    """``p``'s float function for one element, in IEEE arithmetic: where ``math`` raises (log(0),
    a domain error, an overflow) the answer is numpy's own (-inf, nan, inf), as the array path
    needs — such a row is flagged as non-finite and re-run by the float engine for its message."""
    fn, ufunc = p.fn, getattr(np, p.vfn) if isinstance(p.vfn, str) and p.vfn != EACH else None

    def one(*args):
        try:
            return fn(*args)
        except (ArithmeticError, ValueError):
            if ufunc is None:
                return math.nan
            with np.errstate(all="ignore"):
                return float(ufunc(*args))

    return one


def rules_namespace(np):
    """The backend ``F`` for partial rules on numpy values (built once per numpy module)."""
    found = _NAMESPACES.get(id(np))
    if found is None:
        found = _NAMESPACES[id(np)] = namespace(lambda code: vector_fn(np, BY_CODE[code]))
    return found


def partials_ieee(p, args: tuple[float, ...], value: float) -> tuple[float, ...]:
    """A primitive's local derivatives in IEEE arithmetic: x/0 = ±inf, 0/0 = nan."""
    import numpy as np

    F = rules_namespace(np)
    with np.errstate(all="ignore"):
        xs = [np.float64(a) for a in args]
        return tuple(float(rule(F, *xs, np.float64(value))) for rule in p.partials)

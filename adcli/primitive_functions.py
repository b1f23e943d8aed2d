"""The functions behind the rows of ``adcli.primitives.TABLE`` that are not a library call.

Float values that ``math`` lacks (sigmoid without overflow, xlogy, where's branches...), their
numpy versions (each takes ``np`` first, so numpy stays a lazy import) and the domain messages.
Only the table's rows name them; everything else reads the rows.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

from .text import number


def domain_not(condition: str) -> Callable[[float], str]:
    return lambda x: f"argument {number(x, short=True)} is not {condition}"


def sigmoid(x: float) -> float:
    # Never exp of a large positive number: sigmoid(±1000) is exactly 1 and 0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def softplus(x: float) -> float:
    # log(1 + e^x) without overflow: softplus(1000) = 1000, softplus(-1000) = 0.
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


def step(x: float) -> float:
    return 1.0 if x > 0.0 else 0.0


def xlogy(x: float, y: float) -> float:
    # 0·log(y) is 0 even where log(y) is -inf: so d/dy of x^y at x = 0 is 0, as in PyTorch.
    return 0.0 if x == 0.0 else x * math.log(y)


def log_base(x: float, base: float) -> float:
    return math.log(x) / math.log(base)


def pow_domain(x: float, y: float) -> str:
    if x == 0.0 and y < 0.0:
        return f"zero to a negative power ({number(y, short=True)})"
    if x < 0.0 and y != math.floor(y):
        return (
            f"negative base {number(x, short=True)} to a non-integer power {number(y, short=True)}"
        )
    return f"{number(x, short=True)} ^ {number(y, short=True)} overflows"


def log_base_domain_y(x: float, y: float) -> str:
    return f"argument {number(y, short=True)} is not > 0"


def log_base_domain(x: float, base: float) -> str:
    if x <= 0.0:
        return f"argument {number(x, short=True)} is not > 0"
    return f"base {number(base, short=True)} is not > 0 and != 1"


# numpy versions that are not a single ufunc; ``np`` is passed in so numpy stays a lazy import.
def np_sigmoid(np, x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def np_softplus(np, x):
    return np.where(x > 0, x + np.log1p(np.exp(-np.abs(x))), np.log1p(np.exp(np.minimum(x, 0))))


def np_step(np, x):
    return np.where(x > 0, 1.0, 0.0)


def np_xlogy(np, x, y):
    return np.where(x == 0, 0.0, x * np.log(y))


def np_log_base(np, x, b):
    return np.log(x) / np.log(b)


def np_minmax(pick):
    return lambda np, x, y: getattr(np, pick)(x, y)


def flat2(F, x, y, ans):
    return 0.0


# A comparison is 1.0 or 0.0 (NaN compares false, as in IEEE and numpy); its derivative is 0.
# ``operator.lt`` and its kin compare floats and, elementwise, numpy arrays.
def comparison(name: str, symbol: str) -> tuple:
    """The float function, numpy function and doc of comparison ``name`` (``lt``, ...)."""
    test = getattr(operator, name)
    fn = lambda x, y: 1.0 if test(x, y) else 0.0
    vfn = lambda np, x, y: np.where(test(x, y), 1.0, 0.0)
    return fn, vfn, f"1 if x {symbol} y else 0"


# where's branches: the untaken one is -0.0, the exact additive identity (x + -0.0 is x for every
# x, -0.0 included), so pick(c, a) + unpick(c, b) is bit for bit the branch taken.
def pick(c: float, x: float) -> float:
    return x if c != 0.0 else -0.0


def unpick(c: float, x: float) -> float:
    return x if c == 0.0 else -0.0


def np_pick(np, c, x):
    return np.where(c != 0.0, x, -0.0)


def np_unpick(np, c, x):
    return np.where(c == 0.0, x, -0.0)


def stop(x: float) -> float:
    return x


def np_stop(np, x):
    return np.asarray(x, dtype=float)

"""How to read a primitive's spelling in the languages ``adcli diff --to`` writes, and the helpers.

Each row of ``adcli.primitives.TABLE`` holds its own spellings in ``code``: Python (``math``),
NumPy, C99 (``math.h``) and LaTeX, in that order.  The operators ``+ - * /`` and unary ``-`` are
written as operators in every language (the entry holds the symbol).  Any other entry is a
function name, or for LaTeX a template with ``%0``/``%1`` for the arguments.  A name starting with
``_`` (Python, NumPy) or ``adcli_`` (C) is a helper whose definition, below, is emitted only when
the code uses it: each helper computes exactly what the primitive's float function does (``min``
keeps its first argument on a tie, ``sigmoid`` never overflows), so the generated code agrees with
``adcli eval``.
"""

from __future__ import annotations

import re

from .. import primitive_functions as functions_module
from ..primitives import TABLE, Primitive

LANGUAGE_COLUMN = {"python": 0, "numpy": 1, "c": 2, "latex": 3}


def _row_functions(column: int, field: str) -> dict[str, str]:
    """The helpers that ARE a row's own function (``fn`` for Python, ``vfn`` for NumPy) when it is
    a ``def`` of ``adcli.primitive_functions``: its source, renamed to the row's spelling (a NumPy
    version loses its ``np`` parameter: the generated module imports numpy as ``np``)."""
    import inspect

    out = {}
    for p in TABLE:
        helper, function = p.code[column], getattr(p, field)
        if (
            helper.startswith("_")
            and inspect.isfunction(function)
            and function.__module__ == functions_module.__name__
            and function.__name__ != "<lambda>"
        ):
            source = inspect.getsource(function).rstrip()
            out[helper] = re.sub(r"^def \w+\((np, )?", f"def {helper}(", source, count=1)
    return out


def _comparisons(language: str) -> dict[str, str]:
    """A comparison row's helper, from its name and symbol: 1.0 if it holds, else 0.0."""
    column = LANGUAGE_COLUMN[language]
    body = {
        "python": "def {h}(x, y):\n    return 1.0 if x {s} y else 0.0",
        "numpy": "def {h}(x, y):\n    return np.where(x {s} y, 1.0, 0.0)",
        "c": "static double {h}(double x, double y)\n{{\n    return x {s} y ? 1.0 : 0.0;\n}}",
    }[language]
    return {
        p.code[column]: body.format(h=p.code[column], s=p.symbol)
        for p in TABLE
        if p.symbol and p.code[column] != p.symbol and p.code[column][0] in "_a"
    }


# Helper definitions, emitted (in this order) only when used.  Each is, or mirrors, the float
# function of its row in adcli.primitives, so the numbers are the same.
PYTHON_HELPERS: dict[str, str] = {
    **_row_functions(0, "fn"),
    "_relu": """def _relu(x):
    return x if x > 0.0 else 0.0""",
    **_comparisons("python"),
}

NUMPY_HELPERS: dict[str, str] = {
    **_row_functions(1, "vfn"),
    "_relu": """def _relu(x):
    return np.where(x > 0.0, x, 0.0)""",
    "_min": """def _min(x, y):
    # The first argument on a tie, as Python's min (np.minimum may pick either zero of +-0).
    return np.where(y < x, y, x)""",
    "_max": """def _max(x, y):
    return np.where(y > x, y, x)""",
    "_erf": """# NumPy has no erf; math.erf element by element gives the same numbers as adcli.
_erf = np.vectorize(math.erf, otypes=[float])""",
    **_comparisons("numpy"),
}

C_HELPERS: dict[str, str] = {
    "adcli_sign": """static double adcli_sign(double x)
{
    return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
}""",
    "adcli_step": """static double adcli_step(double x)
{
    return x > 0.0 ? 1.0 : 0.0;
}""",
    "adcli_relu": """static double adcli_relu(double x)
{
    return x > 0.0 ? x : 0.0;
}""",
    "adcli_sigmoid": """static double adcli_sigmoid(double x)
{
    /* Never exp of a large positive number: sigmoid(+-1000) is exactly 1 and 0. */
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    double z = exp(x);
    return z / (1.0 + z);
}""",
    "adcli_softplus": """static double adcli_softplus(double x)
{
    /* log(1 + e^x) without overflow. */
    if (x > 0.0)
        return x + log1p(exp(-x));
    return log1p(exp(x));
}""",
    "adcli_xlogy": """static double adcli_xlogy(double x, double y)
{
    /* x * log(y), and 0 when x = 0 even where log(y) is -inf. */
    return x == 0.0 ? 0.0 : x * log(y);
}""",
    "adcli_log_base": """static double adcli_log_base(double x, double base)
{
    return log(x) / log(base);
}""",
    "adcli_min": """static double adcli_min(double x, double y)
{
    /* The first argument on a tie, as adcli's min (fmin may pick either zero of +-0). */
    return y < x ? y : x;
}""",
    "adcli_max": """static double adcli_max(double x, double y)
{
    return y > x ? y : x;
}""",
    **_comparisons("c"),
    "adcli_pick": """static double adcli_pick(double c, double x)
{
    /* where's taken branch; the other adds -0.0, which changes no sum. */
    return c != 0.0 ? x : -0.0;
}""",
    "adcli_unpick": """static double adcli_unpick(double c, double x)
{
    return c == 0.0 ? x : -0.0;
}""",
    "adcli_stop": """static double adcli_stop(double x)
{
    return x;
}""",
}

HELPERS = {"python": PYTHON_HELPERS, "numpy": NUMPY_HELPERS, "c": C_HELPERS}


def spelling(language: str, primitive: Primitive) -> str:
    """The spelling of ``primitive`` (a row of the table) in ``language``."""
    return primitive.code[LANGUAGE_COLUMN[language]]

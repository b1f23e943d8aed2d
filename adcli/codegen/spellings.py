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

from ..primitives import Primitive

LANGUAGE_COLUMN = {"python": 0, "numpy": 1, "c": 2, "latex": 3}

# Helper definitions, emitted (in this order) only when used.  Each mirrors the float function of
# its row in adcli.primitives, so the numbers are the same.
PYTHON_HELPERS: dict[str, str] = {
    "_sign": """def _sign(x):
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)""",
    "_step": """def _step(x):
    return 1.0 if x > 0.0 else 0.0""",
    "_relu": """def _relu(x):
    return x if x > 0.0 else 0.0""",
    "_sigmoid": """def _sigmoid(x):
    # Never exp of a large positive number: sigmoid(+-1000) is exactly 1 and 0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)""",
    "_softplus": """def _softplus(x):
    # log(1 + e^x) without overflow.
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))""",
    "_xlogy": """def _xlogy(x, y):
    # x * log(y), and 0 when x = 0 even where log(y) is -inf.
    return 0.0 if x == 0.0 else x * math.log(y)""",
    "_log_base": """def _log_base(x, base):
    return math.log(x) / math.log(base)""",
    "_lt": """def _lt(x, y):
    return 1.0 if x < y else 0.0""",
    "_le": """def _le(x, y):
    return 1.0 if x <= y else 0.0""",
    "_gt": """def _gt(x, y):
    return 1.0 if x > y else 0.0""",
    "_ge": """def _ge(x, y):
    return 1.0 if x >= y else 0.0""",
    "_eq": """def _eq(x, y):
    return 1.0 if x == y else 0.0""",
    "_ne": """def _ne(x, y):
    return 1.0 if x != y else 0.0""",
    "_pick": """def _pick(c, x):
    # where's taken branch; the other adds -0.0, which changes no sum.
    return x if c != 0.0 else -0.0""",
    "_unpick": """def _unpick(c, x):
    return x if c == 0.0 else -0.0""",
    "_stop": """def _stop(x):
    return x""",
}

NUMPY_HELPERS: dict[str, str] = {
    "_step": """def _step(x):
    return np.where(x > 0.0, 1.0, 0.0)""",
    "_relu": """def _relu(x):
    return np.where(x > 0.0, x, 0.0)""",
    "_sigmoid": """def _sigmoid(x):
    # Never exp of a large positive number: sigmoid(+-1000) is exactly 1 and 0.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + z), z / (1.0 + z))""",
    "_softplus": """def _softplus(x):
    # log(1 + e^x) without overflow.
    return np.where(x > 0.0, x + np.log1p(np.exp(-np.abs(x))), np.log1p(np.exp(np.minimum(x, 0.0))))""",
    "_xlogy": """def _xlogy(x, y):
    # x * log(y), and 0 when x = 0 even where log(y) is -inf.
    return np.where(x == 0.0, 0.0, x * np.log(y))""",
    "_log_base": """def _log_base(x, base):
    return np.log(x) / np.log(base)""",
    "_min": """def _min(x, y):
    # The first argument on a tie, as Python's min (np.minimum may pick either zero of +-0).
    return np.where(y < x, y, x)""",
    "_max": """def _max(x, y):
    return np.where(y > x, y, x)""",
    "_erf": """# NumPy has no erf; math.erf element by element gives the same numbers as adcli.
_erf = np.vectorize(math.erf, otypes=[float])""",
    "_lt": """def _lt(x, y):
    return np.where(x < y, 1.0, 0.0)""",
    "_le": """def _le(x, y):
    return np.where(x <= y, 1.0, 0.0)""",
    "_gt": """def _gt(x, y):
    return np.where(x > y, 1.0, 0.0)""",
    "_ge": """def _ge(x, y):
    return np.where(x >= y, 1.0, 0.0)""",
    "_eq": """def _eq(x, y):
    return np.where(x == y, 1.0, 0.0)""",
    "_ne": """def _ne(x, y):
    return np.where(x != y, 1.0, 0.0)""",
    "_pick": """def _pick(c, x):
    # where's taken branch; the other adds -0.0, which changes no sum.
    return np.where(c != 0.0, x, -0.0)""",
    "_unpick": """def _unpick(c, x):
    return np.where(c == 0.0, x, -0.0)""",
    "_stop": """def _stop(x):
    return x""",
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
    "adcli_lt": """static double adcli_lt(double x, double y)
{
    return x < y ? 1.0 : 0.0;
}""",
    "adcli_le": """static double adcli_le(double x, double y)
{
    return x <= y ? 1.0 : 0.0;
}""",
    "adcli_gt": """static double adcli_gt(double x, double y)
{
    return x > y ? 1.0 : 0.0;
}""",
    "adcli_ge": """static double adcli_ge(double x, double y)
{
    return x >= y ? 1.0 : 0.0;
}""",
    "adcli_eq": """static double adcli_eq(double x, double y)
{
    return x == y ? 1.0 : 0.0;
}""",
    "adcli_ne": """static double adcli_ne(double x, double y)
{
    return x != y ? 1.0 : 0.0;
}""",
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

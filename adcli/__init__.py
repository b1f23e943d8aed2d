"""adcli: exact derivatives of math expressions and small programs, by reverse-mode automatic
differentiation on a computational graph (a tape), from the command line or from Python.

>>> from adcli import compile
>>> program = compile("h = tanh(w*x + b); (h - t)^2")
>>> result = program.gradient(w=0.5, x=2.0, b=-0.3, t=1.0)
>>> round(result.value, 12), list(result.gradient)
(0.156524855783, ['w', 'x', 'b', 't'])
"""

from __future__ import annotations

from .errors import (
    AdcliError,
    ArityError,
    EvaluationError,
    ExitStatus,
    LimitError,
    NonFiniteError,
    OverflowEvaluationError,
    ProgramNameError,
    ProgramSyntaxError,
    UsageError,
)
from .graph import Program, Tape, Var, fn

TYPE_CHECKING = False  # importing typing costs every run start-up time
if TYPE_CHECKING:  # for type checkers; at run time they come from adcli.api when asked for
    from .api import JVP, BatchResult, BindingError, Function, Gradient, Hessian

# The API's classes come from adcli.api when first asked for: the CLI imports this package on
# every start-up, and most commands never evaluate through the API.
_API = frozenset(("BatchResult", "BindingError", "Function", "Gradient", "Hessian", "JVP"))


def compile(text: str) -> Function:
    """Parse a program's text into a ``Function``, ready to evaluate at any number of points
    (see ``adcli.api`` and docs/api.md)."""
    from .api import compile

    return compile(text)


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    # The version is read from the installed package's metadata (its one source is
    # pyproject.toml), and only when asked: importlib.metadata is slow to import.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("adcli")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'adcli' has no attribute {name!r}")


__all__ = [
    "JVP",
    "AdcliError",
    "ArityError",
    "BatchResult",
    "BindingError",
    "EvaluationError",
    "ExitStatus",
    "Function",
    "Gradient",
    "Hessian",
    "LimitError",
    "NonFiniteError",
    "OverflowEvaluationError",
    "Program",
    "ProgramNameError",
    "ProgramSyntaxError",
    "Tape",
    "UsageError",
    "Var",
    "__version__",
    "compile",
    "fn",
]

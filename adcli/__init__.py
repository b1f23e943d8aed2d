"""adcli: exact derivatives of math expressions and small programs, by reverse-mode automatic
differentiation on a computational graph (a tape), from the command line or from Python.

>>> from adcli import compile
>>> program = compile("h = tanh(w*x + b); (h - t)^2")
>>> result = program.gradient(w=0.5, x=2.0, b=-0.3, t=1.0)
>>> round(result.value, 12), list(result.gradient)
(0.156524855783, ['w', 'x', 'b', 't'])
"""

from __future__ import annotations

from .api import Function, compile
from .engine import Gradient
from .errors import AdcliError, EvaluationError, ExitStatus
from .graph import Program, Tape, Var, fn
from .parse import parse


def __getattr__(name: str) -> str:
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
    "AdcliError",
    "EvaluationError",
    "ExitStatus",
    "Function",
    "Gradient",
    "Program",
    "Tape",
    "Var",
    "__version__",
    "compile",
    "fn",
    "parse",
]

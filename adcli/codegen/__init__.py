"""Derivatives in other languages (``adcli diff --to LANG``), written from the gradient graph.

The engine's symbolic gradient is a graph on a simplifying tape that holds the program and every
partial; this package only writes that graph out, it never evaluates anything (and nothing here
runs the code it writes).  ``plan`` decides which nodes become named locals (shared ones, and
deep chains) so every language's output is linear in the size of the program; ``spellings`` is
the one table of how each primitive is written in each language; ``functions`` writes Python,
NumPy and C functions; ``latex`` the formulas.
"""

from __future__ import annotations

LANGUAGES = ("adcli", "python", "numpy", "c", "latex")


def generate(graph, wrt: list[str], language: str, source: str = "") -> str:
    """The value and the partials ``wrt`` of ``graph`` (an engine ``GradientGraph``: ``tape``,
    ``inputs``, ``output``, ``gradient``) as text in ``language`` (one of ``LANGUAGES`` but
    ``adcli``, which the printer writes); ``source`` is quoted in a comment."""
    from . import functions, latex

    writers = {
        "python": functions.python,
        "numpy": functions.numpy,
        "c": functions.c,
        "latex": latex.latex,
    }
    return writers[language](graph, list(wrt), source)

"""Hypothesis strategies shared by the property tests: random well-formed adcli programs.

A program is a few bindings (``t0 = ...``), each free to use the inputs and the bindings before
it, then an output expression.  Callers choose the vocabulary — format strings such as
``"sin({})"`` or ``"({}) / (2 + sin({}))"`` that keep every function inside its domain.
"""

from __future__ import annotations

from hypothesis import strategies as st


def expressions(
    names: tuple[str, ...],
    constants: tuple[str, ...],
    unary: tuple[str, ...],
    binary: tuple[str, ...],
    max_leaves: int,
) -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(names), st.sampled_from(constants))

    def extend(inner):
        return st.one_of(
            st.builds(lambda f, a: f.format(a), st.sampled_from(unary), inner),
            st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(binary), inner, inner),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


@st.composite
def programs(
    draw,
    inputs: tuple[str, ...],
    constants: tuple[str, ...],
    unary: tuple[str, ...],
    binary: tuple[str, ...],
    max_leaves: int = 8,
    separators: tuple[str, ...] = ("\n",),
) -> str:
    """``t0 = ...; t1 = ...; output``: up to three bindings, then the output."""
    names = inputs
    lines = []
    for k in range(draw(st.integers(0, 3))):
        lines.append(f"t{k} = {draw(expressions(names, constants, unary, binary, max_leaves))}")
        names = (*names, f"t{k}")
    lines.append(draw(expressions(names, constants, unary, binary, max_leaves)))
    return draw(st.sampled_from(separators)).join(lines)

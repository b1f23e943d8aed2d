"""Rendering for people: pure functions from computed numbers to Rich renderables or text.

Nothing here evaluates a program (``adcli.evaluation`` and the engine do) and nothing prints
except through the console or stream a command hands in.  One module per picture:

- ``tables``  the eval, hessian, jvp and check tables
- ``tree``    the graph as a tree rooted at the output
- ``trace``   the forward and reverse sweeps as a Wengert list
- ``dot``     Graphviz DOT text
- ``data``    the graph as JSON-able data
- ``nodes``   how every picture names and labels a node

Rich is imported only inside functions, so ``--json`` and ``dot`` never pay for it.
"""

from __future__ import annotations

import sys


def console(stream=None):
    """A console on stdout (or ``stream``); plain, colourless text unless it is a terminal."""
    from rich.console import Console

    return Console(file=stream or sys.stdout, highlight=False, soft_wrap=False)


def plain(console, ascii: bool) -> bool:
    """ASCII output: asked for, or not a terminal, or NO_COLOR / TERM=dumb."""
    return bool(ascii) or not console.is_terminal or console.no_color or console.is_dumb_terminal


def show(out, renderable) -> None:
    """Print; on a pipe without colour, as plain lines without Rich's trailing padding."""
    if out.is_terminal:
        out.print(renderable)
        return
    with out.capture() as captured:
        out.print(renderable)
    text = captured.get()
    out.file.write("\n".join(line.rstrip() for line in text.split("\n")))
    out.file.flush()

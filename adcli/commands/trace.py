"""``adcli trace``: the evaluation as a Wengert list — the forward sweep in creation order, then
the reverse sweep's chain-rule terms (or, with --json, the whole graph as data)."""

from __future__ import annotations

import sys

from ..arguments import COMMON, Option, positive_int
from ..render.trace import MAX_STEPS
from . import ASCII, DIGITS, GRAPH_JSON, evaluated

MAX_STEPS_OPTION = Option(
    ("--max-steps",),
    "max_steps",
    f"show the first and last steps of each sweep, N in all (default {MAX_STEPS})",
    "N",
    positive_int,
    MAX_STEPS,
)
RICH_ROWS = 2000
ALL = Option(("--all",), "all", "show every step of both sweeps")

OPTIONS = (*COMMON, GRAPH_JSON, DIGITS, MAX_STEPS_OPTION, ALL, ASCII)

HELP = (
    "Show PROGRAM's evaluation at a point step by step, as a textbook writes it (a Wengert "
    "list).\n\n"
    "The forward sweep lists every node in creation order with its inputs, its value and its "
    "local derivatives (g_weights). The reverse sweep then visits the nodes from the output "
    "down: each adds adjoint × g_weight into its inputs' adjoints, and each input's row sums "
    "what it received, which is its partial derivative. Constants are skipped, as the engine "
    "skips them. Bind inputs as for [bold]adcli eval[/bold]."
)

EXAMPLES = """adcli trace "x*y + sin(x)" --x 0.5 --y 4.2
adcli trace -f big.adc --at point.json --all | less -S
adcli trace "x*y + sin(x)" x=0.5 y=4.2 --json"""


def run(args: list[str]) -> int:
    line, ev = evaluated(args, OPTIONS)
    if ev is None:
        return 0
    program = ev.program
    from ..render import console, plain

    out = console()
    max_steps = None if line.all else line.max_steps
    shown = len(program.tape) if max_steps is None else min(len(program.tape), max_steps)
    # Rich lays a table out at a few ms a row: past a few thousand rows, or on a pipe (where
    # there is no colour to lose), the plain columns say the same in one pass.
    if not out.is_terminal or shown > RICH_ROWS:
        from ..render.trace import trace_text

        sys.stdout.write(trace_text(ev, max_steps, line.digits))
        sys.stdout.flush()
        return 0
    from ..render.trace import trace

    out.print(trace(ev, max_steps, plain(out, line.ascii), line.digits))
    return 0

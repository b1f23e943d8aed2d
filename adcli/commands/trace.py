"""``adcli trace``: the evaluation as a Wengert list — the forward sweep in creation order, then
the reverse sweep's chain-rule terms (or, with --json, the whole graph as data)."""

from __future__ import annotations

from ..arguments import COMMON, Option, positive_int
from ..render.trace import MAX_STEPS
from . import ASCII, DIGITS, GRAPH_JSON, evaluated, picture_console

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment


MAX_STEPS_OPTION = Option(
    ("--max-steps",),
    "max_steps",
    f"show the first and last steps of each sweep, N in all (default {MAX_STEPS})",
    "N",
    positive_int,
    MAX_STEPS,
)
RICH_ROWS = 200
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
adcli trace "h = tanh(w*x + b); (h - t)^2" w=0.5 x=2 b=-0.3 t=1 --all --digits 4
adcli trace "x*y + sin(x)" x=0.5 y=4.2 --json"""


def run(args: list[str], env: Environment) -> int:
    command_line, ev = evaluated(args, OPTIONS, env)
    if ev is None:
        return 0
    from ..render import show, write_lines

    out, ascii = picture_console(env, command_line.ascii)
    max_steps = None if command_line.all else command_line.max_steps
    rows = len(ev.program.tape) if max_steps is None else min(len(ev.program.tape), max_steps)
    if out is not None and rows <= RICH_ROWS:
        # A short trace on a terminal: a table too wide for it is wrapped or stacked.
        from ..render.trace import trace

        show(out, trace(ev, max_steps, ascii, command_line.digits, fit_to=out))
        return 0
    # Otherwise the columns are written as they are made (Rich would hold and lay out every
    # row, a few ms each); a terminal still gets the colours.
    from ..render.trace import trace_lines

    lines = trace_lines(ev, max_steps, ascii, command_line.digits)
    write_lines(lines, env.stdout, out)
    return 0

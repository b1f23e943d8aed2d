"""``adcli tree``: the graph drawn as a tree rooted at the output, with each node's value and
adjoint and each edge's g_weight (or, with --json, the whole graph as data)."""

from __future__ import annotations

from ..arguments import COMMON, Option, non_negative_int, positive_int
from ..render.tree import DEPTH, MAX_NODES
from . import ASCII, DIGITS, GRAPH_JSON, evaluated, picture_console, title, write_file

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment


DEPTH_OPTION = Option(
    ("--depth",),
    "depth",
    f"draw N levels below the output (default {DEPTH}); deeper nodes are counted",
    "N",
    non_negative_int,
    DEPTH,
)
MAX_NODES_OPTION = Option(
    ("--max-nodes",),
    "max_nodes",
    f"stop after N lines (default {MAX_NODES}) and count the nodes left",
    "N",
    positive_int,
    MAX_NODES,
)
ALL = Option(
    ("--all",),
    "all",
    "no cut: draw every node (below 24 levels, deep inputs continue as parts after the tree)",
)
HTML = Option(
    ("--html",),
    "html",
    "write the graph as a self-contained HTML page to FILE (no network needed to view it): "
    "a collapsible tree with each node's operation, value, adjoint and g_weights",
    "FILE",
)
OPTIONS = (*COMMON, GRAPH_JSON, DIGITS, DEPTH_OPTION, MAX_NODES_OPTION, ALL, ASCII, HTML)

HELP = (
    "Draw PROGRAM's graph as a tree rooted at the output, evaluated at a point.\n\n"
    "Each node shows its operation, its value and its adjoint ∂f/∂node; each child line starts "
    "with [bold]g=[/bold], the parent's local derivative (g_weight) with respect to that child. "
    "A node used twice is drawn once and referred to afterwards ([bold]x ↑ (shown above)[/bold]), "
    "so the drawing stays linear in the graph's size; below 24 levels a node's inputs continue as a "
    "part of their own after the tree ([bold]v57 ↓ (inputs continued below)[/bold]), so lines stay "
    "short however deep the program. Constants show their local derivatives and "
    "adjoints too, computed for display (the engine skips them: no input depends on them). "
    "Bind inputs as for [bold]adcli eval[/bold]."
)

EXAMPLES = """adcli tree "x*y + sin(x)" --x 0.5 --y 4.2
adcli tree "h = tanh(w*x + b); (h - t)^2" w=0.5 x=2 b=-0.3 t=1 --depth 3
adcli tree "x*y + sin(x)" x=0.5 y=4.2 --json | jq '.nodes[] | {id, op, adjoint}'
adcli tree "x*y + sin(x)" --x 0.5 --y 4.2 --html graph.html"""


def run(args: list[str], env: Environment) -> int:
    command_line, ev = evaluated(args, OPTIONS, env)
    if ev is None:
        return 0
    if command_line.html is not None:
        from ..render.html import html_page

        write_file(
            command_line.html, html_page(ev, command_line.digits, title(command_line, ev.program))
        )
        return 0
    from ..render import write_lines
    from ..render.tree import tree_lines

    out, ascii = picture_console(env, command_line.ascii)
    depth, max_nodes = (
        (None, None) if command_line.all else (command_line.depth, command_line.max_nodes)
    )
    lines = tree_lines(ev, depth, max_nodes, ascii, command_line.digits)
    # Written as it is drawn; a terminal wraps what is wider than itself (nothing is cropped).
    write_lines(lines, env.stdout, out)
    return 0

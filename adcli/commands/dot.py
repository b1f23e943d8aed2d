"""``adcli dot``: the graph as Graphviz DOT text, with values, adjoints and g_weights."""

from __future__ import annotations

import sys

from ..arguments import COMMON
from ..render.dot import dot
from . import DIGITS, evaluated

OPTIONS = (*COMMON, DIGITS)

HELP = (
    "Print PROGRAM's graph, evaluated at a point, as Graphviz DOT text.\n\n"
    "Each node shows its operation, value and adjoint ∂f/∂node (the output has a double "
    "border); each edge runs from an argument to the node that uses it and is labelled with the "
    "g_weight, the node's local derivative with respect to that argument. Every node is "
    "written, however large the graph. Bind inputs as for [bold]adcli eval[/bold]."
)

EXAMPLES = """adcli dot "x*y + sin(x)" --x 0.5 --y 4.2 | dot -Tsvg > graph.svg
adcli dot -f samples/neuron.adc --at samples/neuron.json --digits 4 | dot -Tpng > neuron.png"""


def run(args: list[str]) -> int:
    line, ev = evaluated(args, OPTIONS)
    text = dot(ev, line.digits)
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0

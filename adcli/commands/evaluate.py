"""``adcli eval``: the value and every partial derivative at a point (or at many: --batch)."""

from __future__ import annotations

from ..arguments import COMMON, JSON, parse_command_line
from ..output import print_json
from . import DIGITS, WRT, load_program, point, reported_names

OPTIONS = (*COMMON, JSON, DIGITS, WRT)

HELP = """Evaluate PROGRAM and every partial derivative at a point, by reverse-mode AD.

PROGRAM is an expression or a small program: [bold]h = tanh(w*x + b); (h - t)^2[/bold].
Bind each input with [bold]--x 0.5[/bold], [bold]--x=0.5[/bold], [bold]x=0.5[/bold] or
[bold]--at '{"x": 0.5}'[/bold] (or --at FILE.json), before or after the program. A program
starting with '-' works as it is; '--' ends the options.
"""

EXAMPLES = """adcli eval "x*y + sin(x)" --x 0.5 --y 4.2
adcli eval "x*y + sin(x)" x=0.5 y=4.2 --json
adcli eval -f samples/neuron.adc --at samples/neuron.json --digits 6"""


def run(args: list[str]) -> int:
    line = parse_command_line(args, OPTIONS)
    program = load_program(line)
    result = program.gradient(point(program, line))
    names = reported_names(program, line)
    gradient = {name: result.gradient.get(name, 0.0) for name in names}
    if line.json:
        print_json({"value": result.value, "gradient": gradient})
        return 0
    from ..render import console, gradient_table

    rows = [(name, line.bindings.get(name), gradient[name]) for name in names]
    console().print(gradient_table(program.source, result.value, rows, line.digits))
    return 0

"""``adcli diff``: the derivative itself, as a program in adcli's own language."""

from __future__ import annotations

from ..arguments import COMMON, JSON, Option, choice, parse_command_line
from ..codegen import LANGUAGES
from ..errors import UsageError
from . import WRT, check_wrt, load_program

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment

TO = Option(
    ("--to",),
    "to",
    "write the derivative in LANG: adcli (default), python, numpy, c or latex",
    "LANG",
    choice(*LANGUAGES),
    "adcli",
)
OPTIONS = (*COMMON, JSON, WRT, TO)

HELP = """Print ∂output/∂x of PROGRAM as a program that adcli reads back: the reverse sweep is run on
graph nodes instead of numbers, simplified as it is built (constants folded; x·1, x+0, 0·x, x−x
and −−x removed; identical subexpressions shared), and every subexpression used more than once
is printed once as a binding [bold]tN = ...[/bold], so the output grows linearly with the program.

[bold]--wrt x,y[/bold] (or --wrt x --wrt y) picks the inputs, all of them by default. One input: the
program alone. Several: one block each, headed by a comment line [bold]# d/dx[/bold]. [bold]--json[/bold]:
{name: text}. Evaluating the output with [bold]adcli eval[/bold] gives that partial; it may not use
every input of PROGRAM (bind them anyway: eval only warns). Where the gradient only exists because
a zero meets an infinite local derivative (x * hypot(x, x) at 0), the formula reports the 0/0.
Programs with arrays (literals, indexing, @, sum...) are not supported yet: status 2 (their
gradients, shaped like the inputs, come from [bold]adcli eval --json[/bold]).

[bold]--to LANG[/bold] writes the same graph for use elsewhere, shared subexpressions as locals:
[bold]python[/bold] a function of floats using math, [bold]numpy[/bold] the same vectorised,
[bold]c[/bold] a C99 function [bold]double f(const double *in, double *grad)[/bold] (math.h only) that
returns the value and fills grad, and [bold]latex[/bold] the partials as an aligned block of formulas.
The code functions return the value and the partials of --wrt (all inputs by default) and take
every input of PROGRAM in order of first appearance; adcli never runs the code it writes.
"""

EXAMPLES = """adcli diff "x*y + sin(x)" --wrt x
adcli diff "h = tanh(w*x + b); (h - t)^2" --wrt w,b
adcli diff "x*y + sin(x)" --json
adcli diff "x^3" --wrt x | adcli eval - --x 2
adcli diff "x*y + sin(x)" --to c > f.c
adcli diff "x*y + sin(x)" --to latex"""


def run(args: list[str], env: Environment) -> int:
    from ..engine import symbolic_gradient
    from ..printer import program_text

    command_line = parse_command_line(merge_repeated(args, "--wrt"), OPTIONS, stdin=env.stdin)
    program = load_program(command_line, env)
    from ..arrays import array_syntax

    found = array_syntax(program)
    if found:
        raise UsageError(
            f"diff does not support arrays yet ({found}); "
            "'adcli eval --json' gives array-shaped gradients"
        )
    names = list(command_line.wrt or program.inputs)
    check_wrt(names, program.inputs, program.inputs)
    if not names:
        raise UsageError("the program has no inputs: its derivative is 0 with respect to anything")
    if command_line.to != "adcli" and command_line.json:
        raise UsageError(
            f"--json prints adcli's own language; it does not go with --to {command_line.to}"
        )
    graph = symbolic_gradient(program)
    if command_line.to != "adcli":
        from ..codegen import generate

        env.write(generate(graph, names, command_line.to, program.source))
        return 0
    texts = program_text(
        graph.tape, {n: graph.gradient[n] for n in names}, reserved=set(program.inputs)
    )
    if command_line.json:
        env.write_json(texts)
    elif len(texts) == 1:
        env.write(next(iter(texts.values())) + "\n")
    else:
        env.write("\n\n".join(f"# d/d{name}\n{text}" for name, text in texts.items()) + "\n")
    return 0


def merge_repeated(args: list[str], flag: str) -> list[str]:
    """``--wrt x --wrt y`` as ``--wrt x,y`` (the parser keeps only the last value of an option)."""
    values: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            rest += args[i:]
            break
        if token == flag and i + 1 < len(args):
            values.append(args[i + 1])
            i += 2
            continue
        if token.startswith(flag + "="):
            values.append(token[len(flag) + 1 :])
        else:
            rest.append(token)
        i += 1
    return [flag, ",".join(values), *rest] if values else rest

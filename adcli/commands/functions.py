"""``adcli functions``: the primitive table, printed from the table itself."""

from __future__ import annotations

from ..arguments import HELP as HELP_OPTION
from ..arguments import JSON, parse_command_line

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment

OPTIONS = (JSON, HELP_OPTION)
TAKES_PROGRAM = False

HELP = """List every function and operator: its arity, its derivative rule and its conventions at
kinks. The rules are printed from the same table the engine differentiates with."""

EXAMPLES = """adcli functions
adcli functions --json | jq '.[] | select(.name == "tanh")'"""


def rules() -> list[dict]:
    """One record per primitive, each derivative rule printed from the rule itself: the rule is
    applied to symbolic inputs (graph nodes) and the resulting graph is printed."""
    from ..graph import Tape, fn
    from ..primitives import FIRST_PRIMITIVE, TABLE
    from ..printer import expression

    records = []
    for code, p in enumerate(TABLE, FIRST_PRIMITIVE):
        tape = Tape(simplify=True)
        params = p.params
        args = [tape.input(n) for n in params]
        ans = tape.apply(code, *args)
        partials = [tape.var(rule(fn, *args, ans)) for rule in p.partials]
        records.append(
            {
                "name": p.call_name,
                "arity": p.arity,
                "call": _usage(p, params),
                "derivatives": {f"d/d{n}": expression(tape, d) for n, d in zip(params, partials)},
                "doc": p.doc,
                "kink": p.kink,
            }
        )
    return records + array_rules()


def array_rules() -> list[dict]:
    """Array syntax and functions (contract v0.2): lowered onto the primitives above."""
    from ..builder import ARRAY_DOCS

    return [
        {"name": call.split("(")[0], "call": call, "derivatives": rules, "doc": doc, "kink": ""}
        for call, rules, doc in ARRAY_DOCS
    ]


def _usage(p, params) -> str:
    if p.symbol and p.arity == 2:
        return f"{params[0]} {p.symbol} {params[1]}"
    if p.symbol:
        return f"{p.symbol}{params[0]}"
    return f"{p.call_name}({', '.join(params)})"


def run(args: list[str], env: Environment) -> int:
    command_line = parse_command_line(args, OPTIONS, takes_program=False, stdin=env.stdin)
    records = rules()
    if command_line.json:
        env.write_json(records)
        return 0
    from rich.markup import escape
    from rich.table import Table

    from ..render.tables import print_tables

    table = Table(title="adcli functions: each rule is read from the engine's table")
    for column in ("call", "derivative", "notes"):
        table.add_column(column)
    for r in records:
        derivative = "\n".join(f"{k} = {v}" for k, v in r["derivatives"].items())
        notes = r["doc"] + (f"; {r['kink']}" if r["kink"] else "")
        table.add_row(escape(r["call"]), escape(derivative), escape(notes))
    print_tables(env.console(), table)
    return 0

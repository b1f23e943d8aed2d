"""The commands: the registry (name → module) and the steps every command shares.

One module per command; each exposes ``OPTIONS``, ``HELP``, ``EXAMPLES`` and
``run(args, env) -> status``.  They only wire the stages together — read the command line, parse,
sweep, render, write through the ``Environment`` — and share the steps below.  A command's
module is imported only when that command runs (``command(name)``), so ``eval --json`` pays for
nothing else.
"""

from __future__ import annotations

import sys
from itertools import repeat

from ..arguments import CommandLine, Option, choice, names_list
from ..errors import AdcliError, ProgramNameError, UsageError
from ..graph import Lowered, Program
from ..values import ArrayValue

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

    from ..environment import Environment

# command name -> its module in adcli.commands
COMMANDS: dict[str, str] = {
    "eval": "evaluate",
    "functions": "functions",
    "tree": "tree",
    "trace": "trace",
    "dot": "dot",
    "hessian": "hessian",
    "jvp": "jvp",
    "check": "check",
    "diff": "diff",
    "plot": "plot",
}


def command(name: str) -> ModuleType:
    """The module implementing the command ``name`` (a key of ``COMMANDS``)."""
    # __import__, not importlib.import_module: importing importlib costs start-up time
    module = f"{__name__}.{COMMANDS[name]}"
    __import__(module)
    return sys.modules[module]


WRT = Option(("--wrt",), "wrt", "report only these partials, e.g. --wrt x,y", "NAMES", names_list)
DIGITS = Option(
    ("--digits",),
    "digits",
    "show numbers rounded to N significant digits (default: all, round-trip exact)",
    "N",
    lambda text: int(text) if text.isdigit() and 1 <= int(text) <= 17 else _bad_digits(),
)


GRAPH_JSON = Option(
    ("--json",),
    "json",
    "print the whole graph as one JSON object, nodes in creation order: "
    '{"nodes": [{"id", "op", "name" (if any), "value", "adjoint", '
    '"inputs": \\[\\[id, g_weight], ...], "at": "line:col"}, ...], "output": id}; '
    "a g_weight or adjoint that is not finite (infinite or undefined) is null",
)
ASCII = Option(
    ("--ascii",),
    "ascii",
    "plain ASCII drawing; the default when stdout is not a terminal or NO_COLOR or TERM=dumb is set",
)

# --batch: eval's, and the per-point commands' (wired in ._batch)
BATCH = Option(
    ("--batch",),
    "batch",
    "answer at every point of FILE ('-': stdin): one JSON object of bindings per line, a CSV "
    "file with a header, or a Parquet file (columns named like the inputs), streamed, one "
    "result per point in order; the command line's bindings are defaults",
    "FILE|-",
)
INPUT_FORMAT = Option(
    ("--input-format",),
    "input_format",
    "--batch input: jsonl, csv or parquet (default: from the suffix .csv, .parquet; else jsonl)",
    "jsonl|csv|parquet",
    choice("jsonl", "csv", "parquet"),
)
OUTPUT = Option(
    ("--output",),
    "output",
    "--batch output: jsonl (default), csv or parquet (columns value, d_<input>..., error; "
    "needs --out FILE)",
    "jsonl|csv|parquet",
    choice("jsonl", "csv", "parquet"),
)
OUTPUT_FILE = Option(
    ("--output-file", "--out"),
    "output_file",
    "--batch: write the results to FILE instead of stdout",
    "FILE",
)
POINTS_OUTPUT = Option(
    ("--output",),
    "output",
    "--batch output: jsonl (default: one --json object per line) or parquet (the object's "
    "fields as columns: value, gradient.x, ..., error; needs --out FILE)",
    "jsonl|parquet",
    choice("jsonl", "parquet"),
)
BATCH_OPTIONS = (BATCH, INPUT_FORMAT, POINTS_OUTPUT, OUTPUT_FILE)  # hessian, jvp, check
EVAL_BATCH_OPTIONS = (BATCH, INPUT_FORMAT, OUTPUT, OUTPUT_FILE)


def _bad_digits() -> int:
    raise ValueError("a whole number from 1 to 17")


def title(command_line: CommandLine, program: Program) -> str:
    """What a table is titled: the file the program came from (control characters in its name
    escaped: a terminal must not act on them), or the program's text."""
    from ..text import escape

    source = (
        command_line.program_file if command_line.program_file is not None else command_line.program
    )
    if source == "-":
        return "(stdin)"
    return escape(source) if command_line.program_file is not None else program.source


def load_program(command_line: CommandLine, env: Environment) -> Program:
    """The command line's program, read (from env's stdin for '-') and parsed."""
    from ..parse import parse

    # the point's names are the strings the program's inputs hold (where they are the same)
    program = parse(command_line.read_program(env.stdin), command_line.bindings)
    # --digit 3: a typo, unless the program uses digit
    command_line.check_near_options(program.inputs)
    return program


def point(program: Program, command_line: CommandLine, env: Environment) -> dict[str, float]:
    """The bindings, after warning (unless --quiet) about names the program does not use."""
    bound = command_line.bindings
    # (a lookup per assigned name, not per binding: isdisjoint iterates its argument)
    if _only_inputs(bound, program.inputs) and bound.keys().isdisjoint(program.bindings):
        return bound  # nothing to warn about, found in bulk (10^6 bindings: no loop of ours)
    for name in bound:
        if name in program.bindings:
            env.warn(
                f"'{name}' is assigned by the program; the value bound to it is ignored",
                command_line.quiet,
            )
        elif name not in program.inputs:
            env.warn(
                f"'{name}' is bound but the program does not use it (its partial is 0.0)",
                command_line.quiet,
            )
    return command_line.bindings


def _only_inputs(bound: dict, inputs: dict) -> bool:
    """Whether every bound name is an input: a comparison of the names in order first (a
    generated point lists them as the program does; no hash lookup per name), else set-wise."""
    return list(bound) == list(inputs) or bound.keys() <= inputs.keys()


def reported_names(program: Program, command_line: CommandLine) -> list[str]:
    """Inputs in order of first appearance, then unused bound names in command-line order,
    restricted to --wrt when given."""
    names = list(program.inputs)
    if not _only_inputs(command_line.bindings, program.inputs):
        names += [n for n in command_line.bindings if n not in program.inputs]
    wrt = command_line.options.get("wrt")
    if wrt:
        check_wrt(wrt, names, program.inputs)
        names = list(wrt)
    return names


def not_an_input(what: str, inputs: Iterable[str]) -> UsageError:
    """The error for an option naming something the program does not take: ``what`` is the
    option and the name(s) (``--wrt z``, ``--direction z``, ``--z``)."""
    return UsageError(
        f"{what}: not an input of the program (its inputs: {', '.join(inputs) or 'none'})"
    )


def check_wrt(wrt: Iterable[str], known: Iterable[str], inputs: Iterable[str]) -> None:
    """Raise ``not_an_input`` naming every name of ``--wrt`` not among ``known``."""
    unknown = [n for n in wrt if n not in known]
    if unknown:
        raise not_an_input(f"--wrt {','.join(unknown)}", inputs)


def evaluated(args: list[str], options, env: Environment) -> tuple:
    """The command line and the program's evaluation, complete for the pictures (tree, trace,
    dot); with --json the graph is printed as data and the evaluation returned is None."""
    from ..arguments import parse_command_line
    from ..engine.evaluation import evaluate

    command_line = parse_command_line(args, options, stdin=env.stdin)
    # Array inputs are drawn as their element nodes, x[0], W[1,0], as the engine sees them.
    lw = lowered(load_program(command_line, env), command_line, env)
    ev = evaluate(lw.program, lw.point)
    if command_line.options.get("json"):
        from ..render import write_text
        from ..render.data import graph_json

        write_text(graph_json(ev), env.stdout)
        return command_line, None
    return command_line, ev


def picture_console(env: Environment, ascii: bool):
    """``(console, ascii)`` for a picture: a Rich console when stdout is a terminal (or
    FORCE_COLOR says to act as one), else None — plain text, and Rich never imported on a pipe;
    ASCII when asked for, on a pipe, or with NO_COLOR or TERM=dumb (Rich's own rules)."""
    environ = env.environ
    terminal = bool(env.stdout_isatty or environ.get("FORCE_COLOR", ""))
    dumb = environ.get("TERM", "").strip().lower() in ("dumb", "unknown")
    ascii = bool(ascii) or not terminal or bool(environ.get("NO_COLOR", "")) or dumb
    return (env.console() if terminal else None), ascii


def write_file(path: str, content: str | bytes) -> None:
    """Write a picture or page the user asked for with --output/--html; a failure is a usage
    error naming the file (status 2), never a traceback."""
    try:
        if isinstance(content, bytes):
            with open(path, "wb") as handle:
                handle.write(content)
        else:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(content)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def lowered(program: Program, command_line: CommandLine, env: Environment):
    """``adcli.arrays.Lowered``: the program on the scalar tape at the command line's point
    (after ``point``'s warnings), array inputs unrolled into element inputs ``x[0]``, ``W[1,0]``;
    a scalar program and point come back as they are."""
    at = point(program, command_line, env)
    if type(program) is Program and ArrayValue not in set(map(type, at.values())):
        return Lowered(program, at, {})  # nothing to lower: eval's hot path skips adcli.arrays
    from ..arrays import lower

    return lower(program, at)


def input_shapes(names: list[str], layout: dict, bindings: dict) -> dict[str, tuple[int, ...]]:
    """The shape of each reported name: the program's (``layout``), else its binding's (a bound
    array the program does not use), else ``()``."""
    if not layout and ArrayValue not in set(map(type, bindings.values())):
        return dict.fromkeys(names, ())  # all scalars: one C call, not one per name
    from ..values import shape_of

    return {n: layout.get(n) or shape_of(bindings.get(n, 0.0)) for n in names}


def partials(shapes: dict[str, tuple[int, ...]], flat: dict[str, float]) -> dict:
    """Each name's partial from the lowered program's flat gradient: a float for a scalar, the
    row-major sequence of its elements' partials for an array (0.0 for what the program does not
    use): the lowered gradient's own array slice when it has one (``adcli.elements.Flat``)."""
    if not any(shapes.values()):  # all scalars: the flat gradient as it is, or picked in C
        if type(flat) is dict and list(shapes) == list(flat):
            return flat
        return dict(zip(shapes, map(flat.get, shapes, repeat(0.0))))
    from math import prod

    from ..values import element_name, element_names

    keys: list[str] = []
    values: list[float] = []
    out: dict = {}
    block = getattr(flat, "block", None)  # adcli.elements.Flat: an array's partials at once
    for name, shape in shapes.items():
        if not shape:
            out[name] = flat.get(name, 0.0)
            continue
        if block is not None:
            data = block(name, shape)
            out[name] = data if data is not None else [0.0] * prod(shape)
            continue
        if not keys:
            keys, values = list(flat), list(flat.values())
        # Lowering makes an array's element inputs together and in order: take them as one
        # slice (found by its first name, checked by its last) rather than build 10^6 names.
        size = prod(shape)
        first = element_name(name, shape, 0)
        start = keys.index(first) if first in flat else -1
        if start >= 0 and keys[start + size - 1 : start + size] == [
            element_name(name, shape, size - 1)
        ]:
            out[name] = values[start : start + size]
        else:
            out[name] = [flat.get(e, 0.0) for e in element_names(name, shape)]
    return out


def shaped(shapes: dict[str, tuple[int, ...]], partials: dict) -> dict:
    """Partials as JSON writes them: an array input's shaped like its input (nested lists)."""
    if not any(shapes.values()):
        return partials  # all scalars: written as they are
    from ..values import nested

    return {n: nested(shapes[n], p) if shapes[n] else p for n, p in partials.items()}


def binding_hint(names: list[str]) -> str:
    """How to bind these inputs on the command line: ``--y VALUE``, or ``json=VALUE`` for a
    name that is also an option of some command (``--json 1`` would be the option)."""
    taken = {flag[2:] for name in COMMANDS for opt in command(name).OPTIONS for flag in opt.flags}
    forms = [f"{n}=VALUE" if n in taken else f"--{n} VALUE" for n in names]
    if len(names) == 1 and names[0] not in taken:
        return f"bind it with --{names[0]} VALUE (or {names[0]}=VALUE)"
    return ("bind it with " if len(names) == 1 else "bind them with ") + " ".join(forms)


def with_binding_hint(error: AdcliError) -> AdcliError:
    """A library error about unbound names (``ProgramNameError.names``), with how to bind them
    on the command line appended; any other error as it is."""
    names = getattr(error, "names", ())
    if not names:
        return error
    hint = binding_hint(list(names[:3])) + (" ..." if len(names) > 3 else "")
    return ProgramNameError(f"{error.message}: {hint}", error.excerpt)

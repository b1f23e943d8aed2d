"""``adcli dot``: the graph as Graphviz DOT text, with values, adjoints and g_weights."""

from __future__ import annotations

from ..arguments import COMMON, Option
from ..errors import UsageError
from ..render import write_text
from ..render.dot import dot, dot_lines
from . import DIGITS, evaluated, write_file

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from ..environment import Environment


OUTPUT = Option(
    ("--output", "-o"),
    "output",
    "draw the graph into FILE with Graphviz: .svg, .png or .pdf (.dot or .gv: the DOT text)",
    "FILE",
)
OPTIONS = (*COMMON, DIGITS, OUTPUT)
# File suffix -> Graphviz output format (None: the DOT text itself).
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": None, ".gv": None}

HELP = (
    "Print PROGRAM's graph, evaluated at a point, as Graphviz DOT text.\n\n"
    "Each node shows its operation, value and adjoint ∂f/∂node (the output has a double "
    "border); each edge runs from an argument to the node that uses it and is labelled with the "
    "g_weight, the node's local derivative with respect to that argument. Every node is "
    "written, however large the graph. Bind inputs as for [bold]adcli eval[/bold].\n\n"
    "[bold]--output graph.svg[/bold] (or .png, .pdf) draws the picture itself with Graphviz's "
    "[bold]dot[/bold] program, which must be installed (apt install graphviz, brew install "
    "graphviz); a file ending in .dot gets the text."
)

EXAMPLES = """adcli dot "x*y + sin(x)" --x 0.5 --y 4.2 | dot -Tsvg > graph.svg
adcli dot "h = tanh(w*x + b); (h - t)^2" w=0.5 x=2 b=-0.3 t=1 --digits 4 | dot -Tpng > neuron.png
adcli dot "x*y + sin(x)" --x 0.5 --y 4.2 --digits 4 --output graph.svg"""


def run(args: list[str], env: Environment) -> int:
    command_line, ev = evaluated(args, OPTIONS, env)
    if command_line.output is not None:
        draw(dot(ev, command_line.digits), command_line.output)
        return 0
    # as it goes: `| head` stops it at once
    write_text(dot_lines(ev, command_line.digits), env.stdout)
    return 0


def draw(text: str, path: str) -> None:
    """Render DOT ``text`` into ``path`` with Graphviz (the format from the file's suffix)."""
    import os.path
    import shutil
    import subprocess

    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise UsageError(f"--output {path}: the file must end in .svg, .png, .pdf or .dot")
    if FORMATS[suffix] is None:
        write_file(path, text)
        return
    program = shutil.which("dot")
    if program is None:
        raise UsageError(
            f"--output {path} needs Graphviz, which is not installed (its `dot` program is not "
            "on PATH): install it (apt install graphviz, brew install graphviz, or "
            "https://graphviz.org/download), or write the DOT text with --output graph.dot"
        )
    try:
        done = subprocess.run(
            [program, f"-T{FORMATS[suffix]}", "-o", path],
            input=text.encode("utf-8"),
            capture_output=True,
        )
    except OSError as exc:
        raise UsageError(f"cannot run Graphviz ({program}): {exc.strerror or exc}") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"Graphviz could not draw {path}: {reason[0] if reason else 'dot failed'}")

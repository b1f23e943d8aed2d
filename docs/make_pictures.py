"""Regenerate docs/pictures.md's generated parts and the pictures under docs/pictures/.

    python docs/make_pictures.py          # rewrite the pictures and the generated blocks
    python docs/make_pictures.py --check  # exit 1 if a generated text block is out of date

Text blocks (the ``--to`` outputs, the terminal plot) sit between ``<!-- generated: NAME -->``
and ``<!-- end -->`` in docs/pictures.md and are compared byte for byte by ``--check`` (and by
tests/test_plot.py).  The figures need matplotlib (``pip install 'adcli[plot]'``), the graph
Graphviz and the page's screenshot Chromium; a missing tool leaves that picture as it is.
Everything runs through adcli's own command line, in this process.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from adcli.cli import run
from adcli.environment import Environment

DOCS = Path(__file__).resolve().parent
PAGE = DOCS / "pictures.md"
PICTURES = DOCS / "pictures"
SEED = "x*y + sin(x)"
KINKS = "abs(x) - relu(x - 1) + log(x + 0.5)"
SADDLE = "x^2 - y^2 + 0.5*x*y"
NEURON = "h = tanh(w*x + b); (h - t)^2"


def adcli(*args: str) -> str:
    """stdout of ``adcli ARGS`` as a pipe shows it (72 columns, no colour)."""
    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdout=out, stderr=err, stdout_isatty=False, environ={"COLUMNS": "72", "NO_COLOR": "1"}
    )
    status = run(list(args), env)
    if status != 0:
        raise SystemExit(f"adcli {' '.join(args)}: status {status}: {err.getvalue()}")
    return out.getvalue()


def blocks() -> dict[str, str]:
    """Each generated block's content (Markdown)."""
    latex = adcli("diff", SEED, "--to", "latex")
    math = _math(latex)
    out = {
        "plot-terminal": fence("text", adcli("plot", SEED, "--x", "-2pi:2pi", "--y", "0.5")),
        "to-adcli": fence("text", adcli("diff", SEED)),
        "to-python": fence("python", adcli("diff", SEED, "--to", "python")),
        "to-numpy": fence("python", adcli("diff", SEED, "--to", "numpy")),
        "to-c": fence("c", adcli("diff", SEED, "--to", "c")),
        "to-latex": fence("latex", latex) + "\n\nRendered:\n\n" + fence("math", math),
        "to-latex-neuron": fence("math", _math(adcli("diff", NEURON, "--to", "latex"))),
        "plot-csv": fence(
            "text", adcli("plot", "log(x)", "--x", "-1:1", "--points", "5", "-o", "csv")
        ),
    }
    return out


def _math(latex: str) -> str:
    """The LaTeX without its comment line, for a ```math block."""
    return "\n".join(line for line in latex.splitlines() if not line.startswith("%"))


def fence(language: str, text: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def update(page: str, generated: dict[str, str]) -> str:
    def replace(m: re.Match) -> str:
        name = m.group(1)
        if name not in generated:
            raise SystemExit(f"docs/pictures.md: unknown generated block {name!r}")
        return f"<!-- generated: {name} -->\n{generated[name]}\n<!-- end -->"

    return re.sub(r"<!-- generated: ([\w-]+) -->\n.*?<!-- end -->", replace, page, flags=re.S)


def pictures() -> None:
    PICTURES.mkdir(exist_ok=True)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("matplotlib is missing: the figures are left as they are", file=sys.stderr)
    else:
        seed = ["plot", SEED, "--x", "-2pi:2pi", "--y", "0.5"]
        adcli(*seed, "--output", str(PICTURES / "seed-plot.svg"))
        adcli(
            "plot", KINKS, "--x", "-1:3", "--points", "400", "--output", str(PICTURES / "kinks.svg")
        )
        saddle = ["plot", SADDLE, "--x", "-2:2", "--y", "-2:2", "--points", "80"]
        adcli(*saddle, "--output", str(PICTURES / "saddle.png"))
    point = ["--x", "0.5", "--y", "4.2"]
    if shutil.which("dot"):
        adcli("dot", SEED, *point, "--output", str(PICTURES / "seed-graph.svg"))
    else:
        print("Graphviz is missing: seed-graph.svg is left as it is", file=sys.stderr)
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "tree.html"
        adcli("tree", NEURON, "--w", "0.5", "--x", "2", "--b", "-0.5",
              "--t", "1", "--html", str(page))  # fmt: skip
        if browser:
            subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--window-size=900,640", f"--screenshot={PICTURES / 'tree-html.png'}",
                 page.as_uri()],
                capture_output=True, check=True, timeout=120,
            )  # fmt: skip
        else:
            print("Chromium is missing: tree-html.png is left as it is", file=sys.stderr)


def main(argv: list[str]) -> int:
    page = PAGE.read_text(encoding="utf-8")
    fresh = update(page, blocks())
    if "--check" in argv:
        if fresh != page:
            print("docs/pictures.md is out of date: python docs/make_pictures.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(fresh, encoding="utf-8")
    pictures()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

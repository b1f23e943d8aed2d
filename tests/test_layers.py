"""The architecture, read from the imports alone: data flows one way, each layer imports only the
layers beneath it (imports inside functions count too), and no module imports itself in a cycle.

    0 base      errors, text, primitives, values, native (which path runs: compiled or Python)
    1 program   grammar tables, parse, builder, graph, printer, arrays, bindings
    2 engine    adcli.engine.*  (sweeps, numpy backend, forward mode, symbolic, Hessian, replay)
    3 output    adcli.render.*, adcli.stream.*, adcli.codegen.*, evaluation
    4 commands  adcli.commands.*, arguments, environment, api, dask
    5 cli       cli, help, __main__

The library layers (0-2) never speak the command line's language: they import no argument
parsing, environment, commands, Rich or Typer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "adcli"

LAYERS = {
    "adcli.errors": 0,
    "adcli.text": 0,
    "adcli.primitives": 0,
    "adcli.primitive_functions": 0,
    "adcli.values": 0,
    "adcli.native": 0,
    "adcli.elements": 0,
    "adcli._tables": 1,
    "adcli.grammar_tables": 1,
    "adcli.parse": 1,
    "adcli.builder": 1,
    "adcli.graph": 1,
    "adcli.printer": 1,
    "adcli.arrays": 1,
    "adcli.bindings": 1,
    "adcli.engine": 2,
    "adcli.render": 3,
    "adcli.stream": 3,
    "adcli.codegen": 3,
    "adcli.evaluation": 3,
    "adcli.commands": 4,
    "adcli.arguments": 4,
    "adcli.environment": 4,
    "adcli.api": 4,
    "adcli.dask": 4,
    "adcli.cli": 5,
    "adcli.help": 5,
    "adcli.__main__": 5,
    "adcli": 6,  # the package's __init__: the public face, imported lazily by the rest
}
LIBRARY = 2  # layers 0..2: no command-line words, no presentation libraries
CLI_ONLY = ("adcli.arguments", "adcli.environment", "adcli.commands", "adcli.cli", "adcli.help")
PRESENTATION = ("rich", "typer", "click")
MAX_LINES = 400
GENERATED = {"_tables.py"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    """The layer of an adcli module: its own entry, else its package's."""
    parts = module.split(".")
    for k in range(len(parts), 0, -1):
        found = LAYERS.get(".".join(parts[:k]))
        if found is not None:
            return found
    raise KeyError(module)


def imports(module: str) -> set[str]:
    """Every module named by an import statement anywhere in the module (functions included)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import text` names a submodule, not the package; `from .engine import
            # sweep` names both (the package's __init__ runs first)
            submodules = {f"{target}.{a.name}" for a in node.names} & MODULES.keys()
            found.update(submodules)
            if node.module or len(submodules) < len(node.names):
                found.add(target)
    return found


def adcli_imports(module: str) -> set[str]:
    return {m for m in imports(module) if m == "adcli" or m.startswith("adcli.")} - {module}


def test_every_module_has_a_layer():
    unplaced = [m for m in MODULES if _no_layer(m)]
    assert not unplaced, f"modules with no layer in tests/test_layers.py: {unplaced}"


def _no_layer(module: str) -> bool:
    try:
        layer(module)
    except KeyError:
        return True
    return False


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_only_downward(module):
    own = layer(module)
    upward = sorted(
        f"{target} (layer {layer(target)})"
        for target in adcli_imports(module)
        if not _no_layer(target) and layer(target) > own
    )
    assert not upward, f"{module} (layer {own}) imports upward: {upward}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) <= LIBRARY))
def test_library_layers_speak_no_command_line(module):
    named = imports(module)
    bad = sorted(
        m
        for m in named
        if m.split(".")[0] in PRESENTATION or any(m == c or m.startswith(c + ".") for c in CLI_ONLY)
    )
    assert not bad, f"{module} is a library module but imports {bad}"


def test_no_import_cycles_between_modules():
    graph = {m: {t for t in adcli_imports(m) if t in MODULES} for m in MODULES}
    colour: dict[str, int] = {}
    for start in graph:
        if colour.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        colour[start] = 1
        path = [start]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            if colour.get(child) == 1:
                cycle = [*path[path.index(child) :], child]
                if not _package_reexport(cycle):
                    pytest.fail("import cycle: " + " -> ".join(cycle))
                continue
            if not colour.get(child):
                colour[child] = 1
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)


def _package_reexport(cycle: list[str]) -> bool:
    """A package __init__ importing its submodule, which imports a sibling through the package,
    is one module in two files, not a cycle between stages."""
    roots = {m.split(".")[1] if m.count(".") >= 1 else m for m in cycle}
    return len(roots) == 1 and any(MODULES[m].name == "__init__.py" for m in cycle)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if p.name not in GENERATED),
    ids=lambda p: str(p.relative_to(PACKAGE.parent)),
)
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {lines} lines"

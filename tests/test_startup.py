"""Start-up: ``adcli eval ... --json`` runs in shell loops, so its path imports only what it uses.

A module added to that path costs every run a few hundred microseconds; this test names the path's
modules, so adding one is a decision (make it lazy, or add it here and measure with
``python bench/startup.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys

# The adcli modules eval --json imports for a scalar program (optional: the compiled core).
EVAL_PATH = {
    "adcli",
    "adcli._tables",
    "adcli.arguments",
    "adcli.bindings",
    "adcli.builder",
    "adcli.cli",
    "adcli.commands",
    "adcli.commands.evaluate",
    "adcli.engine",
    "adcli.engine.sweep",
    "adcli.environment",
    "adcli.errors",
    "adcli.grammar_tables",
    "adcli.graph",
    "adcli.parse",
    "adcli.primitive_functions",
    "adcli.primitives",
    "adcli.text",
    "adcli.values",
}
OPTIONAL = {"adcli.native", "adcli._cparse", "adcli._csweep"}
# Standard-library modules the path must not need: each costs more than a short eval's work.
AVOIDED = {"json", "zlib", "bisect", "importlib", "typing", "difflib", "inspect", "warnings"}

PROBE = """
import sys
before = set(sys.modules)
import re, io
from adcli.cli import run
out = io.StringIO()
from adcli.environment import Environment
status = run(["eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json"], Environment(stdout=out))
assert status == 0 and out.getvalue().startswith('{"value": 2.57942553860420'), out.getvalue()
print(" ".join(sorted(set(sys.modules) - before)))
"""


def test_eval_json_imports_only_its_own_path():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=os.environ, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    ours = {m for m in loaded if m == "adcli" or m.startswith("adcli.")}
    assert ours - OPTIONAL == EVAL_PATH
    assert not loaded & AVOIDED
    assert not {m.split(".")[0] for m in loaded} & {"numpy", "rich", "lark"}

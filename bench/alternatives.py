"""The compiled path's alternatives, measured: adcli's own pure-Python modules compiled as they are
by Cython (pure-Python mode) and by mypyc, against pure CPython and the hand-written C core.

    pip install cython mypy                     # the two compilers (not adcli dependencies)
    python bench/alternatives.py                # wide, deep, mlp: parse at 10^5, sweeps at 10^5, 10^6
    python bench/alternatives.py --rounds 5 --parse-sizes 1e5,1e6 --build /tmp/alt   # keep the builds
    python bench/alternatives.py --variants pure,c   # without the compilers

In a temporary folder the adcli package's ``.py`` files are copied unchanged (no C extensions) and
the hot modules (``HOT``: the pure driver and builder of ``adcli.parse.pure``, the tape, the
primitive table and ``adcli/engine/sweep.py``'s loops) are compiled in place, once by
``cythonize -i -3`` and once by ``mypyc``, with adcli's own C flags (setup.py: IEEE bits kept).
Variants, each timed in its own process with its own ``sys.path`` (the copy first):

* ``pure`` — this checkout with ``ADCLI_PURE=1``: pure CPython;
* ``cython``, ``mypyc`` — the compiled copy with ``ADCLI_PURE=1`` (no hand-written C runs);
* ``c`` — this checkout as built: ``adcli._cparse`` parses, ``adcli._csweep`` sweeps.

Measured: the parse of each workload's program text (``adcli.parse.parse``: the pure driver and
builder under ``ADCLI_PURE=1``) in MB/s, and value + every partial on a built tape (forward +
backward, ``bench/sweeps.py``'s ``one_sweep``) in ms; the tapes are parsed once here and handed
to every variant.  Variants run in turns (``--rounds``, medians).  Each variant's parse gives the
same tape (a checksum) and its sweeps the same value and partials (bit for bit), checked.

mypyc does not take the modules as they are: mypy finds type errors in them (counted and shown), so
the build sets ``ignore_errors = True``; and mypyc names ``Tape._const``'s C field ``__const``,
which gcc reads as its keyword, so the build defines ``-D__const=...`` away.  Both are options,
not source edits.  A compiler that is not installed, or a build that fails (its first error line),
is a row that says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from report import ratio, size, table  # noqa: E402
from sections import _json_of, env_for, log  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

# The modules a parse and a sweep spend their time in (adcli/… relative paths).
HOT = (
    "parse.py",
    "builder.py",
    "graph.py",
    "elements.py",
    "text.py",
    "primitives.py",
    "primitive_functions.py",
    "engine/sweep.py",
)
CFLAGS = "-O2 -ffp-contract=off -fno-fast-math -fno-finite-math-only"  # setup.py's, unix
# mypyc's C names the attribute Tape._const ``__const``, a GCC keyword; this renames the token.
MYPYC_CFLAGS = "-D__const=adcli_mypyc_const"
VARIANTS = {  # name -> (label, what it needs installed)
    "pure": ("pure CPython", None),
    "cython": ("Cython", "Cython"),
    "mypyc": ("mypyc", "mypyc"),
    "c": ("C core", None),
}


def module_name(path: str) -> str:
    return "adcli." + path.removesuffix(".py").replace("/", ".")


def first_error(output: str) -> str:
    """The first line of a failed build's output that says error (else its last line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if re.search(r"\berror\b", line, re.IGNORECASE) and not line.startswith(("gcc ", "cc ")):
            return line[:160]
    return (lines or ["no output"])[-1][:160]


# building ---------------------------------------------------------------------------------------
def copy_package(folder: Path) -> Path:
    """adcli's Python files (and the grammar) copied unchanged into ``folder``: no extension
    modules, no C sources."""
    if folder.exists():
        shutil.rmtree(folder)
    skip = shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", "_native", "*.c")
    shutil.copytree(ROOT / "adcli", folder / "adcli", ignore=skip)
    if (ROOT / "grammar").is_dir():
        shutil.copytree(ROOT / "grammar", folder / "grammar")
    return folder


def compiled_modules(folder: Path) -> list[str]:
    """The hot modules that have an extension module beside their ``.py`` in ``folder``."""
    return [
        path
        for path in HOT
        if list((folder / "adcli" / path).parent.glob(Path(path).stem + ".*.so"))
    ]


def build(variant: str, folder: Path) -> dict:
    """Compile the copy in ``folder`` (reused if already built there); ``{"path": folder,
    "notes": [...]}`` or ``{"error": why not}``."""
    package = VARIANTS[variant][1]
    if importlib.util.find_spec(package) is None:
        wheel = "mypy" if variant == "mypyc" else "cython"
        return {"error": f"not installed (pip install {wheel})"}
    notes: list[str] = []
    done_file = folder / "build.json"
    if done_file.exists() and compiled_modules(folder):
        return json.loads(done_file.read_text())  # --build: an earlier run's build
    copy_package(folder)
    files = [f"adcli/{path}" for path in HOT]
    env = dict(os.environ, CFLAGS=CFLAGS)
    if variant == "cython":
        command = [sys.executable, "-m", "Cython.Build.Cythonize", "-i", "-3", "-k", "-j2", *files]
    else:
        notes.append(type_errors(folder, files))
        (folder / "mypy.ini").write_text("[mypy]\nignore_errors = True\n")
        env["CFLAGS"] = f"{CFLAGS} {MYPYC_CFLAGS}"
        command = [sys.executable, "-m", "mypyc", "--config-file", "mypy.ini", *files]
        notes.append(f"built with ignore_errors = True and {MYPYC_CFLAGS}")
    log(f"building {variant} in {folder} …")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    built = compiled_modules(folder)
    if not built:
        return {"error": f"build failed: {first_error(done.stdout + done.stderr)}"}
    missing = [path for path in HOT if path not in built]
    notes.append(f"{len(built)}/{len(HOT)} hot modules compiled in {seconds:.0f} s")
    if missing:
        notes.append(f"not compiled: {', '.join(missing)} ({first_error(done.stderr)})")
    result = {"path": str(folder), "notes": notes}
    done_file.write_text(json.dumps(result))
    return result


def type_errors(folder: Path, files: list[str]) -> str:
    """What mypy says of the hot modules as they are (mypyc refuses to compile type errors)."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", *files], cwd=folder,
                          capture_output=True, text=True)  # fmt: skip
    hot = "|".join(map(re.escape, files))
    found = re.findall(rf"^(?:{hot}):\d+: error: .*\[([a-z-]+)\]$", done.stdout, re.MULTILINE)
    codes = Counter(found)
    if not codes:
        return "mypy: no type errors"
    shown = ", ".join(f"{n} {code}" for code, n in codes.most_common(4))
    return f"mypy: {sum(codes.values())} type errors ({shown}, …): mypyc refuses them as they are"


# the tapes, made once ---------------------------------------------------------------------------
def write_tapes(folder: Path, workloads: list[str], sizes: list[int]) -> None:
    """Each workload's tape at each size (parsed here, by the fastest path built), with its
    bound point, pickled for the variants' sweeps."""
    sys.path.insert(0, str(ROOT))
    from adcli.parse import parse

    for name in workloads:
        w = WORKLOADS[name]
        for n in sizes:
            p = w.params(n)
            program = parse(w.text(p))
            tape = program.tape
            data = {
                "arrays": (tape.op, tape.arg0, tape.arg1, tape.at, tape.const),
                "output": program.output,
                "inputs": program.bind(w.point(p)),
            }
            (folder / f"{name}-{n}.tape").write_bytes(pickle.dumps(data))


# the worker: one variant, one round, in its own process -----------------------------------------
def worker(options) -> dict:
    """Import adcli from this process's path (the variant's copy first), then time its parse and
    sweeps once each; returns the times, which modules are compiled, and the checks."""
    # isort: off
    # adcli first, from the variant's path: bench/sweeps.py puts this checkout on sys.path
    from adcli import native, parse
    from adcli.engine import sweep
    from adcli.graph import Tape
    from peers import parse_task
    from sweeps import one_sweep

    # isort: on

    c = options.worker == "c"
    if native.pure() == c:
        raise SystemExit(f"variant {options.worker}: ADCLI_PURE is {os.environ.get('ADCLI_PURE')}")
    if c and parse._core() is None:
        raise SystemExit("variant c: adcli._cparse is not built (pip install -e .)")
    modules = [importlib.import_module(module_name(p)) for p in HOT]
    extension = [p for p, m in zip(HOT, modules) if m.__file__.endswith(".so")]
    out: dict = {"file": parse.__file__, "compiled": extension, "parse": {}, "sweeps": {}}
    for name in options.workloads:
        w = WORKLOADS[name]
        for n in options.parse_sizes:
            row = parse_task("adcli", w, n, 1)
            if options.check:
                tape = parse.parse(w.text(w.params(n))).tape
                row["crc"] = zlib.crc32(b"".join(a.tobytes() for a in (tape.op, tape.arg0,
                                        tape.arg1, tape.at, tape.const)))  # fmt: skip
            out["parse"][f"{name} {n}"] = row
        for n in options.sweep_sizes:
            data = pickle.loads((Path(options.tapes) / f"{name}-{n}.tape").read_bytes())
            tape = Tape.from_arrays(*data["arrays"], {})
            program = SimpleNamespace(tape=tape, output=data["output"])
            sweep.needed_partials(tape)  # cached on the tape, as for any point after the first
            # ADCLI_PURE decides the path: set, the C core never loads.  (compiled=True sets
            # sweep.COMPILED_FROM to 0, an int, as mypyc's compiled module insists.)
            row = {"nodes": len(tape), "total": [one_sweep(program, data["inputs"], True)]}
            if options.check:
                s = sweep.forward(tape, data["inputs"])
                adjoint = sweep.backward(tape, s, data["output"])
                grad = math.fsum(adjoint[i] for i in data["inputs"])
                row["digest"] = [s.values[data["output"]].hex(), grad.hex()]
            out["sweeps"][f"{name} {n}"] = row
    return out


def run_variant(variant: str, path: str, options, tapes: Path, check: bool) -> dict:
    env = env_for("compiled" if variant == "c" else "pure") | {"PYTHONPATH": path}
    command = [sys.executable, __file__, "--worker", variant, "--tapes", str(tapes),
               "--workloads", ",".join(options.workloads),
               "--parse-sizes", ",".join(map(str, options.parse_sizes)),
               "--sweep-sizes", ",".join(map(str, options.sweep_sizes))]  # fmt: skip
    if check:
        command.append("--check")
    return _json_of(command, 1800.0, env)


# the table --------------------------------------------------------------------------------------
def milliseconds(seconds: float) -> str:
    ms = seconds * 1e3
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def medians(results: list[dict], stage: str, key: str) -> float | None:
    times = [t for r in results for t in r.get(stage, {}).get(key, {}).get("total", [])]
    return statistics.median(times) if times else None


def render(variants: list[str], results: dict, built: dict, options, load: str) -> str:
    present = [v for v in variants if results[v]]
    faster = [v for v in variants if v != "pure"] if "pure" in variants else []
    against_c = [v for v in variants if v in ("cython", "mypyc")] if "c" in variants else []
    rows = []
    for stage in ("parse", "sweeps"):
        for name in options.workloads:
            for n in options.parse_sizes if stage == "parse" else options.sweep_sizes:
                key = f"{name} {n}"
                t = {v: medians(results[v], stage, key) for v in present}
                first = next((r[stage][key] for v in present for r in results[v][:1]), {})
                cells = [stage, name, str(first.get("nodes", "")) or size(n)]
                for v in variants:
                    x = t.get(v)
                    if x is None:
                        cells.append("")
                    elif stage == "parse":
                        cells.append(f"{first['bytes'] / x / 1e6:.2f}")
                    else:
                        cells.append(milliseconds(x))
                pure, c = t.get("pure"), t.get("c")
                for v in faster:
                    cells.append(ratio(pure / t[v]) if pure and t.get(v) else "")
                for v in against_c:
                    cells.append(ratio(t[v] / c) if c and t.get(v) else "")
                rows.append(cells)
    headers = ["stage", "workload", "nodes", *(VARIANTS[v][0] for v in variants),
               *(f"{VARIANTS[v][0].split()[0]} ×pure" for v in faster),
               *(f"C ×{VARIANTS[v][0]}" for v in against_c)]  # fmt: skip
    lines = [
        f"Parse: MB/s of program text; sweeps: ms of value + every partial (forward + backward) "
        f"on a built tape; medians of {options.rounds} rounds; × = how many times faster.  Load "
        f"average at the start: {load} (shared machine).",
        "",
        table(headers, rows),
        "",
    ]
    for v in variants:
        label = VARIANTS[v][0]
        if "error" in built.get(v, {}):
            lines.append(f"- {label}: {built[v]['error']}")
            continue
        runs = results[v]
        failed = next((r["error"] for r in runs if "error" in r), None)
        notes = built.get(v, {}).get("notes", [])
        if runs and v in ("cython", "mypyc"):
            notes = [*notes, f"compiled modules in use: {len(runs[0]['compiled'])}/{len(HOT)}"]
        lines.append(f"- {label}: " + "; ".join([*notes, *([failed] if failed else [])]))
    lines.append("- " + same_bits(variants, results))
    return "\n".join(lines) + "\n"


def same_bits(variants: list[str], results: dict) -> str:
    """Do every variant's parse checksums and sweep digests equal pure CPython's?"""
    checked = {v: results[v][0] for v in variants if results[v]}
    if "pure" not in checked:
        return "checks: no pure CPython run to compare with"
    ref = checked["pure"]
    differ = [
        VARIANTS[v][0]
        for v, r in checked.items()
        if any(r["parse"][k].get("crc") != ref["parse"][k].get("crc") for k in ref["parse"])
        or any(
            r["sweeps"][k].get("digest") != ref["sweeps"][k].get("digest") for k in ref["sweeps"]
        )
    ]
    shown = ", ".join(VARIANTS[v][0] for v in checked)
    if differ:
        return f"checks: NOT the same tape or bits as pure CPython: {', '.join(differ)}"
    return f"checks: {shown}: the same tapes (checksum) and the same value and partials (bits)"


# main -------------------------------------------------------------------------------------------
def sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s]


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma list")
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="comma list")
    parser.add_argument("--parse-sizes", type=sizes, default=[10**5], help="default 1e5")
    parser.add_argument("--sweep-sizes", type=sizes, default=[10**5, 10**6], help="1e5,1e6")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each variant, in turns")
    parser.add_argument("--build", type=Path, help="build here and keep (reused when present)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--tapes", help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    options.workloads = options.workloads.split(",")
    options.variants = options.variants.split(",")
    for v in options.variants:
        if v not in VARIANTS:
            parser.error(f"unknown variant {v!r}; known: {', '.join(VARIANTS)}")
    for w in options.workloads:
        if w not in WORKLOADS:
            parser.error(f"unknown workload {w!r}")
    return options


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    if options.worker:
        print(json.dumps(worker(options)))
        return 0
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="adcli-alternatives-") as tmp:
        base = options.build or Path(tmp)
        built = {
            "pure": {"path": str(ROOT), "notes": ["this checkout, ADCLI_PURE=1"]},
            "c": {"path": str(ROOT), "notes": ["this checkout as built (_cparse, _csweep)"]},
        }
        for v in ("cython", "mypyc"):
            if v in options.variants:
                built[v] = build(v, base / v)
        tapes = Path(tmp) / "tapes"
        tapes.mkdir()
        write_tapes(tapes, options.workloads, options.sweep_sizes)
        results: dict[str, list[dict]] = {v: [] for v in options.variants}
        ready = [v for v in options.variants if "path" in built[v]]
        for k in range(options.rounds):
            for v in ready[k % len(ready) :] + ready[: k % len(ready)]:  # turns, rotated
                if any("error" in r for r in results[v]):
                    continue  # failed in an earlier round: not tried again
                result = run_variant(v, built[v]["path"], options, tapes, check=k == 0)
                log(f"round {k + 1} {v:7} {result.get('error') or 'done'}")
                results[v].append(result)
        for v in options.variants:
            failed = [r for r in results[v] if "error" in r]
            if failed:
                built[v] = {"error": f"run failed: {failed[0]['error']}"}
                results[v] = []
        print(render(options.variants, results, built, options, load), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The peers adcli is measured against, and the worker that measures one of them in its own process.

Run by ``bench/run.py`` as ``python bench/peers.py TASK PEER WORKLOAD N RUNS``; prints one JSON
object.  Tasks:

* ``engine`` — build the workload's graph from the peer's scalar objects, then value + every
  partial; ``RUNS`` times, each on a fresh graph.  For adcli the forward and reverse sweeps are
  timed apart, and the built tape is replayed (sweeps only) as well.
* ``parse`` — read the workload's program text: ``adcli.parse.parse`` (PEER ``adcli`` or
  ``adcli-pure``) or ``ast.parse`` of the same text as Python (PEER ``python-ast``).
* ``profile`` — cProfile of adcli's parse and sweeps (the top costs, as text).

Peak memory is the growth of the process's resident set over the measurement: the kernel's
high-water mark is reset (``/proc/self/clear_refs``) just before the first run and read after it.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import math
import sys
import threading
import time
from types import SimpleNamespace

from workloads import WORKLOADS, Workload

# name -> (label, module that must be importable, note shown under the table)
PEERS: dict[str, tuple[str, str, str]] = {
    "adcli": ("adcli", "adcli", "adcli.Tape + Var arithmetic, engine.forward/backward"),
    "adcli-pure": ("adcli pure", "adcli", "the same with ADCLI_PURE=1: pure-Python sweeps"),
    "torch": ("PyTorch", "torch", "torch.tensor float64 scalars, requires_grad, .backward()"),
    "micrograd": ("micrograd", "micrograd", "micrograd.engine.Value (+ sin, tanh in its style)"),
    "micrograd-stack": (
        "micrograd †",
        "micrograd",
        "† micrograd with sys.setrecursionlimit(10**7) in a 1 GiB-stack thread",
    ),
    "seed": ("seed Var", "math", "the seed's recursive Var (bench/seed_var.py)"),
    "sympy": ("SymPy", "sympy", "sympy expression, diff per input, evaluated with xreplace"),
}


def available(peer: str) -> bool:
    return importlib.util.find_spec(PEERS[peer][1]) is not None


# memory -----------------------------------------------------------------------------------------
def _status(field: str) -> int:
    """A field of /proc/self/status in bytes (0 where there is no /proc)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def reset_peak() -> int:
    """Reset the resident-set high-water mark to the current size, which is returned."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass
    return _status("VmRSS:")


def peak_since(base: int) -> int:
    return max(0, _status("VmHWM:") - base)


def _digest(value: float, partials) -> dict:
    """What the runner checks peers against: the value and two order-free sums of the partials."""
    partials = [float(g) for g in partials]
    return {
        "value": float(value),
        "gsum": math.fsum(partials),
        "gsq": math.fsum(g * g for g in partials),
        "inputs": len(partials),
    }


# engine peers: each returns (build, gradient) where build(xs-values) -> state,
# gradient(state) -> (value, partials) ------------------------------------------------------------
def _adcli_run(workload: Workload, p: int, point: dict, first: bool, out: dict) -> None:
    import adcli
    from adcli import engine

    ops = SimpleNamespace(sin=adcli.fn.sin, tanh=adcli.fn.tanh)
    t0 = time.perf_counter()
    tape = adcli.Tape()
    xs = {name: tape.input(name) for name in point}
    output = workload.build(ops, xs, p).index
    t1 = time.perf_counter()
    inputs = {x.index: point[name] for name, x in xs.items()}
    sweep = engine.forward(tape, inputs)
    t2 = time.perf_counter()
    adjoint = engine.backward(tape, sweep, output)
    gradient = {name: adjoint[x.index] for name, x in xs.items()}
    t3 = time.perf_counter()
    out.setdefault("build", []).append(t1 - t0)
    out.setdefault("forward", []).append(t2 - t1)
    out.setdefault("backward", []).append(t3 - t2)
    out.setdefault("total", []).append(t3 - t0)
    if first:
        out["peak"] = peak_since(out["base"])
        out.update(_digest(sweep.values[output], gradient.values()))
        out["tape"] = len(tape)
    del sweep, adjoint
    # Replay: the tape is built; only the sweeps run (what a compiled program costs per point);
    # the partials gathered by name after them are timed apart (a dict of N/4 names in wide).
    t0 = time.perf_counter()
    sweep = engine.forward(tape, inputs)
    t1 = time.perf_counter()
    adjoint = engine.backward(tape, sweep, output)
    t2 = time.perf_counter()
    gradient = {name: adjoint[x.index] for name, x in xs.items()}
    t3 = time.perf_counter()
    out.setdefault("replay_forward", []).append(t1 - t0)
    out.setdefault("replay_backward", []).append(t2 - t1)
    out.setdefault("replay_gather", []).append(t3 - t2)


def _torch_run(workload: Workload, p: int, point: dict, first: bool, out: dict) -> None:
    import torch

    ops = SimpleNamespace(sin=torch.sin, tanh=torch.tanh)
    t0 = time.perf_counter()
    xs = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in point.items()}
    loss = workload.build(ops, xs, p)
    t1 = time.perf_counter()
    loss.backward()
    value = loss.item()
    partials = [x.grad.item() for x in xs.values()]
    t2 = time.perf_counter()
    _record(out, first, t0, t1, t2, value, partials)


def _micrograd_ops():
    from micrograd.engine import Value

    # micrograd's Value has no sin or tanh: written the way its own operations are.
    def sin(x):
        out = Value(math.sin(x.data), (x,), "sin")

        def _backward():
            x.grad += math.cos(x.data) * out.grad

        out._backward = _backward
        return out

    def tanh(x):
        t = math.tanh(x.data)
        out = Value(t, (x,), "tanh")

        def _backward():
            x.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    return Value, SimpleNamespace(sin=sin, tanh=tanh)


def _micrograd_run(workload: Workload, p: int, point: dict, first: bool, out: dict) -> None:
    Value, ops = _micrograd_ops()
    t0 = time.perf_counter()
    xs = {n: Value(v) for n, v in point.items()}
    loss = workload.build(ops, xs, p)
    t1 = time.perf_counter()
    loss.backward()
    partials = [x.grad for x in xs.values()]
    t2 = time.perf_counter()
    _record(out, first, t0, t1, t2, loss.data, partials)


def _seed_run(workload: Workload, p: int, point: dict, first: bool, out: dict) -> None:
    import seed_var

    ops = SimpleNamespace(sin=seed_var.sin, tanh=seed_var.tanh)
    t0 = time.perf_counter()
    xs = {n: seed_var.Var(v) for n, v in point.items()}
    z = workload.build(ops, xs, p)
    t1 = time.perf_counter()
    partials = seed_var.gradient(z, list(xs.values()))
    t2 = time.perf_counter()
    _record(out, first, t0, t1, t2, z.value, partials)


def _sympy_run(workload: Workload, p: int, point: dict, first: bool, out: dict) -> None:
    import sympy

    sympy.core.cache.clear_cache()  # each run starts cold, as one evaluation would
    ops = SimpleNamespace(sin=sympy.sin, tanh=sympy.tanh)
    t0 = time.perf_counter()
    xs = {n: sympy.Symbol(n) for n in point}
    expr = workload.build(ops, xs, p)
    t1 = time.perf_counter()
    at = {xs[n]: sympy.Float(v, 17) for n, v in point.items()}
    value = float(expr.xreplace(at))
    partials = [float(expr.diff(x).xreplace(at)) for x in xs.values()]
    t2 = time.perf_counter()
    _record(out, first, t0, t1, t2, value, partials)


def _record(out: dict, first: bool, t0, t1, t2, value, partials) -> None:
    out.setdefault("build", []).append(t1 - t0)
    out.setdefault("backward", []).append(t2 - t1)
    out.setdefault("total", []).append(t2 - t0)
    if first:
        out["peak"] = peak_since(out["base"])
        out.update(_digest(value, partials))


RUNNERS = {
    "adcli": _adcli_run,
    "adcli-pure": _adcli_run,  # run.py sets ADCLI_PURE=1 in its environment
    "torch": _torch_run,
    "micrograd": _micrograd_run,
    "micrograd-stack": _micrograd_run,
    "seed": _seed_run,
    "sympy": _sympy_run,
}


def _imports(peer: str) -> None:
    """Import the peer's modules before the baseline is taken: memory is the graph's, not theirs."""
    if peer == "torch":
        import torch

        torch.set_num_threads(1)  # scalars: threads only add overhead, and the machine is shared
    elif peer.startswith("micrograd"):
        _micrograd_ops()
    elif peer == "sympy":
        import sympy  # noqa: F401
    elif peer.startswith("adcli"):
        import adcli  # noqa: F401
    elif peer == "seed":
        import seed_var  # noqa: F401


def engine_task(peer: str, workload: Workload, n: int, runs: int) -> dict:
    p = workload.params(n)
    point = workload.point(p)
    _imports(peer)
    out: dict = {"nodes": workload.nodes(p)}
    run = RUNNERS[peer]
    for k in range(runs):
        gc.collect()
        if k == 0:
            out["base"] = reset_peak()
        run(workload, p, point, k == 0, out)
    return out


def parse_task(peer: str, workload: Workload, n: int, runs: int) -> dict:
    p = workload.params(n)
    if peer.startswith("adcli"):
        from adcli.parse import parse as read

        text = workload.text(p)
    else:
        import ast

        read, text = ast.parse, workload.python_text(p)
    out: dict = {"nodes": workload.nodes(p), "bytes": len(text.encode())}
    times = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        read(text)
        times.append(time.perf_counter() - t0)
    out["total"] = times
    return out


def profile_task(peer: str, workload: Workload, n: int, runs: int) -> dict:
    """cProfile of adcli's parse of the program text, of building the same graph with Var
    arithmetic, and of one forward and reverse sweep."""
    import cProfile
    import io
    import pstats

    from adcli import engine
    from adcli.parse import parse

    p = workload.params(n)
    text, point = workload.text(p), workload.point(p)
    report = {}
    for stage in ("parse", "build", "sweeps"):
        profiler = cProfile.Profile()
        if stage == "parse":
            profiler.enable()
            program = parse(text)
            profiler.disable()
        elif stage == "build":
            import adcli

            ops = SimpleNamespace(sin=adcli.fn.sin, tanh=adcli.fn.tanh)
            profiler.enable()
            tape = adcli.Tape()
            workload.build(ops, {name: tape.input(name) for name in point}, p)
            profiler.disable()
            del tape
        else:
            inputs = program.bind(point)
            profiler.enable()
            sweep = engine.forward(program.tape, inputs)
            engine.backward(program.tape, sweep, program.output)
            profiler.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("tottime").print_stats(14)
        report[stage] = buffer.getvalue()
    return report


TASKS = {"engine": engine_task, "parse": parse_task, "profile": profile_task}


def main(argv: list[str]) -> int:
    task, peer, name, n, runs = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    result: dict = {}

    def work() -> None:
        try:
            result.update(TASKS[task](peer, WORKLOADS[name], n, runs))
        except RecursionError:
            result["error"] = "RecursionError"
        except MemoryError:
            result["error"] = "MemoryError"
        except Exception as error:  # a peer's own failure is a result to report, not a crash
            result["error"] = f"{type(error).__name__}: {str(error)[:120]}"

    if peer == "micrograd-stack":
        # The only way micrograd's recursive topological sort survives deep graphs.
        sys.setrecursionlimit(10**7)
        threading.stack_size(1 << 30)
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    else:
        work()
    result.pop("base", None)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

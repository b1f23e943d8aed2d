"""Streams of points in and results out (layer 3): ``adcli <command> --batch``.

* ``reader`` — lines of a file or stdin, a block at a time, with the per-line size limit;
* ``records`` — JSON Lines and CSV lines as bindings (or the error that stands for a line);
* ``writers`` — results as JSON Lines or CSV;
* ``driver`` — the batch driver: read a chunk, replay it (``adcli.engine.replay``), write it;
* ``points`` — the per-point driver (hessian, jvp, check): the command's own answer per line.

Nothing here imports ``commands`` or the CLI: the command wires its options into ``run_batch``.
"""

from __future__ import annotations

from .driver import Batch, run_batch
from .points import run_points

__all__ = ["Batch", "run_batch", "run_points"]

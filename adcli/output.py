"""Writing results: strict JSON (never NaN or Infinity) and numbers as people read them.

JSON never goes through Rich, which wraps long lines when piped; it is written to stdout as is.
"""

from __future__ import annotations

import json
import sys


def dumps(obj: object) -> str:
    """Strict RFC 8259 JSON: a non-finite number is a bug upstream, so it raises here."""
    return json.dumps(obj, allow_nan=False)


def print_json(obj: object) -> None:
    sys.stdout.write(dumps(obj) + "\n")
    sys.stdout.flush()


def format_number(x: float, digits: int | None = None) -> str:
    """Shortest text that round-trips (repr), or ``digits`` significant digits."""
    if digits is None:
        return repr(float(x))
    return f"{float(x):.{digits}g}"


def warn(message: str, quiet: bool = False) -> None:
    if not quiet:
        from .errors import clip_message  # a warning naming a 1 MB input must not echo it

        sys.stderr.write(f"adcli: warning: {clip_message(message)}\n")

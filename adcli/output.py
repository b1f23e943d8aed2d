"""Numbers as people read them (to be folded into ``adcli.text``, the one formatter).

Writing goes through ``adcli.environment.Environment`` (``write_json``, ``warn``, ``console``).
"""

from __future__ import annotations


def format_number(x: float, digits: int | None = None) -> str:
    """Shortest text that round-trips (repr), or ``digits`` significant digits."""
    if digits is None:
        return repr(float(x))
    return f"{float(x):.{digits}g}"

"""Bound values as the user writes them: names and numbers spelled as the grammar spells them,
and JSON objects of bindings (``{"x": 0.5, "w": [1, 2]}``), each checked strictly (finite, no
NaN, no strings or booleans, nothing ragged) with a status-2 error that names what was wrong.

Shared by the command line (``adcli.arguments``) and the batch readers (``adcli.stream``); the
caller says where a value came from (``what``: "--at", "line 3", "--direction x"), so messages
speak of names and places, and the command line adds its flags.
"""

from __future__ import annotations

import math
import re
from itertools import compress, repeat
from operator import is_not

from . import _tables
from .errors import UsageError
from .primitives import CONSTANTS
from .text import clip
from .values import Value, json_number, loads_strict, value_from_json, value_from_text

# Names and numbers are spelled as the grammar's NAME and NUMBER terminals (grammar/adcli.lark,
# frozen in _tables), so a binding reads exactly what a program would; a bound number may carry
# a sign, which a program writes as an operator.  ASCII: `\d` must not take '١٢'.
# Compiled with the flags adcli.parse uses, so re's cache compiles each once per run.
_TERMINALS = dict(_tables.TERMINALS)
NAME = re.compile(_TERMINALS["NAME"], re.ASCII)
_UNSIGNED = re.compile(_TERMINALS["NUMBER"], re.ASCII)


def is_number(text: str) -> bool:
    """``text`` is a number as a program writes it, with an optional sign: ``-1.5``, ``+2e3``."""
    return _UNSIGNED.fullmatch(text[1:] if text[:1] in ("+", "-") else text) is not None


def parse_number(text: str, what: str) -> float:
    """A binding's value: a finite number, or a usage error that says what was wrong."""
    stripped = text.strip()
    try:
        value = float(stripped)
    except ValueError:
        value = None
    if value is None or not (is_number(stripped) or not math.isfinite(value)):
        raise UsageError(f"{what}: {clip(text, 40)!r} is not a number")
    if not math.isfinite(value):
        raise UsageError(f"{what}: {clip(text, 40)} is not a finite number")
    return value


def parse_binding(text: str, what: str) -> Value:
    """A command-line binding's value: a number, or a JSON array (``[1, 2]``, ``[[1, 2], [3, 4]]``)."""
    if text.lstrip().startswith("["):
        return value_from_text(text, what)
    return parse_number(text, what)


def check_name(name: str, what: str) -> None:
    """A usage error unless ``name`` is an input name that can be bound (not a constant)."""
    if not NAME.fullmatch(name):
        raise UsageError(f"{what}: {clip(name, 40)!r} is not a valid input name")
    if name in CONSTANTS:
        raise UsageError(f"{what}: '{name}' is a constant and cannot be bound")


def bindings_from_json(text: str, what: str, arrays: bool = False) -> dict[str, Value]:
    """A JSON object of name → number (or, with ``arrays``, → number or array of numbers):
    strict (no NaN, no strings, no booleans, nothing ragged or empty)."""
    if not text.strip():
        raise UsageError(f'{what}: empty; expected a JSON object such as {{"x": 0.5}}')
    data = _flat_point(text, arrays) if len(text) >= COMPILED_FROM else None
    if data is None:
        data = loads_strict(text, what)
    elif (  # names that are identifiers (checked in C), to finite floats (or arrays of them)
        _IDENTIFIER
        and data.keys().isdisjoint(CONSTANTS)  # a lookup per constant
        and not (arrays and list in set(map(type, data.values())))
    ):
        return data
    if not isinstance(data, dict):
        raise UsageError(f'{what}: expected a JSON object such as {{"x": 0.5}}')
    if not valid_names(list(data)):
        # Some name is wrong: binding by binding, so the first error (name or value) is reported.
        out: dict[str, Value] = {}
        for name, value in data.items():
            check_name(name, what)
            out[name] = _value(value, f"{what}: {name}", arrays)
        return out
    # Every name is good, and every float loads_strict made is finite: only the other values
    # (arrays, or what is no number) need a look, in order, so the first error is the same.
    types = list(map(type, data.values()))
    if set(types) == {float}:
        return data
    for name in compress(list(data), map(is_not, types, repeat(float))):
        data[name] = _value(data[name], f"{what}: {name}", arrays)
    return data


# Past this many characters a JSON object of bindings is first offered to the compiled reader
# (adcli._cjson.point: plain names to finite numbers, or arrays of them, the very dict
# json.loads makes, at two to four times its speed); shorter ones do not load it (start-up time).
COMPILED_FROM = 4096


def _flat_point(text: str, arrays: bool = False) -> dict | None:
    """The compiled reader's dict for ``text``, or None (not built, ADCLI_PURE, or a document it
    leaves to json: anything but names to finite numbers — or, with ``arrays``, to arrays of
    them — and every error).  Its lists are json's, not yet checked (ragged, empty): the caller
    looks at them as at json's."""
    from .native import load

    cjson = load("_cjson")
    if cjson is None:
        return None
    try:
        return cjson.point(text, arrays)
    except TypeError:  # a build older than ``arrays``
        return None if arrays else cjson.point(text)


def _value(value: object, what: str, arrays: bool) -> Value:
    if arrays and isinstance(value, list):
        return value_from_json(value, what)
    return json_number(value, what, plain=True)


# For ASCII text, str.isidentifier accepts exactly the NAME terminal as it is spelled today; if
# the grammar ever spells it otherwise, valid_names says False and check_name decides each name.
_IDENTIFIER = _TERMINALS["NAME"] == "[A-Za-z_][A-Za-z0-9_]*"


def valid_names(names: list[str]) -> bool:
    """Whether every name would pass ``check_name``, checked in bulk (C-level string methods
    over the whole list, no call of ours per name).  False says only that some name may be
    wrong: ``check_name`` each to say which."""
    return (
        _IDENTIFIER
        and "".join(names).isascii()
        and all(map(str.isidentifier, names))
        and CONSTANTS.keys().isdisjoint(names)
    )

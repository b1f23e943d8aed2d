"""Text → graph: the lexer, the LALR(1) driver over lark's tables, and the graph builder.

The grammar is ``grammar/adcli.lark``; lark computes its tables (``adcli.grammar_tables``) and
this module runs them.  Each reduction calls the builder method named by the rule's alias, so the
graph is built during parsing — no parse tree, and no recursion at any nesting depth: the
parser's stacks are lists.  Nodes remember the offset of their token, for messages such as
``log at 1:5: argument -2.5 is not > 0``.
"""

from __future__ import annotations

import gc
import re
from array import array
from functools import partial

from . import _tables
from .builder import ARRAY, Builder
from .errors import ProgramSyntaxError
from .grammar_tables import CALL, PASS, fixed_texts, grammar_path, scan_order, scanner_regex
from .graph import Program, Tape
from .primitives import CODES, CONST, CONSTANTS, INPUT, OPERATORS, TABLE, lookup
from .text import clip, excerpt, where

__all__ = ["ARRAY", "parse"]


def _load_tables():
    """The frozen tables, or — if grammar/adcli.lark was edited since — fresh ones from lark.
    (The file is compared with the text the tables were made from: a checksum would import
    zlib, which costs a short run more start-up time than reading 2 KB.)"""
    path = grammar_path()
    if path is not None:
        with open(path, "rb") as handle:
            raw = handle.read()
        if raw != _tables.GRAMMAR:  # the text the tables were made from
            from .grammar_tables import build

            return build(raw.decode())
    return {
        k: getattr(_tables, k) for k in ("TERMINALS", "IGNORE", "RULES", "STATES", "START", "END")
    }


_T = _load_tables()


_SCANNER: re.Pattern | None = None  # compiled when first needed: see scanner()


def scanner() -> re.Pattern:
    """The scanner (``grammar_tables.scanner_regex``), compiled on the first parse that needs
    it, not at import: compiling it is a large part of a short run's start-up."""
    global _SCANNER
    if _SCANNER is None:
        _SCANNER = scanner_regex(_T["TERMINALS"])
    return _SCANNER


_IGNORE = frozenset(_T["IGNORE"])
# ASCII as adcli.bindings compiles it (same pattern and flags: re's cache compiles it once; the
# NAME terminal has no \w or \d, so the flag changes nothing it matches).
_NAME = re.compile(dict(_T["TERMINALS"])["NAME"], re.ASCII)
_NUMBER = re.compile(dict(_T["TERMINALS"])["NUMBER"], re.ASCII)

# How the expected tokens read in a syntax error.
_WORDS = {
    "NUMBER": "a number",
    "NAME": "a name",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "EQUAL": "'='",
    "_SEP": "';' or a new line",
    "$END": "the end of the program",
    "LSQB": "'['",
    "RSQB": "']'",
    "COLON": "':'",
}
_OPERATORS = {"PLUS": "+", "MINUS": "-", "STAR": "*", "SLASH": "/", "POW": "^", "AT": "@"}
_COMPARISONS = {"LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "EQ": "==", "NE": "!="}


# Texts at least this long try the compiled parser first: below it the pure one takes less time
# than loading the extension would (and a small `eval` imports nothing more at start-up).
COMPILED_FROM = 2048


def parse(text: str, names: dict | None = None) -> Program:
    """Parse a program into its graph.  Raises ``ProgramSyntaxError`` / ``ProgramNameError`` /
    ``ArityError`` with the position and a caret excerpt.

    ``names`` (optional, e.g. the point it will be evaluated at) changes nothing in the result:
    where its keys are the inputs' names in order, the compiled parser uses those very strings,
    so a wide program and its point hold one string per name and match by identity."""
    if len(text) >= COMPILED_FROM:
        program = compiled(text, names)
        if program is not None:
            return program
    return pure(text)


def pure(text: str) -> Program:
    """``parse`` by the pure-Python driver and builder, whatever the text's length."""
    builder = Builder(text, _NAME, _NUMBER)
    collecting = gc.isenabled()
    gc.disable()  # the parse allocates millions of short-lived objects and no cycles
    try:
        _drive(text, builder)
    finally:
        if collecting:
            gc.enable()
    return builder.program


def compiled(text: str, names: dict | None = None) -> Program | None:
    """``parse`` by the compiled core (adcli._cparse), or None where it does not apply: not
    built, ``ADCLI_PURE`` set, or anything but a scalar program that parses without error (the
    caller then runs ``pure``, which gives the identical Program or error)."""
    core = _core()
    if core is None:
        return None
    collecting = gc.isenabled()
    gc.disable()  # a wide program's names are a million objects, and no cycles
    try:
        result = core.parse(text, names)
    except TypeError:  # a build older than ``names``
        result = core.parse(text)
    finally:
        if collecting:
            gc.enable()
    if result is None or len(result) != 10:  # 10: not a build older than the names as pairs
        return None
    from .elements import NodeNames

    *arrays, events, labels, inputs, bindings, output = result
    names = NodeNames()  # made when something reads them (a printout, an error): eval does not
    names.later(partial(_name_nodes, events=events, labels=labels))
    return Program(Tape.from_arrays(*arrays, names=names), output, inputs, text, bindings)


def _name_nodes(names: dict[int, str], events: bytes, labels: list[str]) -> None:
    """The compiled parser's tape names: ``events`` are (node, label) int32 pairs, in the order
    the builder names nodes."""
    pairs = memoryview(events).cast("i")
    names.update(zip(pairs[0::2], map(labels.__getitem__, pairs[1::2])))


_CORE: list = []  # [module or None], once loaded


def _core():
    """adcli._cparse fed this module's tables and the primitive table's codes, or None."""
    if not _CORE:
        from .native import load

        core = load("_cparse")
        if core is not None and not _feed(core):
            core = None
        _CORE.append(core)
    return _CORE[0]


def _feed(core) -> bool:
    """Give the compiled parser the tables and codes; False if it cannot run them (its pattern
    terminals' regexes differ from an edited grammar's, or C's int is not 4 bytes)."""
    if (array("i").itemsize, array("d").itemsize) != (4, 8):
        return False
    terminals = [(n, r, fixed_texts(r)) for n, r in scan_order(_T["TERMINALS"])]
    # builder.py's actions: the operators' nodes, then the comparisons' (from the table)
    binary = {k: OPERATORS[k] for k in ("add", "sub", "mul", "div", "pow")}
    binary.update((p.name, lookup(p.name, 2)) for p in TABLE if p.symbol and not p.precedence)
    where = (OPERATORS["add"], lookup("pick", 2), lookup("unpick", 2))
    try:
        core.init(
            terminals,
            *(_T[k] for k in ("IGNORE", "STATES", "RULES", "START", "END")),
            dict(CODES),
            dict(CONSTANTS),
            binary,
            {"neg": OPERATORS["neg"]},
            INPUT,
            CONST,
            where if None not in where else None,
        )
    except ValueError:
        return False
    return True


def _drive(text: str, builder: Builder | None, stop_at: int = -1) -> list | None:
    """Run the LALR automaton over ``text``, calling ``builder`` on each reduction.

    With ``stop_at`` (and no builder) it returns the state stack just before the token at that
    offset is read: the configuration a syntax error message describes.
    """
    states = _T["STATES"]
    rules = _T["RULES"]
    end_state = _T["END"]
    ignore = _IGNORE
    callbacks = {
        rule[3][0]: getattr(builder, rule[3][0]) if builder else _ignore_children
        for rule in rules
        if rule[2] == CALL
    }
    unit = _UNIT
    chains = _CHAINS
    state_stack = [_T["START"]]
    value_stack: list = []
    previous = None
    for m in (_SCANNER or scanner()).finditer(text):
        kind = m.lastgroup
        if kind in ignore:
            continue
        if stop_at >= 0 and m.start() == stop_at:
            return state_stack
        if kind == "_BAD":
            _unexpected_character(text, m)
        action = states[state_stack[-1]].get(kind)
        while action is not None and action < 0:
            if unit[~action]:
                # A run of unit reductions (atom → power → unary → product → sum) changes only
                # the top state, and where it ends depends on nothing but the state below, the
                # top state and the lookahead: remember it and jump there in one step.
                key = (state_stack[-2], state_stack[-1], kind)
                top = chains.get(key)
                if top is None:
                    top = chains[key] = _unit_chain(state_stack[-2], state_stack[-1], kind)
                state_stack[-1] = top
            else:
                _reduce(rules[~action], states, state_stack, value_stack, callbacks)
            action = states[state_stack[-1]].get(kind)
        if action is None:
            _unexpected(text, m.start(), kind, m.group(), previous, state_stack)
        state_stack.append(action)
        # A token's value is its offset: a match object costs 150 bytes, and a program nested a
        # million deep keeps a million open `sin(` tokens on the stack.  The builder re-reads
        # a name or a number from the text at that offset.
        value_stack.append(m.start())
        previous = m
    if stop_at >= 0:
        return state_stack
    while True:
        action = states[state_stack[-1]].get("$END")
        if action is None:
            _unexpected(text, len(text), "$END", "", previous, state_stack)
        _reduce(rules[~action], states, state_stack, value_stack, callbacks)
        if state_stack[-1] == end_state:
            return None


def _ignore_children(*children) -> None:
    return None


# Rules of the form `?a: b` with one symbol: reducing them only relabels the top of the stack.
_UNIT = tuple(kind == PASS and size == 1 for _, size, kind, _, _ in _T["RULES"])
_CHAINS: dict[tuple[int, int, str], int] = {}


def _unit_chain(below: int, top: int, kind: str) -> int:
    """The top state after every unit reduction that ``kind`` triggers above ``below``."""
    states, rules = _T["STATES"], _T["RULES"]
    action = states[top].get(kind)
    while action is not None and action < 0 and _UNIT[~action]:
        top = states[below][rules[~action][0]]
        action = states[top].get(kind)
    return top


def _reduce(rule, states, state_stack, value_stack, callbacks) -> None:
    origin, size, kind, arg, spliced = rule
    if kind == PASS and size == 1:
        state_stack.pop()  # the value stays; only the state changes
    else:
        children = value_stack[-size:]
        del value_stack[-size:]
        del state_stack[-size:]
        if kind == PASS:
            value = children[arg]
        elif kind == CALL:
            name, kept = arg
            if len(kept) == size and not spliced:  # `sum PLUS product`: every child, as is
                value = callbacks[name](*children)
            else:
                value = callbacks[name](*_gather(children, kept, spliced))
        else:  # SPLICE: a `_rule`'s children, as a list its parent splices in
            value = _gather(children, arg, spliced)
        value_stack.append(value)
    state_stack.append(states[state_stack[-1]][origin])


def _gather(children: list, kept, spliced) -> list:
    if not spliced:
        return [children[i] for i in kept]
    # Left-recursive lists (`x (_SEP x)*`) grow in place: linear, not quadratic.
    first = kept[0]
    out = children[first] if first in spliced else [children[first]]
    for i in kept[1:]:
        if i in spliced:
            out.extend(children[i])
        else:
            out.append(children[i])
    return out


def _describe(kind: str, text: str) -> str:
    if kind == "$END":
        return "the end of the program"
    if kind == "_SEP":
        return "';'" if text.startswith(";") else "a new line"
    if kind == "NUMBER":
        return f"the number {clip(text, 24)}"
    if kind == "NAME":
        return f"the name '{clip(text, 24)}'"
    return f"'{text}'"


def _acceptable(kind: str, state_stack: list) -> bool:
    """Would the parser, in this configuration, shift ``kind`` after any pending reductions?

    LALR merges lookaheads, so a state's own action keys over-promise; simulating the
    reductions on a copy of the stack gives exactly the tokens that could come next.
    """
    states, rules = _T["STATES"], _T["RULES"]
    stack = list(state_stack[-64:])  # reductions here pop at most a few states
    while True:
        action = states[stack[-1]].get(kind)
        if action is None:
            return False
        if action >= 0:
            return True
        origin, size = rules[~action][:2]
        if size >= len(stack):
            return True  # reduces past what we copied: the start rule, so the end is acceptable
        del stack[len(stack) - size :]
        stack.append(states[stack[-1]][origin])
        if kind == "$END" and stack[-1] == _T["END"]:
            return True


def _expected(state_stack: list) -> str:
    terminals = [name for name, _ in _T["TERMINALS"] if name not in _IGNORE] + ["$END"]
    possible = [k for k in terminals if _acceptable(k, state_stack)]
    words = []
    if {"NUMBER", "NAME", "LPAR"} <= set(possible):
        # Where an operand may start; '[' (an array literal) is one too, left unsaid so that
        # the scalar language's messages read as they always have.
        words += ["a number", "a name", "'('"]
        operand = ("NUMBER", "NAME", "LPAR", "PLUS", "MINUS", "LSQB")
        possible = [k for k in possible if k not in operand]
    elif "NUMBER" in possible:  # inside x[...]: only an index can come
        words.append("an index (a whole number such as 0 or -1)")
        possible = [k for k in possible if k not in ("NUMBER", "MINUS")]
    operators = [k for k in possible if k in _OPERATORS or k in _COMPARISONS]
    if len(operators) >= 4:
        words.append("an operator")  # indexing `x[0]` is a (postfix) operator too
        possible = [k for k in possible if k != "LSQB"]
    else:
        words += [f"'{_OPERATORS.get(k) or _COMPARISONS[k]}'" for k in operators]
    rest = [k for k in possible if k not in _OPERATORS and k not in _COMPARISONS]
    if "_SEP" in rest or "$END" in rest:
        rest = [k for k in rest if k not in ("_SEP", "$END")] + ["END"]
    words += [_WORDS.get(k, "the end of the statement" if k == "END" else k) for k in rest]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _unexpected(text: str, offset: int, kind: str, token: str, previous, state_stack: list):
    if (
        kind == "$END"
        and (previous is None or previous.lastgroup == "_SEP")
        and len(state_stack) <= 2
    ):
        raise ProgramSyntaxError("empty program: nothing to evaluate")
    # The reductions made while trying this token hide what could have come instead: replay
    # the text up to it (error path only) to see the configuration before them.
    state_stack = _drive(text, None, stop_at=offset)
    after = f" after {_describe(previous.lastgroup, previous.group())}" if previous else ""
    message = (
        f"syntax error at {where(text, offset)}: expected {_expected(state_stack)}{after}, "
        f"found {_describe(kind, token)}"
    )
    raise ProgramSyntaxError(message, excerpt(text, offset))


def _unexpected_character(text: str, m: re.Match) -> None:
    char = m.group()
    shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
    raise ProgramSyntaxError(
        f"syntax error at {where(text, m.start())}: unexpected character {shown}",
        excerpt(text, m.start()),
    )

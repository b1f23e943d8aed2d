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

from . import _tables
from .errors import ArityError, ProgramNameError, ProgramSyntaxError, excerpt, where
from .grammar_tables import CALL, PASS, grammar_crc, grammar_path
from .graph import ADD, DIV, MUL, NEG, POW, SUB, Program, Tape
from .primitives import ARITIES, CONST, CONSTANTS, lookup

ARRAY = 255  # op code of an array-level node; adcli.arrays lowers these onto scalar nodes
# Functions of whole arrays (reductions and shape functions) and how many arguments each takes.
ARRAY_FUNCTIONS = {
    "sum": 1,
    "mean": 1,
    "prod": 1,
    "max": 1,
    "min": 1,
    "norm": 1,
    "len": 1,
    "transpose": 1,
    "dot": 2,
}


def _load_tables():
    """The frozen tables, or — if grammar/adcli.lark was edited since — fresh ones from lark."""
    path = grammar_path()
    if path is not None:
        with open(path, "rb") as handle:
            raw = handle.read()
        if grammar_crc(raw) != _tables.GRAMMAR_CRC:
            from .grammar_tables import build

            return build(raw.decode())
    return {
        k: getattr(_tables, k) for k in ("TERMINALS", "IGNORE", "RULES", "STATES", "START", "END")
    }


_T = _load_tables()
# ASCII: `\d` must not take other scripts' digits (float() would accept '١٢' as 12).
_SCANNER = re.compile(
    "|".join(f"(?P<{name}>{regex})" for name, regex in _T["TERMINALS"]) + r"|(?P<_BAD>(?s:.))",
    re.ASCII,
)
_IGNORE = frozenset(_T["IGNORE"])
_NAME = re.compile(dict(_T["TERMINALS"])["NAME"])
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


def parse(text: str) -> Program:
    """Parse a program into its graph.  Raises ``ProgramSyntaxError`` / ``ProgramNameError`` /
    ``ArityError`` with the position and a caret excerpt."""
    builder = _Builder(text)
    collecting = gc.isenabled()
    gc.disable()  # the parse allocates millions of short-lived objects and no cycles
    try:
        _drive(text, builder)
    finally:
        if collecting:
            gc.enable()
    return builder.program


def _drive(text: str, builder: _Builder | None, stop_at: int = -1) -> list | None:
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
    for m in _SCANNER.finditer(text):
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
        return f"the number {_clip(text)}"
    if kind == "NAME":
        return f"the name '{_clip(text)}'"
    return f"'{text}'"


def _clip(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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


class _Builder:
    """The parser's semantic actions: each grammar alias appends nodes to the tape."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tape = Tape()
        self.inputs: dict[str, int] = {}
        self.bindings: dict[str, int] = {}
        self.assigned_at: dict[str, int] = {}  # where each binding's name is, for messages
        self.program: Program | None = None
        self.arrays: dict[int, tuple] = {}  # ARRAY node -> what it is (see adcli.arrays)

    def _error(self, cls, message: str, offset: int):
        raise cls(f"{message}", excerpt(self.text, offset))

    # statements -------------------------------------------------------------------------------
    def start(self, *statements: int) -> None:
        if self.arrays:
            from .arrays import ArrayProgram

            self.program = ArrayProgram(
                self.tape, statements[-1], self.inputs, self.text, self.bindings, self.arrays
            )
            return
        self.program = Program(self.tape, statements[-1], self.inputs, self.text, self.bindings)

    def _token(self, pattern: re.Pattern, at: int) -> str:
        return pattern.match(self.text, at).group()

    def assign(self, at: int, value: int) -> int:
        label = self._token(_NAME, at)
        if label in CONSTANTS or label in self.bindings or label in self.inputs:
            self._bad_assignment(label, at)
        self.bindings[label] = value
        self.assigned_at[label] = at
        self.tape.names.setdefault(value, label)
        return value

    def _bad_assignment(self, label: str, at: int) -> None:
        here = where(self.text, at)  # error path only: finding line:col scans the text
        if label in CONSTANTS:
            self._error(ProgramNameError, f"cannot assign to the constant '{label}' at {here}", at)
        if label in self.bindings:
            first = where(self.text, self.assigned_at[label])
            self._error(
                ProgramNameError, f"'{label}' is assigned twice (at {first} and {here})", at
            )
        used = where(self.text, self.tape.at[self.inputs[label]])
        self._error(
            ProgramNameError, f"'{label}' is used at {used} before it is assigned at {here}", at
        )

    # leaves -----------------------------------------------------------------------------------
    def number(self, at: int) -> int:
        token = self._token(_NUMBER, at)
        value = float(token)
        if value == float("inf"):
            self._error(
                ProgramSyntaxError,
                f"the number {_clip(token)} at {where(self.text, at)} is too large for a double",
                at,
            )
        return self.tape.node(CONST, at=at, value=value)

    def name(self, at: int) -> int:
        label = self._token(_NAME, at)
        found = self.bindings.get(label)
        if found is None:
            found = self.inputs.get(label)
        if found is not None:
            return found
        if label in CONSTANTS:
            index = self.tape.node(CONST, at=at, value=CONSTANTS[label])
            self.tape.names[index] = label
            return index
        index = self.tape.input(label, at=at).index
        self.inputs[label] = index
        return index

    # operators --------------------------------------------------------------------------------
    def add(self, a: int, op: int, b: int) -> int:
        return self.tape.node(ADD, a, b, op)

    def sub(self, a: int, op: int, b: int) -> int:
        return self.tape.node(SUB, a, b, op)

    def mul(self, a: int, op: int, b: int) -> int:
        return self.tape.node(MUL, a, b, op)

    def div(self, a: int, op: int, b: int) -> int:
        return self.tape.node(DIV, a, b, op)

    def pow(self, a: int, op: int, b: int) -> int:
        return self.tape.node(POW, a, b, op)

    def matmul(self, a: int, op: int, b: int) -> int:
        return self._array(op, "matmul", a, b)

    def lt(self, a: int, op: int, b: int) -> int:
        return self._apply("lt", op, a, b)

    def le(self, a: int, op: int, b: int) -> int:
        return self._apply("le", op, a, b)

    def gt(self, a: int, op: int, b: int) -> int:
        return self._apply("gt", op, a, b)

    def ge(self, a: int, op: int, b: int) -> int:
        return self._apply("ge", op, a, b)

    def eq(self, a: int, op: int, b: int) -> int:
        return self._apply("eq", op, a, b)

    def ne(self, a: int, op: int, b: int) -> int:
        return self._apply("ne", op, a, b)

    def neg(self, op: int, a: int) -> int:
        return self.tape.node(NEG, a, -1, op)

    def pos(self, op: int, a: int) -> int:
        return a

    # calls ------------------------------------------------------------------------------------
    def arguments(self, *args: int) -> tuple[int, ...]:
        return args

    def call(self, at: int, args: tuple[int, ...] = ()) -> int:
        label = self._token(_NAME, at)
        code = lookup(label, len(args))
        if code is None and label in ARRAY_FUNCTIONS and len(args) == ARRAY_FUNCTIONS[label]:
            return self._array(at, label, *args)
        if code is None and label == "where" and len(args) == 3:
            # where(c, a, b) = pick(c, a) + unpick(c, b): each branch's adjoint is zero unless
            # it is the one taken, and an untaken branch's value never reaches the output.
            c, a, b = args
            return self.tape.node(
                ADD, self._apply("pick", at, c, a), self._apply("unpick", at, c, b), at
            )
        if code is None:
            here = where(self.text, at)
            if label not in ARITIES and label not in ARRAY_FUNCTIONS and label != "where":
                self._error(
                    ProgramNameError,
                    f"unknown function '{_clip(label)}' at {here}{_suggest(label)}",
                    at,
                )
            extra = (3,) if label == "where" else (ARRAY_FUNCTIONS.get(label),)
            arities = tuple(sorted({*ARITIES.get(label, ()), *extra} - {None}))
            counts = " or ".join(str(n) for n in arities)
            plural = "" if arities == (1,) else "s"
            self._error(
                ArityError,
                f"{label} at {here} takes {counts} argument{plural}, got {len(args)}",
                at,
            )
        return self.tape.node(code, *args, at=at)

    def _apply(self, name: str, at: int, *args: int) -> int:
        """A primitive by name (comparisons, where's pick/unpick) on scalar nodes."""
        code = lookup(name, len(args))
        if code is None:
            return _fallback(self.tape, name, at, *args)
        return self.tape.node(code, *args, at=at)

    # arrays: ARRAY nodes, described in self.arrays, lowered once shapes are known ---------------
    def _array(self, at: int, kind: str, *parts) -> int:
        index = self.tape.node(ARRAY, at=at)
        self.arrays[index] = (kind, *parts)
        return index

    def array(self, at: int, elements: tuple[int, ...]) -> int:
        return self._array(at, "literal", *elements)

    def elements(self, *elements: int) -> tuple[int, ...]:
        return elements

    def index(self, a: int, at: int, subscripts: tuple) -> int:
        if len(subscripts) > 2:
            self._error(
                ProgramSyntaxError,
                f"too many indices at {where(self.text, at)}: arrays have at most 2 axes",
                at,
            )
        return self._array(at, "index", a, subscripts)

    def subscripts(self, *subscripts) -> tuple:
        return subscripts

    def integer(self, *offsets: int) -> int:
        at = offsets[-1]
        token = self._token(_NUMBER, at)
        if not token.isdigit():
            self._error(
                ProgramSyntaxError,
                f"an index is a whole number such as 0 or -1; found {_clip(token)} "
                f"at {where(self.text, at)}",
                at,
            )
        # Beyond any array's size anyway: keep the number small (int() refuses 5,000 digits).
        value = int(token) if len(token) < 19 else 10**18
        return -value if len(offsets) == 2 else value

    def slice_all(self, colon: int) -> tuple:
        return (None, None)

    def slice_from(self, start: int, colon: int) -> tuple:
        return (start, None)

    def slice_to(self, colon: int, stop: int) -> tuple:
        return (None, stop)

    def slice_between(self, start: int, colon: int, stop: int) -> tuple:
        return (start, stop)


def _fallback(tape: Tape, name: str, at: int, a: int, b: int) -> int:
    """Comparisons and pick/unpick from older primitives, while the table lacks them."""
    code = lookup

    def node(op: str, x: int, y: int = -1, arity: int = 2) -> int:
        return tape.node(code(op, arity) if op not in _OPS else _OPS[op], x, y, at)

    def one() -> int:
        return tape.node(CONST, at=at, value=1.0)

    if name in ("lt", "gt"):
        x, y = (b, a) if name == "lt" else (a, b)
        return node("step", node("sub", x, y), arity=1)
    if name in ("le", "ge"):
        x, y = (a, b) if name == "le" else (b, a)
        return node("sub", one(), node("step", node("sub", x, y), arity=1))
    if name in ("eq", "ne"):
        different = node("abs", node("sign", node("sub", a, b), arity=1), arity=1)
        return different if name == "ne" else node("sub", one(), different)
    if name == "pick":
        return node("mul", a, b)
    return node("mul", node("sub", one(), a), b)  # unpick


_OPS = {"sub": SUB, "mul": MUL}


def _suggest(label: str) -> str:
    import difflib

    known = list(dict.fromkeys([*ARITIES, *ARRAY_FUNCTIONS, "where"]))
    close = difflib.get_close_matches(label, known, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return hint + "; 'adcli functions' lists them"

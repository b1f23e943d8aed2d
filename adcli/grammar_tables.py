"""Lark turns ``grammar/adcli.lark`` into LALR(1) tables; this module freezes them as plain data.

``import lark`` alone costs about three times Python's own start-up, and lark's parser builds a
``Token`` object per token, which caps it near 0.25 MB/s.  So lark does what it is best at — the
grammar analysis — once, here, and ``adcli/_tables.py`` keeps the result as Python literals (no
pickle).  ``adcli.parse`` runs those tables with a small LALR driver that calls the graph
builder on each reduction, with lark's tree-shaping rules: anonymous and ``_``-prefixed tokens
are dropped, ``_rule`` children are spliced into their parent, ``?rule`` with one child passes it
through, ``-> alias`` names the builder method.

Regenerate after editing the grammar (a test checks the two agree; a stale table is also rebuilt
in memory at start-up, so an edited grammar is never silently ignored)::

    python -m adcli.grammar_tables
"""

from __future__ import annotations

import os
import re

# os.path, not pathlib: this module is on the start-up path of every command.
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# Inside a wheel the grammar ships as adcli/grammar/; in a checkout it is the top-level grammar/.
GRAMMAR_CANDIDATES = (
    os.path.join(PACKAGE_DIR, "grammar", "adcli.lark"),
    os.path.join(os.path.dirname(PACKAGE_DIR), "grammar", "adcli.lark"),
)
TABLES_FILE = os.path.join(PACKAGE_DIR, "_tables.py")

# Kinds of reduction, as stored in RULES.
PASS = 0  # value of the one kept child passes through (``?rule`` with a single child)
CALL = 1  # builder method called with the kept children
SPLICE = 2  # a ``_rule``: its kept children become a list spliced into the parent


def grammar_path() -> str | None:
    return next((p for p in GRAMMAR_CANDIDATES if os.path.isfile(p)), None)


def grammar_crc(text: bytes) -> int:
    import zlib  # not on the start-up path: parse compares the frozen text instead

    return zlib.crc32(text)


# The scanner tries the scalar language's operators most frequent first: a regex tries its
# alternatives in order, and lark's order (longest text first) would put twenty rarer tokens in
# front of `*` and `(`.
FREQUENT = ("POW", "STAR", "LPAR", "RPAR", "PLUS", "MINUS", "COMMA", "SLASH")
_SPECIAL = frozenset(".^$*+?{}[]|()")


def scan_order(terminals: list) -> list[tuple[str, str]]:
    """The order the scanner tries terminals in: pattern terminals first (lark's order), then
    fixed-text ones, frequent first, the rest longest first (so `<=` is tried before `<`)."""
    fixed = [t for t in terminals if fixed_texts(t[1]) is not None]
    patterns = [t for t in terminals if fixed_texts(t[1]) is None]

    def rank(terminal):
        name, regex = terminal
        frequent = FREQUENT.index(name) if name in FREQUENT else len(FREQUENT)
        return frequent, -max(map(len, fixed_texts(regex)))

    return patterns + sorted(fixed, key=rank)


def scanner_regex(terminals: list) -> re.Pattern:
    """One regex for every token, its alternatives in ``scan_order``'s order, then ``_BAD``."""
    # ASCII: `\d` must not take other scripts' digits (float() would accept '١٢' as 12).
    alternatives = "|".join(f"(?P<{name}>{regex})" for name, regex in scan_order(terminals))
    return compile_cached(alternatives + r"|(?P<_BAD>(?s:.))", re.ASCII, "scanner")


CACHE_DIR = os.path.join(PACKAGE_DIR, "__pycache__")


def compile_cached(
    pattern: str, flags: int, name: str, directory: str = CACHE_DIR, write: bool | None = None
) -> re.Pattern:
    """``re.compile(pattern, flags)``, with the compiled regex program kept beside the bytecode
    (``__pycache__/<name>.<cache tag>.sre``), as Python keeps a module's: compiling the scanner
    costs a short run about 4 M instructions (1-2 ms), loading it 0.1 M.

    The cache holds the arguments ``re`` passes to ``_sre.compile``, made by this interpreter's
    own ``re`` and written only if ``_sre.compile`` of them equals ``re.compile``'s pattern
    (same flags and program, code word for code word); it is read only by the same Python build
    (``sys.version``, the engine's MAGIC) for the same pattern and flags.  Anything else — no
    cache, an unreadable or refused one, another Python — compiles as usual.  Written unless
    ``sys.dont_write_bytecode`` (PYTHONDONTWRITEBYTECODE), or as ``write`` says."""
    import _sre
    import sys

    path = os.path.join(directory, f"{name}.{sys.implementation.cache_tag}.sre")
    key = [_CACHE_FORMAT, sys.version, str(_sre.MAGIC), str(int(flags)), pattern]
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            fields = handle.read().split("\0")
        if fields[:5] == key and len(fields) == 9:
            return _sre.compile(pattern, *_sre_arguments_read(fields[5:]))
    except Exception:  # no cache, or one this interpreter cannot use: compile
        pass
    compiled = re.compile(pattern, flags)
    if (write if write is not None else not sys.dont_write_bytecode) and "\0" not in pattern:
        try:
            arguments = _sre_arguments(pattern, flags)
            if _sre.compile(pattern, *arguments) == compiled:
                os.makedirs(directory, exist_ok=True)
                temporary = f"{path}.{os.getpid()}"
                try:
                    with open(temporary, "w", encoding="utf-8", newline="") as handle:
                        handle.write("\0".join(key + _sre_arguments_written(arguments)))
                    os.replace(temporary, path)  # whole or not at all, even in parallel runs
                finally:
                    if os.path.exists(temporary):
                        os.remove(temporary)
        except Exception:  # a read-only install, another re: no cache, nothing lost
            pass
    return compiled


# The cache is text, fields apart by NUL: this format's name, the Python build, the regex
# engine's MAGIC, the flags, the pattern (the key), then the final flags, the number of groups,
# the named groups (name:index,...) and the program's code words (plain data: nothing in it
# is ever run or unpickled).
_CACHE_FORMAT = "adcli-sre-1"


def _sre_arguments(pattern: str, flags: int) -> tuple:
    """What ``re._compiler.compile`` passes to ``_sre.compile`` after the pattern."""
    from re import _compiler, _parser

    parsed = _parser.parse(pattern, flags)
    code = [int(word) for word in _compiler._code(parsed, flags)]
    state = parsed.state
    groupindex = dict(state.groupdict)
    indexgroup: list[str | None] = [None] * state.groups
    for group, index in groupindex.items():
        indexgroup[index] = group
    return int(flags | state.flags), code, state.groups - 1, groupindex, tuple(indexgroup)


def _sre_arguments_written(arguments: tuple) -> list[str]:
    flags, code, groups, groupindex, _ = arguments
    named = ",".join(f"{group}:{index}" for group, index in groupindex.items())
    return [str(flags), str(groups), named, " ".join(map(str, code))]


def _sre_arguments_read(fields: list[str]) -> tuple:
    flags, groups, named, code = fields
    groupindex = {g: int(i) for g, _, i in (n.partition(":") for n in named.split(",") if n)}
    indexgroup: list[str | None] = [None] * (int(groups) + 1)
    for group, index in groupindex.items():
        indexgroup[index] = group
    return int(flags), [int(w) for w in code.split()], int(groups), groupindex, tuple(indexgroup)


def fixed_texts(regex: str) -> list[str] | None:
    """The texts a terminal matches if it is fixed text (``\\*\\*|\\^``), else None.  Read by
    hand, not by two more regexes to compile: it runs on the first parse of every run."""
    body = regex[3:-1] if regex.startswith("(?:") and regex.endswith(")") else regex
    texts = []
    for word in body.split("|"):
        chars, text = iter(word), []
        for ch in chars:
            if ch == "\\":
                ch = next(chars, "\n")  # `\\.`: any character but a new line
                if ch == "\n":
                    return None
            elif ch in _SPECIAL:
                return None
            text.append(ch)
        if not text:
            return None
        texts.append("".join(text))
    return texts


def build(grammar_text: str) -> dict:
    """Analyse the grammar with lark and return the tables as plain data."""
    try:
        from lark import Lark
    except ImportError:  # lark is a developer's tool (the `grammar` extra), not a run-time need
        from .errors import AdcliError

        raise AdcliError(
            "grammar/adcli.lark differs from the tables frozen in adcli/_tables.py, and lark, "
            "which rebuilds them, is not installed: pip install 'lark>=1.2.1' (or the "
            "'grammar' extra), then run python -m adcli.grammar_tables"
        ) from None

    lark = Lark(grammar_text, parser="lalr", lexer="basic")
    terminals = sorted(
        lark.terminals,
        key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
    )
    rule_index = {rule: i for i, rule in enumerate(lark.rules)}
    rules = []
    for rule in lark.rules:
        kept = [
            i
            for i, sym in enumerate(rule.expansion)
            if not (sym.is_term and sym.filter_out) or rule.options.keep_all_tokens
        ]
        spliced = tuple(
            i
            for i in kept
            if not rule.expansion[i].is_term and rule.expansion[i].name.startswith("_")
        )
        size = len(rule.expansion)
        origin = str(rule.origin.name)
        if origin.startswith("_"):
            rules.append((origin, size, SPLICE, tuple(kept), spliced))
        elif rule.options.expand1 and not rule.alias and len(kept) == 1 and not spliced:
            rules.append((origin, size, PASS, kept[0], ()))
        else:
            assert not rule.options.empty_indices, (
                "the driver does not support [optional] placeholders"
            )
            name = str(rule.alias or origin)
            rules.append((origin, size, CALL, (name, tuple(kept)), spliced))
    table = lark.parser.parser.parser.parse_table
    # lark numbers states in an order that varies between runs (hash seeds); number them by a
    # breadth-first walk in symbol order instead, so the frozen tables are reproducible.
    order = [table.start_states["start"]]
    seen = {order[0]: 0}
    for state in order:
        for _symbol, (action, arg) in sorted(table.states[state].items()):
            if action.name == "Shift" and arg not in seen:
                seen[arg] = len(order)
                order.append(arg)
    assert len(order) == len(table.states)
    states = []
    for state in order:
        actions = {}
        for symbol, (action, arg) in sorted(table.states[state].items()):
            # Shifts and gotos store the next state; a reduction stores ~rule (negative).
            actions[str(symbol)] = seen[arg] if action.name == "Shift" else ~rule_index[arg]
        states.append(actions)
    return {
        "TERMINALS": [(str(t.name), t.pattern.to_regexp()) for t in terminals],
        "IGNORE": sorted(str(t) for t in lark.ignore_tokens),
        "RULES": rules,
        "STATES": states,
        "START": seen[table.start_states["start"]],
        "END": seen[table.end_states["start"]],
    }


def render(tables: dict, crc: int, grammar: bytes) -> str:
    """``adcli/_tables.py``'s text: the checksum and the text of the grammar they were made from
    (start-up compares the text: a checksum would import zlib), then the tables."""
    import pprint

    lines = [
        '"""LALR(1) tables for grammar/adcli.lark, made by lark. Generated: do not edit.',
        "",
        "Regenerate with: python -m adcli.grammar_tables",
        '"""',
        "",
        "# fmt: off",
        f"GRAMMAR_CRC = {crc}",
        f"GRAMMAR = {pprint.pformat(grammar, width=100)}",
    ]
    for key, value in tables.items():
        lines.append(f"{key} = {pprint.pformat(value, width=100, compact=True)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    path = grammar_path()
    if path is None:
        raise SystemExit("grammar/adcli.lark not found")
    with open(path, "rb") as handle:
        raw = handle.read()
    with open(TABLES_FILE, "w", encoding="utf-8") as handle:
        handle.write(render(build(raw.decode()), grammar_crc(raw), raw))
    print(f"wrote {TABLES_FILE} from {path}")


if __name__ == "__main__":
    main()

"""Array inputs seen element by element, without an object per element.

A lowered program (``adcli.arrays``) has one scalar input per array element, named ``x[3]`` or
``W[1,0]``.  Kept as dictionaries, 10^6 elements cost 10^6 name strings, dictionary entries and
Python floats three times over (the inputs, the point, the gradient).  Here each array is one
*block* instead: its shape and its data (a ``range`` of INPUT nodes, an ``array('d')`` of values
or partials), and the names are made only when something iterates them — a table, a Hessian, a
tree view.

* ``Flat`` — a read-only mapping element name → item over blocks: the lowered program's
  ``inputs`` (name → node), its point (name → value), its gradient (name → partial).
  ``bind``/``gather`` move whole blocks (C slices), for the engine's hot path.
* ``NodeNames`` — a tape's node → name mapping whose array blocks are named on first read.

Layer 0: stdlib only.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, ItemsView, Iterator, Mapping, MutableMapping, ValuesView

Block = tuple[tuple[int, ...], object]  # (shape, item): () and the item, or (shape, sequence)


def iter_names(name: str, shape: tuple[int, ...]) -> Iterator[str]:
    """``adcli.values.element_names`` made one at a time (row-major)."""
    if len(shape) == 1:
        return map(f"{name}[{{}}]".format, range(shape[0]))
    rows, cols = shape
    return (f"{name}[{r},{c}]" for r in range(rows) for c in range(cols))


class _Values(ValuesView):
    def __iter__(self) -> Iterator:
        for shape, item in self._mapping.blocks.values():
            if shape:
                yield from item
            else:
                yield item


class _Items(ItemsView):
    def __iter__(self) -> Iterator:
        for name, (shape, item) in self._mapping.blocks.items():
            if shape:
                yield from zip(iter_names(name, shape), item)
            else:
                yield name, item


class Flat(Mapping):
    """Element name → item (``x`` → 1.5, ``W[1,0]`` → 7), stored per input as one block.

    ``blocks`` maps each input's name to ``((), item)`` for a scalar or ``(shape, sequence)``
    for an array (row-major, ``len(sequence) == prod(shape)``), in order.  An array's own name
    is not a key; its elements' names are, made only when iterated."""

    __slots__ = ("blocks",)

    def __init__(self, blocks: dict[str, Block]) -> None:
        self.blocks = blocks

    def __len__(self) -> int:
        return sum(len(item) if shape else 1 for shape, item in self.blocks.values())

    def __iter__(self) -> Iterator[str]:
        for name, (shape, _) in self.blocks.items():
            if shape:
                yield from iter_names(name, shape)
            else:
                yield name

    def __getitem__(self, key: str):
        entry = self.blocks.get(key)
        if entry is not None and not entry[0]:
            return entry[1]
        k, entry = self._element(key)
        if entry is None:
            raise KeyError(key)
        return entry[1][k]

    def _element(self, key: str) -> tuple[int, Block | None]:
        """The row-major index of the element ``key`` names and its block, or ``(-1, None)``:
        only the spelling ``element_names`` makes (``x[3]``, ``W[1,0]``) names an element."""
        if type(key) is not str or not key.endswith("]"):
            return -1, None
        open_ = key.find("[")
        entry = self.blocks.get(key[:open_]) if open_ > 0 else None
        if entry is None or not entry[0]:
            return -1, None
        shape = entry[0]
        parts = key[open_ + 1 : -1].split(",")
        if len(parts) != len(shape) or not all(p.isdecimal() and p.isascii() for p in parts):
            return -1, None
        index = [int(p) for p in parts]
        if any(str(i) != p or i >= n for i, p, n in zip(index, parts, shape)):
            return -1, None
        return (index[0] if len(shape) == 1 else index[0] * shape[1] + index[1]), entry

    def values(self) -> ValuesView:
        return _Values(self)

    def items(self) -> ItemsView:
        return _Items(self)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{n!r}: {item!r}" if not s else f"{n!r}: <{'×'.join(map(str, s))}>"
            for n, (s, item) in self.blocks.items()
        )
        return f"Flat({{{shown}}})"

    def bind(self, point: Mapping) -> dict[int, float | array] | None:
        """For inputs (name → INPUT node): node → value for every scalar and first node → the
        values (``array('d')``) for every array whose nodes are consecutive, when ``point`` is a
        ``Flat`` with the same shapes; else None (the caller binds element by element)."""
        blocks = getattr(point, "blocks", None)
        if blocks is None:
            return None
        bound: dict[int, float | array] = {}
        for name, (shape, nodes) in self.blocks.items():
            entry = blocks.get(name)
            if entry is None or entry[0] != shape:
                return None
            if not shape:
                bound[nodes] = float(entry[1])
                continue
            data = entry[1]
            if type(nodes) is not range or nodes.step != 1 or not _doubles(data):
                return None
            bound[nodes.start] = data
        return bound

    def gather(self, numbers) -> Flat:
        """For inputs (name → node): the same names → ``numbers[node]`` (e.g. the adjoints: the
        gradient), an array's as one ``array('d')`` slice."""
        out: dict[str, Block] = {}
        for name, (shape, nodes) in self.blocks.items():
            if not shape:
                out[name] = ((), numbers[nodes])
            elif type(nodes) is range and nodes.step == 1 and type(numbers) is array:
                out[name] = (shape, numbers[nodes.start : nodes.stop])
            else:
                out[name] = (shape, array("d", map(numbers.__getitem__, nodes)))
        return Flat(out)

    def replace(self, key: str, item) -> Flat | dict:
        """A copy with the element (or scalar) ``key`` set to ``item``: only its array is
        copied (a finite difference moves one element at a time)."""
        blocks = dict(self.blocks)
        entry = blocks.get(key)
        if entry is not None and not entry[0]:
            blocks[key] = ((), item)
            return Flat(blocks)
        k, entry = self._element(key)
        if entry is None:  # not one of its names: a plain dict with it added, as {**self, ...}
            return {**self, key: item}
        data = array("d", entry[1]) if type(entry[1]) is not array else entry[1][:]
        data[k] = item
        blocks[key[: key.find("[")]] = (entry[0], data)
        return Flat(blocks)

    def like(self, other: Mapping, default: float = 0.0) -> Flat:
        """``other``'s items (e.g. a direction, by name) under this Flat's names and shapes:
        its blocks where it has them, element by element otherwise, ``default`` where it has
        nothing."""
        blocks = getattr(other, "blocks", {})
        out: dict[str, Block] = {}
        for name, (shape, _) in self.blocks.items():
            entry = blocks.get(name)
            if entry is not None and entry[0] == shape:
                out[name] = entry
            elif not shape:
                out[name] = ((), other.get(name, default))
            else:
                names = iter_names(name, shape)
                out[name] = (shape, array("d", (other.get(e, default) for e in names)))
        return Flat(out)

    def finite(self) -> bool:
        """Every item is a finite number (an array's sum is finite: exact when it says yes; an
        overflowing sum of finite numbers says no, and the caller looks closer)."""
        return all(
            math.isfinite(sum(item) if shape else item) for shape, item in self.blocks.values()
        )

    def block(self, name: str, shape: tuple[int, ...]):
        """The sequence of the array ``name`` if it has ``shape``, else None."""
        entry = self.blocks.get(name)
        return entry[1] if entry is not None and shape and entry[0] == shape else None


def _doubles(data) -> bool:
    return type(data) is array and data.typecode == "d"


class NodeNames(MutableMapping):
    """A tape's node → name mapping (``Tape.names``) with blocks named lazily.

    ``later(fill)`` registers ``fill(names)``, a function that adds names to a plain dict; it runs
    the first time anything reads the mapping (or writes it after registering), so a lowered
    program whose names nobody shows never makes them.  Plain writes before that go straight in."""

    __slots__ = ("_names", "_pending")

    def __init__(self) -> None:
        self._names: dict[int, str] = {}
        self._pending: list[Callable[[dict[int, str]], None]] = []

    def later(self, fill: Callable[[dict[int, str]], None]) -> None:
        self._pending.append(fill)

    def _all(self) -> dict[int, str]:
        pending = self._pending
        while pending:
            pending.pop(0)(self._names)
        return self._names

    def __getitem__(self, node: int) -> str:
        return self._all()[node]

    def get(self, node: int, default=None):
        return self._all().get(node, default)

    def __contains__(self, node: object) -> bool:
        return node in self._all()

    def __setitem__(self, node: int, name: str) -> None:
        (self._all() if self._pending else self._names)[node] = name

    def __delitem__(self, node: int) -> None:
        del self._all()[node]

    def __iter__(self) -> Iterator[int]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def items(self) -> ItemsView:
        return self._all().items()  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"NodeNames({self._all()!r})"


__all__ = ["Flat", "NodeNames", "iter_names"]

"""The kernels of a generated function: the closed form in place in int64, one ufunc call per operation, and
exactly on Python ints.

Products and sums are computed left to right into the target array; a parenthesised operand that is not the
first needs a temporary array, so the operand needing the most temporaries goes first and numeric
coefficients come last (``2*C_in*k_h`` is ``C_in*k_h``, then times 2):

>>> from symconv.codegen.tree import Prod, Sum, Var
>>> print("\\n".join(int64_body(Sum((Prod(2, (Var("C_in"), Var("k_h"))), Var("b")), -1), ())))
_np.multiply(C_in, k_h, out=_out)
_np.multiply(_out, 2, out=_out)
_np.add(_out, b, out=_out)
_np.subtract(_out, 1, out=_out)
>>> cost(Sum((Prod(2, (Var("C_in"), Var("k_h"))), Var("b")), -1))
4
"""

from __future__ import annotations

from collections.abc import Sequence

from symconv.codegen.conditions import AtLeastZero
from symconv.codegen.layout import return_lines, tuple_text
from symconv.codegen.tree import (
    Const,
    Defined,
    FloorDiv,
    Node,
    Power,
    Prod,
    Sum,
    Var,
    code,
    constants,
    is_leaf,
    nodes,
    signed,
    variables,
)

__all__ = ["INT64_MAX", "Int64Kernel", "checks_body", "cost", "exact_body", "int64_body"]

INT64_MAX = 2**63 - 1


def exact_body(form: Node, definitions: Sequence[Defined], unused: frozenset[str] = frozenset()) -> list[str]:
    """The lines of the exact kernel: each definition the closed form uses (checked whole by then), then the
    closed form."""
    return [
        *(f"{d.name} = {code(FloorDiv(d.num, d.den))}" for d in definitions if d.name not in unused),
        *return_lines([form], tuple_=False),
    ]


def checks_body(definitions: Sequence[Defined], conditions: Sequence[AtLeastZero]) -> list[str]:
    """The lines of the checks: the operands of each condition, flat, a dividend and a divisor for each
    definition (whole when the one divides the other) and one value for each inequality (at least 0).

    A definition's operands may use an earlier definition, computed first; where that one is not whole, the
    configuration is refused for it, whatever the later operands are.
    """
    used = {name for d in definitions for node in (d.num, d.den) for name in variables(node)}
    operands = [*(node for d in definitions for node in (d.num, d.den)), *(c.node for c in conditions)]
    return [
        *(f"{d.name} = {code(FloorDiv(d.num, d.den))}" for d in definitions if d.name in used),
        *return_lines(operands, tuple_=True),
    ]


def int64_body(
    form: Node,
    definitions: Sequence[Defined],
    conditions: Sequence[AtLeastZero] = (),
    unused: frozenset[str] = frozenset(),
) -> list[str] | None:
    """The lines of the in-place int64 kernel into ``_out``, or None when a constant does not fit in int64.

    The kernel returns the least value of each condition over the block, in order: 0 or -1 for a definition
    (-1 when some division leaves a remainder), the minimum for an inequality, taken where the kernel computes
    the value (:mod:`symconv.codegen.conditions`) or, for one the closed form does not contain, computed first.
    """
    roots = (form, *(n for d in definitions for n in (d.num, d.den)), *(c.node for c in conditions))
    numbers = [abs(number) for root in roots for node in nodes(root) for number in constants(node)]
    if any(number > INT64_MAX for number in numbers):
        return None
    lows = [f"_low{i}" for i in range(1, len(definitions) + len(conditions) + 1)]
    kernel = Int64Kernel()
    for d, low in zip(definitions, lows, strict=False):
        if is_leaf(d.num):
            dividend = kernel.operand(d.num)[0]
        else:
            kernel.lines.append(f"{d.name} = _np.empty_like(_out)")
            kernel.into(d.num, d.name)
            dividend = d.name
        divisor, temp = kernel.operand(d.den)
        quotient = "" if d.name in unused else f"{d.name}, "
        kernel.lines.append(f"{quotient}{low} = _divide({dividend}, {divisor}){'[1]' if not quotient else ''}")
        kernel.free(temp)
    for condition, low in zip(conditions, lows[len(definitions) :], strict=True):
        kernel.watch(condition.watch or condition.node, low, condition.offset)
    for condition in conditions:
        if condition.watch is None:
            temp = kernel.temp()
            kernel.into(condition.node, temp)
            kernel.free(temp)
    kernel.into(form, "_out")
    kernel.finish()
    temps = [f"_t{i} = _np.empty_like(_out)" for i in range(1, kernel.temps + 1)]
    returned = [f"return {tuple_text(lows)}"] if lows else []
    return temps + kernel.lines + returned


def cost(node: Node) -> int:
    """The array operations computing ``node`` in int64 takes: its ufunc calls, and one per temporary array."""
    kernel = Int64Kernel()
    kernel.into(node, "_out")
    return kernel.ops + kernel.temps


class Int64Kernel:
    """Emit in-place NumPy calls computing a tree into a named int64 array."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ops = 0
        self.temps = 0
        self._free: list[str] = []
        self._watched: dict[Node, list[tuple[str, int]]] = {}  # node -> (name, offset) of the minima to take

    def watch(self, node: Node, name: str, offset: int) -> None:
        """Once ``node`` is computed into an array, assign the least value of that array plus ``offset``."""
        self._watched.setdefault(node, []).append((name, offset))

    def finish(self) -> None:
        assert not self._watched, f"watched nodes never computed: {list(self._watched)}"

    def call(self, ufunc: str, *operands: str) -> None:
        *inputs, out = operands
        self.lines.append(f"_np.{ufunc}({', '.join(inputs)}, out={out})")
        self.ops += 1

    def temp(self) -> str:
        if self._free:
            return self._free.pop()
        self.temps += 1
        return f"_t{self.temps}"

    def operand(self, node: Node) -> tuple[str, str | None]:
        """The node as a ufunc operand: a name or number, or a temporary array (returned second, to free)."""
        if isinstance(node, Var):
            return node.name, None
        if isinstance(node, Const):
            return str(node.value), None
        temp = self.temp()
        self.into(node, temp)
        return temp, temp

    def free(self, temp: str | None) -> None:
        if temp is not None:
            self._free.append(temp)

    def into(self, node: Node, target: str) -> None:
        self._compute(node, target)
        for name, offset in self._watched.pop(node, []):
            self.lines.append(f"{name} = int({target}.min()){f' + {offset}' if offset > 0 else ''}"
                              f"{f' - {-offset}' if offset < 0 else ''}")

    def _compute(self, node: Node, target: str) -> None:
        match node:
            case Var() | Const():
                self.lines.append(f"_np.copyto({target}, {self.operand(node)[0]})")
                self.ops += 1
            case Prod():
                self._product(node, target)
            case Sum():
                self._sum(node, target)
            case Power(base, exp):
                if is_leaf(base):
                    source = self.operand(base)[0]
                else:
                    self.into(base, target)
                    source = target
                if exp == 2:
                    self.call("multiply", source, source, target)
                else:
                    self.call("power", source, str(exp), target)
            case FloorDiv(num, den):
                self._floor_division(num, den, target)

    def _floor_division(self, num: Node, den: Node, target: str) -> None:
        if is_leaf(num) and not is_leaf(den):
            self.into(den, target)
            self.call("floor_divide", self.operand(num)[0], target, target)
            return
        if is_leaf(num):
            dividend = self.operand(num)[0]
        else:
            self.into(num, target)
            dividend = target
        divisor, temp = self.operand(den)
        self.call("floor_divide", dividend, divisor, target)
        self.free(temp)

    def _product(self, node: Prod, target: str) -> None:
        compounds = sorted((f for f in node.factors if not is_leaf(f)), key=_temporaries, reverse=True)
        leaves = [self.operand(f)[0] for f in node.factors if is_leaf(f)]
        if compounds:
            self.into(compounds[0], target)
            for factor in compounds[1:]:
                operand, temp = self.operand(factor)
                self.call("multiply", target, operand, target)
                self.free(temp)
        elif len(leaves) >= 2:
            self.call("multiply", leaves[0], leaves[1], target)
            leaves = leaves[2:]
        else:
            if node.coeff == -1:
                self.call("negative", leaves[0], target)
            else:
                self.call("multiply", leaves[0], str(node.coeff), target)
            return
        for leaf in leaves:
            self.call("multiply", target, leaf, target)
        if node.coeff == -1:
            self.call("negative", target, target)
        elif node.coeff != 1:
            self.call("multiply", target, str(node.coeff), target)

    def _sum(self, node: Sum, target: str) -> None:
        items = [signed(term) for term in node.terms]
        compounds = sorted(
            (i for i in items if not is_leaf(i[1])), key=lambda i: (i[0] < 0, -_temporaries(i[1]))
        )
        leaves = sorted((i for i in items if is_leaf(i[1])), key=lambda i: i[0] < 0)
        ordered, const = compounds + leaves, node.const
        (sign, first), rest = ordered[0], ordered[1:]
        if not is_leaf(first):
            self.into(first, target)
        elif rest:
            # Leaves only, positive ones first: either x + y, x - y, or (x + y) negated at the end.
            (second_sign, second), rest = rest[0], rest[1:]
            ufunc = "add" if second_sign == sign else "subtract"
            self.call(ufunc, self.operand(first)[0], self.operand(second)[0], target)
        elif sign > 0:
            self.call("add" if const > 0 else "subtract", self.operand(first)[0], str(abs(const)), target)
            return
        else:
            self.call("subtract", str(const), self.operand(first)[0], target)
            return
        # ``target`` now holds sign * (the terms so far).
        for term_sign, term in rest:
            operand, temp = self.operand(term)
            self.call("add" if term_sign == sign else "subtract", target, operand, target)
            self.free(temp)
        if sign < 0:
            if const:
                self.call("subtract", str(const), target, target)
            else:
                self.call("negative", target, target)
        elif const:
            self.call("add" if const > 0 else "subtract", target, str(abs(const)), target)


def _temporaries(node: Node) -> int:
    """How many temporary arrays computing ``node`` into a target needs (Sethi-Ullman numbering)."""
    match node:
        case Sum(terms, _) | Prod(_, terms):
            compounds = sorted((_temporaries(t) for t in terms if not is_leaf(signed(t)[1])), reverse=True)
            return max([0, *compounds[:1], *(1 + need for need in compounds[1:])])
        case Power(base, _):
            return _temporaries(base)
        case FloorDiv(num, den):
            if is_leaf(num) or is_leaf(den):
                return max(_temporaries(num), _temporaries(den))
            return max(_temporaries(num), 1 + _temporaries(den))
    return 0

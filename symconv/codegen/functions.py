"""The text of one public function of a generated module: the function with its docstring and doctest, its
exact, bounds and int64 kernels, and the ``_Function`` record that ties them to the runtime's ``_evaluate``.

>>> from symconv.codegen.plan import NumericFunction, plan_for
>>> from symconv.symbols import sym
>>> blocks = function_blocks(plan_for(NumericFunction("area", sym("H_out") * sym("W_out"), "output elements")))
>>> public, exact, bounds, int64, spec = blocks
>>> print(public.splitlines()[0], *public.splitlines()[-3:], sep="\\n")
def area(*, H_out, W_out):
    4
    \"\"\"
    return _evaluate(_area_spec, (H_out, W_out))
>>> print(exact, bounds, int64, sep="\\n")
def _area_exact(H_out, W_out):
    return H_out * W_out
def _area_bounds(H_out, W_out):
    return (H_out * W_out,)
def _area_int64(_out, H_out, W_out):
    _np.multiply(H_out, W_out, out=_out)
>>> print(spec)
_area_spec = _Function(
    "area",
    (("H_out", "positive"), ("W_out", "positive")),
    _area_exact,
    _area_bounds,
    _area_int64,
    shown=("H_out", "W_out"),
)
"""

from __future__ import annotations

import json
import textwrap

from symconv.codegen.kernel import checks_body, exact_body, int64_body
from symconv.codegen.layout import WIDTH, docstring_text, return_lines, tuple_display, tuple_text, wrap_call
from symconv.codegen.plan import Plan
from symconv.codegen.tree import definition_text, plain, value

__all__ = ["function_blocks"]


def function_blocks(plan: Plan) -> list[str]:
    """The public function, its checks, exact, bounds and int64 kernels, and the record that ties them together."""
    names = [name for name, _ in plan.parameters]
    call = wrap_call("return _evaluate(", [f"_{plan.name}_spec", tuple_text(names)], ")", offset=4)
    public = "\n".join(
        [
            wrap_call(f"def {plan.name}(", ["*", *names] if names else [], "):"),
            textwrap.indent(_public_docstring(plan), "    "),
            textwrap.indent(call, "    "),
        ]
    )
    checked = bool(plan.definitions or plan.conditions)
    checks = _kernel(f"_{plan.name}_checks", names, checks_body(plan.definitions, plan.conditions))
    exact = _kernel(f"_{plan.name}_exact", names, exact_body(plan.form, plan.definitions, plan.unused))
    bounds = _kernel(f"_{plan.name}_bounds", names, return_lines(plan.bounds, tuple_=True))
    int64_lines = int64_body(plan.form, plan.definitions, plan.conditions, plan.unused)
    int64 = None if int64_lines is None else _kernel(f"_{plan.name}_int64", ["_out", *names], int64_lines)
    parameters = [f'("{name}", "{domain}")' for name, domain in plan.parameters]
    record = [
        f'"{plan.name}"',
        tuple_display(parameters, offset=4),
        f"_{plan.name}_exact",
        f"_{plan.name}_bounds",
        f"_{plan.name}_int64" if int64 else "None",
    ]
    if checked:
        conditions = tuple_display(_condition_records(plan), offset=4 + len("conditions="))
        record += [f"checks=_{plan.name}_checks", f"conditions={conditions}"]
    if plan.shown:
        shown = tuple_display([_quoted(name) for name in plan.shown], offset=4 + len("shown="))
        record.append(f"shown={shown}")
    spec = wrap_call(f"_{plan.name}_spec = _Function(", record, ")")
    return [public, *([checks] if checked else []), exact, bounds, *([int64] if int64 else []), spec]


def _condition_records(plan: Plan) -> list[str]:
    """What the runtime names when a condition fails: ``("whole", definition, dividend, divisor)`` for a
    definition, ``("at least 0", value, meaning)`` for an inequality."""
    records = [
        ["\"whole\"", *(_quoted(text) for text in (definition_text(d), plain(d.num), plain(d.den)))]
        for d in plan.definitions
    ]
    records += [["\"at least 0\"", _quoted(c.text), _quoted(c.meaning)] for c in plan.conditions]
    return [tuple_display(record, offset=8) for record in records]


def _quoted(text: str) -> str:
    """``text`` as a string literal in double quotes: JSON's escapes are Python's."""
    return json.dumps(text, ensure_ascii=False)


def _kernel(name: str, arguments: list[str], body: list[str]) -> str:
    return wrap_call(f"def {name}(", arguments, "):") + "\n" + textwrap.indent("\n".join(body), "    ")


def _public_docstring(plan: Plan) -> str:
    lines = [*_wrap(plan.doc), ""] if plan.doc else []
    lines += _wrap(f"{plan.name} = {plain(plan.given)}", subsequent_indent="    ")
    lines += [f"where {definition_text(d)}, a whole number" for d in plan.definitions if d.name not in plan.unused]
    required = [f"{definition_text(d)}, a whole number" for d in plan.definitions if d.name in plan.unused]
    required += [f"{c.text} >= 0" + (f" ({c.meaning})" if c.meaning else "") for c in plan.conditions]
    if required:
        lines += ["", *_wrap(f"Requires: {'; '.join(required)}.", subsequent_indent="    ")]
    by_domain = {"positive": ">= 1", "nonnegative": ">= 0", "flag": "a flag, 0 or 1"}
    groups = [
        f"{', '.join(name for name, d in plan.parameters if d == domain)} {rule}"
        for domain, rule in by_domain.items()
        if any(d == domain for _, d in plan.parameters)
    ]
    if groups:
        arguments = f"Arguments: {'; '.join(groups)}. Ints are checked against all of this; arrays as the module "
        arguments += "docstring says."
        lines += ["", *_wrap(arguments)]
    example = _example(plan)
    if example is not None:
        call, result = example
        lines += ["", *_doctest_lines(call), str(result)]
    return '"""' + docstring_text("\n".join(lines)) + '\n"""'


def _example(plan: Plan) -> tuple[str, int] | None:
    """A doctest call with small sizes (flags 1), if some such sizes meet every condition."""
    for size in (2, 4, 6, 12):
        values = {name: {"flag": 1, "nonnegative": 1}.get(domain, size) for name, domain in plan.parameters}
        try:
            for d in plan.definitions:
                quotient, remainder = divmod(value(d.num, values), value(d.den, values))
                if remainder:
                    raise ZeroDivisionError
                values[d.name] = quotient
            if any(value(c.node, values) < 0 for c in plan.conditions):
                continue
            result = value(plan.given, values)
        except ZeroDivisionError:
            continue
        arguments = ", ".join(f"{name}={values[name]}" for name, _ in plan.parameters)
        return f"{plan.name}({arguments})", result
    return None


def _doctest_lines(call: str) -> list[str]:
    lines = _wrap(call, width=WIDTH - 8 - 4)
    return [(">>> " if i == 0 else "... ") + line for i, line in enumerate(lines)]


def _wrap(text: str, *, width: int = WIDTH - 8, subsequent_indent: str = "") -> list[str]:
    """Docstring lines: indented by 4 and after the opening quotes, they stay within :data:`WIDTH`."""
    return textwrap.wrap(
        text, width, subsequent_indent=subsequent_indent, break_long_words=False, break_on_hyphens=False
    )

"""A tiny, safe expression language for mapping files: computed values and row filters.

A team's export rarely holds the contract's numbers as such: ARR is ``mrr * 12``, a
total is the sum of two columns, a filter keeps ``is_trial == 'False'`` rows. Mapping
files say so in text, and text from a file must never run as code. So an expression
is parsed with Python's ``ast`` and every node is checked against a whitelist before
anything is evaluated; ``eval`` is never called and nothing becomes SQL.

Value expressions (``expr:``) allow numbers, column names, ``+ - * /``, unary minus
and parentheses. Conditions (``where:``) also allow quoted text, comparisons
(``== != < <= > >=``), ``in`` / ``not in`` a list of constants, and ``and`` / ``or`` /
``not``. A column whose name is not an identifier is written in brackets:
``[MRR Amount] * 12``. Anything else — calls, attribute access, subscripts, names
starting with ``__`` — is refused when the mapping is loaded, with the reason.

A column's cell is text; arithmetic reads it as a number (``'x'`` is refused, located,
when the row is mapped), an empty cell makes the result empty, and a comparison with
a number compares numbers while a comparison with text compares the (stripped) text.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Number = float | None
Evaluator = Callable[[Mapping[str, Any]], Any]

MAX_EXPRESSION_CHARS = 500
_BRACKETED = re.compile(r"\[([^\[\]]+)\]")
_PLACEHOLDER = " __column{}__ "  # spaced: `a[0]` cannot fuse into one name

_ARITHMETIC: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class ExpressionError(ValueError):
    """An expression the language does not allow; the message says what and why."""


class CellError(ValueError):
    """A row's cell an expression cannot use (``'x'`` is not a number); located by the caller."""

    def __init__(self, column: str, value: str, why: str) -> None:
        self.column = column
        self.value = value
        self.why = why
        super().__init__(f"{column}: {value!r}: {why}")


@dataclass(frozen=True, slots=True)
class Expression:
    """A checked expression: its text, the columns it reads, and a closure evaluating it."""

    text: str
    columns: tuple[str, ...]
    evaluate: Evaluator


def number(column: str, value: Any) -> Number:
    """A cell as a number; empty → None; text that is not a number → CellError."""
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text == "":
        return None
    try:
        parsed = float(text)
    except ValueError:
        raise CellError(column, str(value), "is not a number") from None
    if not math.isfinite(parsed):
        raise CellError(column, str(value), "is not a number")
    return parsed


def parse_expression(text: object, *, condition: bool = False) -> Expression:
    """Check ``text`` against the whitelist and compile it; raise ExpressionError if refused."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expected an expression as text")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"longer than {MAX_EXPRESSION_CHARS} characters")
    if "__" in _BRACKETED.sub("", text):
        raise ExpressionError("names starting with '__' are not allowed")
    bracketed: dict[str, str] = {}

    def _placeholder(match: re.Match[str]) -> str:
        name = _PLACEHOLDER.format(len(bracketed))
        bracketed[name.strip()] = match.group(1).strip()
        return name

    source = _BRACKETED.sub(_placeholder, text.strip()).strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a valid expression ({exc.msg})") from None
    compiler = _Compiler(bracketed, condition=condition)
    evaluate = compiler.compile(tree.body, top=True)
    return Expression(text.strip(), tuple(dict.fromkeys(compiler.columns)), evaluate)


class _Compiler:
    """Walks the tree once, refusing what is not whitelisted, building closures."""

    def __init__(self, bracketed: Mapping[str, str], *, condition: bool) -> None:
        self.bracketed = bracketed
        self.condition = condition
        self.columns: list[str] = []

    def compile(self, node: ast.AST, *, top: bool = False) -> Evaluator:
        if self.condition and top:
            return self._test(node)
        return self._number(node)

    def _column(self, node: ast.Name) -> str:
        name = self.bracketed.get(node.id, node.id)
        self.columns.append(name)
        return name

    def _number(self, node: ast.AST) -> Evaluator:
        """A numeric sub-expression: its closure returns a float or None (empty)."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError(f"{node.value!r} is not a number")
            constant = float(node.value)
            return lambda record: constant
        if isinstance(node, ast.Name):
            name = self._column(node)
            return lambda record: number(name, record.get(name))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self._number(node.operand)
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0

            def _signed(record: Mapping[str, Any]) -> Number:
                value = inner(record)
                return None if value is None else sign * value

            return _signed
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            left, right = self._number(node.left), self._number(node.right)
            apply = _ARITHMETIC[type(node.op)]
            symbol = _SYMBOLS[type(node.op)]  # type: ignore[index]

            def _binary(record: Mapping[str, Any]) -> Number:
                a, b = left(record), right(record)
                if a is None or b is None:
                    return None
                if symbol == "/" and b == 0:
                    raise CellError("expression", "0", "division by zero")
                return apply(a, b)

            return _binary
        raise ExpressionError(_refusal(node, self.condition))

    def _operand(self, node: ast.AST) -> tuple[Evaluator, bool]:
        """A comparison operand: (closure, is it numeric?)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            return (lambda record: text), False
        if isinstance(node, ast.Name):
            name = self._column(node)
            return (lambda record: _text(record.get(name))), False
        return self._number(node), True

    def _test(self, node: ast.AST) -> Evaluator:
        """A condition: its closure returns a bool."""
        if isinstance(node, ast.BoolOp):
            parts = [self._test(value) for value in node.values]
            if isinstance(node.op, ast.And):
                return lambda record: all(part(record) for part in parts)
            return lambda record: any(part(record) for part in parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._test(node.operand)
            return lambda record: not inner(record)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        raise ExpressionError(
            "a condition must compare (==, !=, <, <=, >, >=, in) and combine with and/or/not"
        )

    def _compare(self, node: ast.Compare) -> Evaluator:
        checks: list[Evaluator] = []
        left_node = node.left
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                checks.append(self._membership(left_node, right_node, isinstance(op, ast.NotIn)))
            elif type(op) in _COMPARISONS:
                checks.append(self._pair(left_node, right_node, _COMPARISONS[type(op)]))
            else:
                raise ExpressionError(f"{type(op).__name__} is not an allowed comparison")
            left_node = right_node
        return lambda record: all(check(record) for check in checks)

    def _pair(
        self, left_node: ast.AST, right_node: ast.AST, compare: Callable[[Any, Any], bool]
    ) -> Evaluator:
        (left, left_numeric), (right, right_numeric) = (
            self._operand(left_node),
            self._operand(right_node),
        )
        if not (left_numeric or right_numeric):
            return lambda record: compare(left(record), right(record))
        left_name, right_name = self._name_of(left_node), self._name_of(right_node)

        def _numbers(record: Mapping[str, Any]) -> bool:
            a = number(left_name, left(record)) if not left_numeric else left(record)
            b = number(right_name, right(record)) if not right_numeric else right(record)
            if a is None and b is None:
                return compare is operator.eq
            if a is None or b is None:  # an empty cell equals no number and orders with none
                return compare is operator.ne
            return bool(compare(a, b))

        return _numbers

    def _name_of(self, node: ast.AST) -> str:
        return self.bracketed.get(node.id, node.id) if isinstance(node, ast.Name) else "expression"

    def _membership(self, left_node: ast.AST, right_node: ast.AST, negate: bool) -> Evaluator:
        if not isinstance(right_node, ast.List | ast.Tuple | ast.Set):
            raise ExpressionError("'in' needs a list of constants: plan in ('Pro', 'Basic')")
        choices: set[str] = set()
        for element in right_node.elts:
            if not isinstance(element, ast.Constant) or isinstance(element.value, bool):
                raise ExpressionError("'in' needs a list of constants: plan in ('Pro', 'Basic')")
            choices.add(_text(element.value))
        left, _numeric = self._operand(left_node)
        return lambda record: (_text(left(record)) in choices) is not negate


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _refusal(node: ast.AST, condition: bool) -> str:
    """Why a node is refused, in the user's terms."""
    allowed = (
        "numbers, quoted text, column names, + - * /, comparisons, and/or/not, parentheses"
        if condition
        else "numbers, column names, + - * / and parentheses"
    )
    if isinstance(node, ast.Call):
        what = "function calls"
    elif isinstance(node, ast.Attribute):
        what = "attribute access"
    elif isinstance(node, ast.Subscript):
        what = "subscripts"
    elif isinstance(node, ast.BinOp):
        what = f"the operator {type(node.op).__name__}"
    elif isinstance(node, ast.Constant):
        what = f"the constant {node.value!r}"
    elif isinstance(node, ast.Compare | ast.BoolOp):
        what = "comparisons (they belong in 'where')"
    else:
        what = type(node).__name__
    return f"{what} not allowed (only {allowed})"

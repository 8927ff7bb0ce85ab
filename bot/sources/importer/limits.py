"""What the store can hold, per contract column: the importer's numeric and cell-size limits.

The contract says what a value *means*; the store's column types say how big it may
be. Reading the limits off the SQLAlchemy models (``Numeric(18, 2)`` → 15 exact
digits, i.e. below 10**13; ``Integer`` → 32-bit on PostgreSQL) means a value the
importer accepts is one both backends store exactly, instead of Inf on SQLite or an
overflow at write time on PostgreSQL. Limits are computed once, at import of this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, Float, Integer, Numeric, SmallInteger

from bot.db.base import Base
from bot.db.models import CONTRACT_MODELS  # noqa: F401 - registers the contract tables
from bot.sources.importer.contract import CONTRACT, Kind

# One documented limit for every cell of every file, quoted or not, CSV or JSON Lines.
MAX_CELL_CHARS = 1_000_000

_EXACT_FLOAT_DIGITS = 15

_INT_BOUNDS = {
    SmallInteger: 2**15 - 1,
    Integer: 2**31 - 1,
    BigInteger: 2**63 - 1,
}


@dataclass(frozen=True)
class NumericLimit:
    """The largest magnitude a column stores; a value beyond it is refused at import."""

    high: float
    inclusive: bool  # False: ``high`` itself no longer fits (Numeric's 10**(p-s), float's inf)
    label: str  # the largest storable value as an error shows it


def _limit_for(table: str, column: str, kind: Kind) -> NumericLimit | None:
    column_type = Base.metadata.tables[table].c[column].type
    if kind is Kind.INT:
        high = next(
            (bound for cls, bound in _INT_BOUNDS.items() if type(column_type) is cls), 2**63 - 1
        )
        return NumericLimit(high, True, str(high))
    if kind is Kind.DECIMAL and isinstance(column_type, Numeric) and column_type.precision:
        scale = column_type.scale or 0
        # Money is parsed as a float64 and PostgreSQL turns a float8 into numeric with 15
        # significant digits, so 15 digits (cents included) is what survives exactly.
        digits = min(column_type.precision, _EXACT_FLOAT_DIGITS) - scale
        largest = Decimal(10) ** digits - Decimal(1).scaleb(-scale)
        # float(largest) rounds to 10**digits, which does not fit: the bound is exclusive.
        return NumericLimit(float(10**digits), False, str(largest))
    if kind in (Kind.FLOAT, Kind.DECIMAL) or isinstance(column_type, Float):
        return NumericLimit(float("inf"), False, "1.8e308")
    return None


NUMERIC_LIMITS: dict[tuple[str, str], NumericLimit] = {
    (spec.table, column.name): limit
    for spec in CONTRACT
    for column in spec.columns
    if column.kind in (Kind.INT, Kind.FLOAT, Kind.DECIMAL)
    and (limit := _limit_for(spec.table, column.name, column.kind)) is not None
}

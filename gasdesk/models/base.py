"""Declarative base, shared column types and constraint naming for every aggregate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Dialect, MetaData, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")


class Exact(TypeDecorator[Decimal]):
    """A decimal with `scale` places, exact on both databases: `class Money(Exact, precision=12, scale=2)`.

    PostgreSQL stores NUMERIC(precision, scale). SQLite has no exact decimal type (NUMERIC columns hold
    binary floats there), so on SQLite the value is stored as an integer number of the smallest unit
    (fen for money); SUM() then stays exact too, and the result comes back through this type as Decimal.
    """

    impl: TypeEngine[Any] | type[TypeEngine[Any]] = Numeric  # Numeric(precision, scale) in each subclass
    cache_ok = True
    precision: ClassVar[int]
    scale: ClassVar[int]
    places: ClassVar[Decimal]  # the smallest unit: Decimal("0.01") for scale 2
    units: ClassVar[int]  # smallest units in one: 100 for scale 2

    def __init_subclass__(cls, *, precision: int, scale: int, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.impl = Numeric(precision, scale)
        cls.cache_ok = True  # SQLAlchemy reads it from each class's own namespace
        cls.precision, cls.scale = precision, scale
        cls.places, cls.units = Decimal(1).scaleb(-scale), 10**scale

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = Decimal(value).quantize(self.places)
        return int(exact * self.units) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / self.units).quantize(self.places)
        return Decimal(value).quantize(self.places)


class Money(Exact, precision=12, scale=2):
    """Decimal yuan with two places; on SQLite an integer number of fen."""


class Quantity(Exact, precision=14, scale=3):
    """Cubic metres with three places (meter readings, allowances)."""


JsonData = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

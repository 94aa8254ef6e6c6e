"""The migrations' tables, written as data: one line a column, in the table's order.

A migration that brings tables lists them in a tuple, TABLES, each as

    table(
        "meter_seal",
        integer("id"),
        ref("meter_id", "meter"),
        string("seal_number", 20, unique=True),
        timestamp("removed_at", null=True),
        index("ix_meter_seal_meter", "meter_id"),
    ),

and its upgrade() calls create(TABLES), its downgrade() drop(TABLES) (0011_inspection.py is one).

A column is NOT NULL unless it says null=True. `ref("customer_id", "customer")` is an integer column
that refers to customer.id. The primary key is the column "id" unless a column says key=True. What the
kit adds is what Alembic's autogenerate spelt out line by line: a foreign key per ref, the primary key,
a unique constraint per `unique=True`, named as the models named them when the migration was written
(fk_<table>_<column>_<referred table>, pk_<table>, uq_<table>_<column>). Every name is given here in
full, so a migration builds the same schema whatever the models and their naming convention become;
tests/test_migrations.py holds the schema the migrations build and compares it to the letter.

A migration describes its tables in full and never imports a model for their shape; it may use the
column types of gasdesk.models (Money, Quantity, Price), which decide how a value is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from gasdesk.models.base import Money, Quantity


@dataclass(frozen=True)
class Column:
    name: str
    type: sa.types.TypeEngine[Any]
    null: bool = False
    unique: bool = False
    key: bool = False  # (one of) the primary key's column(s)
    refers_to: str | None = None  # a table: the column holds one of its ids


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool = False


@dataclass(frozen=True)
class Unique:
    """A unique constraint over several columns, under its own name."""

    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    uniques: tuple[Unique, ...]
    indexes: tuple[Index, ...]


# --- columns -------------------------------------------------------------------------------------

class _Maker(Protocol):
    def __call__(self, name: str, *, null: bool = False, unique: bool = False, key: bool = False) -> Column: ...


def _of(type_: sa.types.TypeEngine[Any]) -> _Maker:
    def make(name: str, *, null: bool = False, unique: bool = False, key: bool = False) -> Column:
        return Column(name, type_, null, unique, key)

    return make


integer = _of(sa.Integer())
text = _of(sa.Text())
boolean = _of(sa.Boolean())
date = _of(sa.Date())
timestamp = _of(sa.DateTime())
json = _of(sa.JSON().with_variant(JSONB(astext_type=sa.Text()), "postgresql"))
money = _of(Money(precision=12, scale=2))
quantity = _of(Quantity(precision=14, scale=3))


def string(name: str, length: int, *, null: bool = False, unique: bool = False, key: bool = False) -> Column:
    return Column(name, sa.String(length=length), null, unique, key)


def column(name: str, type_: sa.types.TypeEngine[Any], *, null: bool = False) -> Column:
    """A column of a type the kit has no word for."""
    return Column(name, type_, null)


def ref(name: str, table: str, *, null: bool = False, unique: bool = False, key: bool = False) -> Column:
    """An integer column holding an id of `table`, with its foreign key."""
    return Column(name, sa.Integer(), null, unique, key, refers_to=table)


# --- tables --------------------------------------------------------------------------------------

def index(name: str, *columns: str, unique: bool = False) -> Index:
    return Index(name, columns, unique)


def unique(name: str, *columns: str) -> Unique:
    return Unique(name, columns)


def table(name: str, *items: Column | Unique | Index) -> Table:
    """A table: its columns in order, then its named unique constraints and its indexes. Its primary
    key is the column(s) marked key=True, else the column "id"."""
    columns = tuple(i for i in items if isinstance(i, Column))
    return Table(name, columns, tuple(c.name for c in columns if c.key) or ("id",),
                 tuple(i for i in items if isinstance(i, Unique)),
                 tuple(i for i in items if isinstance(i, Index)))


def _schema_items(t: Table) -> list[sa.schema.SchemaItem]:
    """The table's columns and constraints in the order autogenerate wrote them (the order SQLite
    keeps in the table's CREATE statement): columns; foreign keys, primary key and unique
    constraints, each kind by name. A constraint's place is the order it is made in."""
    fks = sorted((f"fk_{t.name}_{c.name}_{c.refers_to}", c.name, c.refers_to)
                 for c in t.columns if c.refers_to)
    uniques = sorted([*((f"uq_{t.name}_{c.name}", (c.name,)) for c in t.columns if c.unique),
                      *((u.name, u.columns) for u in t.uniques)])
    return [
        *(sa.Column(c.name, c.type, nullable=c.null) for c in t.columns),
        *(sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(name)) for name, column, target in fks),
        sa.PrimaryKeyConstraint(*t.key, name=op.f(f"pk_{t.name}")),
        *(sa.UniqueConstraint(*columns, name=op.f(name)) for name, columns in uniques),
    ]


def create(tables: Iterable[Table]) -> None:
    for t in tables:
        op.create_table(t.name, *_schema_items(t))
        for i in t.indexes:
            op.create_index(op.f(i.name), t.name, list(i.columns), unique=i.unique)


def drop(tables: Iterable[Table]) -> None:
    """Undo create(tables): the tables (and their indexes) in the reverse order."""
    for t in reversed(list(tables)):
        for i in reversed(t.indexes):
            op.drop_index(op.f(i.name), table_name=t.name)
        op.drop_table(t.name)

"""The arithmetic of the gap matrix (pure: no database).

A cell is one offer category (row) × one column (status group, age band, sex or Gemeinde).
Its figures:

* ``demand`` – people with a need in the category: participants with an open plan goal or an
  open recorded need (each person once) plus survey results and expert estimates;
* ``offers`` / ``seats`` / ``unlimited`` – offers of the category whose eligibility rules
  admit the column's representative person, their seats (capacity), and how many of them have
  no seat limit (counselling, open meetings);
* ``coverage`` – seats ÷ demand (``None`` without demand; an offer without a seat limit
  covers any demand);
* ``waiting`` / ``declined`` – people of the column on a waiting list of, or declined by, an
  offer of the category in the twelve months before the Stichtag;
* a **gap** is a cell with demand and no accessible offer; a **shortage** a cell whose
  seats do not reach the demand.

Counts of people from 1 to 4 leave the case-work role only as "< 5" (``coarse``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

SMALL_NUMBER = 5

LEVEL_NONE = "none"  # no demand
LEVEL_GAP = "gap"  # demand, no accessible offer
LEVEL_LOW = "low"  # coverage below 50 %
LEVEL_PART = "part"  # coverage 50 % to below 100 %
LEVEL_OK = "ok"  # covered


def coarse(n: int) -> str:
    """Disclosure control: counts from 1 to 4 are shown as "< 5", never exactly."""
    if 0 < n < SMALL_NUMBER:
        return f"< {SMALL_NUMBER}"
    return str(number_format(n, force_grouping=True))


def exact(n: int) -> str:
    return str(number_format(n, force_grouping=True))


@dataclass(frozen=True)
class SupplyBlock:
    """Offers of one category that share their eligibility signature (and, for the Gemeinde
    view, a Gemeinde): the engine is asked once per signature and column, not per offer."""

    category: Hashable
    signature: Hashable
    offers: int
    seats: int
    unlimited: int
    waiting_list: int = 0
    column: Hashable | None = None  # only offers located in this column (Gemeinde view)


@dataclass
class Cell:
    demand: int = 0
    offers: int = 0
    seats: int = 0
    unlimited: int = 0
    waiting: int = 0
    declined: int = 0
    offer_waiting_list: int = 0

    @property
    def coverage(self) -> Decimal | None:
        """Seats per person in need (1 = fully covered); ``None`` without demand."""
        if self.demand <= 0:
            return None
        if self.unlimited > 0:
            return Decimal(1)
        return (Decimal(self.seats) / Decimal(self.demand)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def is_gap(self) -> bool:
        return self.demand > 0 and self.offers == 0

    @property
    def is_shortage(self) -> bool:
        cov = self.coverage
        return cov is not None and not self.is_gap and cov < 1

    @property
    def level(self) -> str:
        if self.demand <= 0:
            return LEVEL_NONE
        if self.is_gap:
            return LEVEL_GAP
        cov = self.coverage
        assert cov is not None
        if cov < Decimal("0.5"):
            return LEVEL_LOW
        if cov < 1:
            return LEVEL_PART
        return LEVEL_OK

    def coverage_text(self, *, suppress: bool) -> str:
        """The ratio as a percentage; hidden for suppressed small demand (it would reveal it)."""
        cov = self.coverage
        if cov is None:
            return "–"
        if suppress and 0 < self.demand < SMALL_NUMBER:
            return "–"
        if self.unlimited > 0:
            return "100 %+"
        percent = int((cov * 100).to_integral_value(ROUND_HALF_UP))
        return f"{number_format(percent, force_grouping=True)} %"

    def add(self, other: Cell) -> None:
        self.demand += other.demand
        self.offers += other.offers
        self.seats += other.seats
        self.unlimited += other.unlimited
        self.waiting += other.waiting
        self.declined += other.declined
        self.offer_waiting_list += other.offer_waiting_list


@dataclass
class Row:
    key: Hashable
    label: str
    cells: list[Cell]
    total: Cell = field(default_factory=Cell)

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.cells if c.is_gap)


@dataclass
class Matrix:
    columns: list[tuple[Hashable, str]]
    rows: list[Row]
    column_totals: list[Cell]
    target_group: list[int] = field(default_factory=list)  # people per column (Datenlage)

    @property
    def gap_count(self) -> int:
        return sum(r.gaps for r in self.rows)

    def cell(self, row_key: Hashable, column_key: Hashable) -> Cell | None:
        keys = [k for k, _label in self.columns]
        if column_key not in keys:
            return None
        for r in self.rows:
            if r.key == row_key:
                return r.cells[keys.index(column_key)]
        return None


def build_matrix(
    *,
    rows: Sequence[tuple[Hashable, str]],
    columns: Sequence[tuple[Hashable, str]],
    demand: Mapping[tuple[Hashable, Hashable], int],
    supply: Iterable[SupplyBlock],
    admits: Mapping[tuple[Hashable, Hashable], bool],
    waiting: Mapping[tuple[Hashable, Hashable], int] | None = None,
    declined: Mapping[tuple[Hashable, Hashable], int] | None = None,
    target_group: Mapping[Hashable, int] | None = None,
) -> Matrix:
    """Combine the aggregated figures into the matrix.

    ``demand``/``waiting``/``declined`` map (row, column) to people; ``admits`` maps
    (signature, column) to whether the eligibility rules let the column's representative in.
    A row's total counts every offer of the category once (accessible to any column).
    """
    waiting = waiting or {}
    declined = declined or {}
    col_keys = [k for k, _label in columns]
    index = {k: i for i, k in enumerate(col_keys)}
    built: dict[Hashable, Row] = {
        key: Row(key, label, [Cell() for _ in col_keys]) for key, label in rows
    }
    for (row_key, col_key), n in demand.items():
        if row_key in built and col_key in index:
            built[row_key].cells[index[col_key]].demand += n
    for (row_key, col_key), n in waiting.items():
        if row_key in built and col_key in index:
            built[row_key].cells[index[col_key]].waiting += n
    for (row_key, col_key), n in declined.items():
        if row_key in built and col_key in index:
            built[row_key].cells[index[col_key]].declined += n
    for block in supply:
        row = built.get(block.category)
        if row is None:
            continue
        targets = col_keys if block.column is None else [block.column]
        reaches_any = False
        for col_key in targets:
            if col_key not in index or not admits.get((block.signature, col_key), False):
                continue
            reaches_any = True
            cell = row.cells[index[col_key]]
            cell.offers += block.offers
            cell.seats += block.seats
            cell.unlimited += block.unlimited
            cell.offer_waiting_list += block.waiting_list
        if reaches_any:
            row.total.offers += block.offers
            row.total.seats += block.seats
            row.total.unlimited += block.unlimited
            row.total.offer_waiting_list += block.waiting_list
    column_totals = [Cell() for _ in col_keys]
    for row in built.values():
        for i, cell in enumerate(row.cells):
            row.total.demand += cell.demand
            row.total.waiting += cell.waiting
            row.total.declined += cell.declined
            column_totals[i].add(cell)
    people = [int((target_group or {}).get(k, 0)) for k in col_keys]
    return Matrix(
        columns=list(columns),
        rows=[built[k] for k, _label in rows],
        column_totals=column_totals,
        target_group=people,
    )

"""The gap matrix: arithmetic with hand-computed cases (pure), properties (hypothesis), and
the database aggregation against a small world."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from teilhabe.needs.matrix import (
    LEVEL_GAP,
    LEVEL_LOW,
    LEVEL_NONE,
    LEVEL_OK,
    LEVEL_PART,
    Cell,
    SupplyBlock,
    build_matrix,
    coarse,
)
from teilhabe.needs.standard import StatusGroup, age_band_for, status_group_for

ROWS = [("lang", "Sprache"), ("work", "Arbeit")]
COLS = [("duldung", "Duldung"), ("gestattung", "Gestattung")]


def test_cell_figures_hand_computed() -> None:
    # 12 people, 8 seats -> 67 %, a shortage, not a gap
    cell = Cell(demand=12, offers=1, seats=8)
    assert cell.coverage == Decimal("0.67")
    assert cell.is_shortage and not cell.is_gap
    assert cell.level == LEVEL_PART
    assert cell.coverage_text(suppress=True) == "67 %"
    # 10 people, 4 seats -> 40 %: low
    assert Cell(demand=10, offers=1, seats=4).level == LEVEL_LOW
    # demand without any accessible offer: a gap
    gap = Cell(demand=3)
    assert gap.is_gap and gap.level == LEVEL_GAP and gap.coverage == Decimal(0)
    # small demand: the ratio would reveal it
    assert gap.coverage_text(suppress=True) == "–"
    assert gap.coverage_text(suppress=False) == "0 %"
    # no demand: nothing to cover
    assert Cell(offers=2, seats=30).coverage is None
    assert Cell(offers=2, seats=30).level == LEVEL_NONE
    # an offer without a seat limit covers any demand
    assert Cell(demand=40, offers=1, unlimited=1).coverage == 1
    assert Cell(demand=40, offers=1, unlimited=1).level == LEVEL_OK


def test_coarse_hides_one_to_four() -> None:
    assert [coarse(n) for n in (0, 1, 4, 5, 1234)] == ["0", "< 5", "< 5", "5", "1.234"]


def test_build_matrix_hand_computed() -> None:
    """Two categories × two status groups.

    Sprache: rule set A admits Duldung and Gestattung (2 offers, 20 seats), rule set B only
    Gestattung (1 offer, 15 seats). Arbeit: one offer (rule set B) with 10 seats.
    Demand: Sprache/Duldung 25, Sprache/Gestattung 30, Arbeit/Duldung 6, Arbeit/Gestattung 0.
    """
    supply = [
        SupplyBlock("lang", "A", offers=2, seats=20, unlimited=0, waiting_list=3),
        SupplyBlock("lang", "B", offers=1, seats=15, unlimited=0),
        SupplyBlock("work", "B", offers=1, seats=10, unlimited=0),
    ]
    admits = {
        ("A", "duldung"): True,
        ("A", "gestattung"): True,
        ("B", "duldung"): False,
        ("B", "gestattung"): True,
    }
    demand = {("lang", "duldung"): 25, ("lang", "gestattung"): 30, ("work", "duldung"): 6}
    m = build_matrix(
        rows=ROWS,
        columns=COLS,
        demand=demand,
        supply=supply,
        admits=admits,
        waiting={("lang", "duldung"): 4},
        declined={("work", "duldung"): 2},
        target_group={"duldung": 120, "gestattung": 80},
    )
    lang_d, lang_g = m.rows[0].cells
    work_d, work_g = m.rows[1].cells
    assert (lang_d.offers, lang_d.seats, lang_d.coverage) == (2, 20, Decimal("0.80"))
    assert (lang_g.offers, lang_g.seats, lang_g.coverage) == (3, 35, Decimal("1.17"))
    assert lang_d.waiting == 4 and lang_d.offer_waiting_list == 3
    assert work_d.is_gap and work_d.declined == 2  # 6 people, the only offer excludes Duldung
    assert not work_g.is_gap and work_g.coverage is None  # seats but no demand
    assert m.gap_count == 1
    # row totals: every offer of the category once
    assert (m.rows[0].total.demand, m.rows[0].total.offers, m.rows[0].total.seats) == (55, 3, 35)
    # column totals: sum over categories
    assert (m.column_totals[0].demand, m.column_totals[0].seats) == (31, 20)
    assert m.target_group == [120, 80]
    assert m.cell("work", "duldung") is work_d


def test_gemeinde_blocks_only_reach_their_column() -> None:
    cols = [(1, "Verl"), (2, "Halle")]
    supply = [SupplyBlock("lang", "A", offers=1, seats=10, unlimited=0, column=1)]
    m = build_matrix(
        rows=ROWS[:1],
        columns=cols,
        demand={("lang", 1): 5, ("lang", 2): 5},
        supply=supply,
        admits={("A", 1): True, ("A", 2): True},
    )
    assert [c.seats for c in m.rows[0].cells] == [10, 0]
    assert [c.is_gap for c in m.rows[0].cells] == [False, True]


blocks = st.lists(
    st.tuples(
        st.sampled_from(["lang", "work"]),
        st.sampled_from(["A", "B", "C"]),
        st.integers(1, 5),
        st.integers(0, 200),
        st.integers(0, 2),
    ),
    max_size=8,
)
demands = st.dictionaries(
    st.tuples(st.sampled_from(["lang", "work"]), st.sampled_from(["duldung", "gestattung"])),
    st.integers(0, 500),
)
admit_maps = st.dictionaries(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["duldung", "gestattung"])),
    st.booleans(),
)


@settings(deadline=None)
@given(blocks, demands, admit_maps)
def test_matrix_properties(raw_blocks, demand, admits) -> None:  # type: ignore[no-untyped-def]
    supply = [
        SupplyBlock(c, s, offers=n, seats=seats, unlimited=u) for c, s, n, seats, u in raw_blocks
    ]
    m = build_matrix(rows=ROWS, columns=COLS, demand=demand, supply=supply, admits=admits)
    total_demand = sum(demand.values())
    assert sum(r.total.demand for r in m.rows) == total_demand
    assert sum(c.demand for c in m.column_totals) == total_demand
    for row in m.rows:
        for (col, _label), cell in zip(COLS, row.cells, strict=True):
            # a cell never has more seats than the offers of its category
            assert cell.seats <= row.total.seats
            assert cell.offers <= row.total.offers
            # a gap is exactly: demand and no accessible offer
            assert cell.is_gap == (cell.demand > 0 and cell.offers == 0)
            # admitting nobody means no supply in the column
            if not any(
                admits.get((b.signature, col), False) for b in supply if b.category == row.key
            ):
                assert cell.offers == 0 and cell.seats == 0
            if cell.coverage is not None:
                assert cell.coverage >= 0
                assert (cell.coverage >= 1) == (cell.level == LEVEL_OK)


@settings(deadline=None)
@given(st.integers(0, 10_000))
def test_coarse_never_reveals_small_counts(n: int) -> None:
    shown = coarse(n)
    if 1 <= n <= 4:
        assert shown == "< 5"
    else:
        assert shown.replace(".", "") == str(n)


def test_status_groups_from_kind_and_paragraph() -> None:
    assert status_group_for("duldung", "60c") == StatusGroup.DULDUNG_60C_60D
    assert status_group_for("duldung", "60b") == StatusGroup.DULDUNG
    assert status_group_for("ankunftsnachweis", "") == StatusGroup.GESTATTUNG
    assert status_group_for("aufenthaltserlaubnis", "25a") == StatusGroup.AE_BLEIBERECHT
    assert status_group_for("aufenthaltserlaubnis", "16g") == StatusGroup.AE_SONSTIGE
    assert status_group_for("unknown", None) == StatusGroup.SONSTIGE
    assert status_group_for(None, None) == StatusGroup.SONSTIGE


def test_age_bands_at_the_edges() -> None:
    on = date(2026, 6, 1)
    assert age_band_for(date(2008, 6, 2), on) is None  # 17
    assert age_band_for(date(2008, 6, 1), on) == "18_20"
    assert age_band_for(date(2005, 6, 1), on) == "21_24"
    assert age_band_for(date(2001, 6, 1), on) == "25_27"
    assert age_band_for(date(1998, 6, 1), on) is None  # 28

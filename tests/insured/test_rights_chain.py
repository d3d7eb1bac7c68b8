"""Carrying rights over several moves (DOMAIN.md): a chain A → B → … → Z moves exactly what a
single A+B+… → Z would, to the fen and the month. Pure arithmetic, no database."""

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from insured.rights import (
    Carried,
    YearRecord,
    medical_rights,
    money,
    pension_rights,
)

cents = st.integers(min_value=0, max_value=5_000_000).map(lambda n: Decimal(n) / 100)


@st.composite
def period(draw, year: int, *, closed: bool) -> YearRecord:
    first = draw(st.integers(1, 12))
    last = draw(st.integers(first, 12))
    months = draw(st.integers(0, last - first + 1))
    base = Decimal(draw(st.integers(100_00, 40_000_00))) / 100
    return YearRecord(
        year=year,
        first_month=first,
        last_month=last,
        months_paid=months,
        monthly_base=base,
        employer_contribution=money(base * months * Decimal("0.16")),
        personal_contribution=money(base * months * Decimal("0.08")),
        personal_account_credit=draw(cents),
        # The transfer year has not closed: no interest booked for it yet.
        interest=draw(cents) if closed else Decimal("0.00"),
    )


@st.composite
def chain(draw):
    """3–5 places (2–4 transfers); each place's periods end in its transfer year, the next
    place starts in that year or later. The first place may start before 1998."""
    places = draw(st.integers(3, 5))
    year = draw(st.integers(1992, 2008))
    histories, dates = [], []
    for index in range(places):
        transfer_year = draw(st.integers(max(year, 2010), max(year, 2010) + 3))
        if index == places - 1:
            transfer_year = max(transfer_year, year)
        rows = []
        for y in range(year, transfer_year + 1):
            for _ in range(draw(st.integers(0 if y != year else 1, 2))):
                rows.append(draw(period(y, closed=y < transfer_year)))
        histories.append(rows)
        dates.append(datetime.date(transfer_year, draw(st.integers(1, 12)), 1))
        year = transfer_year
    return histories, dates


def carried_from(rights, date) -> Carried:
    """What the ledger keeps of a received transfer (insured.RightsMovement)."""
    return Carried(
        transfer_year=date.year,
        months=rights["months"],
        before_1998=rights["before_1998"],
        since_1998_to_last_year=rights["since_1998_to_last_year"],
        transfer_year_principal=rights["transfer_year_principal"],
        personal_account=rights["personal_account"],
        pooled_fund=rights["pooled_fund"],
        wages_since_1998=rights["wages_since_1998"],
    )


@settings(max_examples=150, deadline=None)
@given(chain())
def test_a_chain_of_pension_transfers_moves_what_one_transfer_of_everything_would(data):
    histories, dates = data
    carried: list[Carried] = []
    wages_so_far = Decimal("0")
    for rows, date in zip(histories, dates, strict=True):
        rights = pension_rights(rows, transfer_date=date, carried=carried)
        wages_so_far += sum(
            (r.monthly_base * r.months_paid for r in rows if r.year >= 1998), Decimal("0")
        )
        # At every hop the pooled fund is 12% of the real wages from 1998-01 carried so far.
        assert rights["pooled_fund"] == money(Decimal("0.12") * wages_so_far)
        assert rights["personal_account"] == (
            rights["before_1998"]
            + rights["since_1998_to_last_year"]
            + rights["transfer_year_principal"]
        )
        assert rights["total"] == rights["personal_account"] + rights["pooled_fund"]
        carried = [carried_from(rights, date)]

    everything = [row for rows in histories for row in rows]
    single = pension_rights(everything, transfer_date=dates[-1])
    assert rights == single
    # Nothing dropped, nothing counted twice.
    assert rights["months"] == sum(row.months_paid for row in everything)
    closed_before_1998 = sum(
        (r.personal_contribution + r.interest for r in everything if r.year < 1998), Decimal("0")
    )
    after = sum(
        (r.personal_account_credit + r.interest for r in everything if r.year >= 1998),
        Decimal("0"),
    )
    assert rights["personal_account"] == money(closed_before_1998 + after)


@settings(max_examples=100, deadline=None)
@given(chain())
def test_a_chain_of_medical_transfers_keeps_every_month_and_every_fen(data):
    histories, dates = data
    carried: list[Carried] = []
    for rows, date in zip(histories, dates, strict=True):
        rights = medical_rights(rows, transfer_date=date, carried=carried)
        carried = [carried_from(rights, date)]
    everything = [row for rows in histories for row in rows]
    assert rights["months"] == sum(row.months_paid for row in everything)
    assert rights["personal_account"] == sum(
        (r.personal_account_credit + r.interest for r in everything), Decimal("0")
    )


def test_a_principal_carried_in_the_transfer_year_stays_line_3_until_the_year_closes():
    row = YearRecord(2024, 1, 6, 6, Decimal("5000.00"), Decimal("4800.00"), Decimal("2400.00"),
                     Decimal("2400.00"), Decimal("0.00"))  # fmt: skip
    first = pension_rights([row], transfer_date=datetime.date(2024, 7, 1))
    assert first["transfer_year_principal"] == Decimal("2400.00")
    same_year = pension_rights(
        [],
        transfer_date=datetime.date(2024, 11, 1),
        carried=[carried_from(first, datetime.date(2024, 7, 1))],
    )
    next_year = pension_rights(
        [],
        transfer_date=datetime.date(2025, 3, 1),
        carried=[carried_from(first, datetime.date(2024, 7, 1))],
    )
    assert (same_year["since_1998_to_last_year"], same_year["transfer_year_principal"]) == (
        Decimal("0.00"),
        Decimal("2400.00"),
    )
    assert (next_year["since_1998_to_last_year"], next_year["transfer_year_principal"]) == (
        Decimal("2400.00"),
        Decimal("0.00"),
    )
    assert same_year["pooled_fund"] == next_year["pooled_fund"] == Decimal("3600.00")  # 12% × 30000

"""Transfer amounts (国办发〔2009〕66号 art. 4 and 6; 医保办发〔2021〕43号): pure, no database."""

import dataclasses
import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insured.models import AccountKind
from transfers.amounts import (
    YearRecord,
    medical_amounts,
    months_paid,
    overlapping_months,
    pension_amounts,
)

D = Decimal


def year(
    y: int,
    months: tuple[int, int] = (1, 12),
    *,
    paid: int | None = None,
    base: str = "0.00",
    employer: str = "0.00",
    personal: str = "0.00",
    credit: str = "0.00",
    interest: str = "0.00",
) -> YearRecord:
    first, last = months
    return YearRecord(
        year=y,
        first_month=first,
        last_month=last,
        months_paid=last - first + 1 if paid is None else paid,
        monthly_base=D(base),
        employer_contribution=D(employer),
        personal_contribution=D(personal),
        personal_account_credit=D(credit),
        interest=D(interest),
    )


# A history at one place from 1995 to the transfer on 2025-06-15 (with gaps elsewhere).
HISTORY = [
    # Before 1998 only personal contributions and interest count; the credit is a decoy.
    year(1995, base="500.00", employer="1200.00", personal="180.00", credit="660.00", interest="12.34"),
    year(1996, base="600.00", employer="1440.00", personal="288.00", credit="792.00", interest="25.10"),
    year(1997, paid=10, base="700.00", employer="1400.00", personal="350.00", credit="770.00", interest="40.05"),
    # From 1998: credit 11% of the base until 2005, 8% from 2006.
    year(1998, (7, 12), base="800.00", employer="960.00", personal="240.00", credit="528.00", interest="10.00"),
    year(2005, base="1500.00", employer="3600.00", personal="1440.00", credit="1980.00", interest="150.25"),
    year(2006, base="2000.00", employer="4800.00", personal="1920.00", credit="1920.00", interest="200.50"),
    # 11 of 12 months paid (one in arrears); 6000.37 × 0.08 × 11 = 5280.3256 → 5280.33
    year(2024, paid=11, base="6000.37", employer="13200.81", personal="5280.33", credit="5280.33", interest="900.99"),
    # The transfer year: this year's interest is not credited yet, so 33.33 must not count.
    year(2025, (1, 5), base="7000.00", employer="5600.00", personal="2800.00", credit="2800.00", interest="33.33"),
]  # fmt: skip


def test_pension_amounts_of_a_history_from_1995_to_2025_match_the_hand_computation():
    amounts = pension_amounts(
        HISTORY, transfer_date=datetime.date(2025, 6, 15), account_kind="ordinary"
    )

    # ① (180.00 + 12.34) + (288.00 + 25.10) + (350.00 + 40.05) = 818.00 + 77.49 = 895.49
    assert amounts["before_1998"] == D("895.49")
    # ② credits 528.00 + 1980.00 + 1920.00 + 5280.33 = 9708.33
    #   interest 10.00 + 150.25 + 200.50 + 900.99 = 1261.74;  9708.33 + 1261.74 = 10970.07
    assert amounts["since_1998_to_last_year"] == D("10970.07")
    # ③ 2025 credit only: 2800.00 (its 33.33 interest is not yet credited)
    assert amounts["transfer_year_principal"] == D("2800.00")
    # ④ 895.49 + 10970.07 + 2800.00 = 14665.56
    assert amounts["personal_account"] == D("14665.56")
    # ⑤ bases × months from 1998: 800.00×6 = 4800.00; 1500.00×12 = 18000.00;
    #   2000.00×12 = 24000.00; 6000.37×11 = 66004.07; 7000.00×5 = 35000.00
    #   Σ = 147804.07;  × 0.12 = 17736.4884 → 17736.49 (1995–1997 bases never count)
    assert amounts["pooled_fund"] == D("17736.49")
    # ⑥ 14665.56 + 17736.49 = 32402.05
    assert amounts["total"] == D("32402.05")


def test_pension_amounts_ignore_years_after_the_transfer_year():
    later = year(
        2026, base="9000.00", employer="1.00", personal="1.00", credit="720.00", interest="5.00"
    )
    transfer_date = datetime.date(2025, 6, 15)

    with_later = pension_amounts([*HISTORY, later], transfer_date=transfer_date)

    assert with_later == pension_amounts(HISTORY, transfer_date=transfer_date)


def test_pooled_fund_counts_only_months_from_1998():
    pre_1998 = HISTORY[:3]

    amounts = pension_amounts(pre_1998, transfer_date=datetime.date(2025, 6, 15))

    assert amounts["pooled_fund"] == D("0.00")
    assert amounts["before_1998"] == D("895.49")
    assert amounts["since_1998_to_last_year"] == D("0.00")
    assert amounts["transfer_year_principal"] == D("0.00")
    assert amounts["personal_account"] == amounts["total"] == D("895.49")


def test_pooled_fund_of_a_part_year_counts_its_months():
    # Months 7–12 of 2024: 0.12 × 5000.00 × 6 = 3600.00
    part_year = year(2024, (7, 12), base="5000.00", credit="2400.00", interest="30.00")

    amounts = pension_amounts([part_year], transfer_date=datetime.date(2025, 3, 1))

    assert amounts["pooled_fund"] == D("3600.00")
    assert amounts["since_1998_to_last_year"] == D("2430.00")
    assert amounts["total"] == D("6030.00")


def test_pooled_fund_leaves_out_months_in_arrears():
    # Months 7–12 of 2024 with 2 unpaid: 0.12 × 5000.00 × 4 = 2400.00
    part_year = year(2024, (7, 12), paid=4, base="5000.00", credit="1600.00")

    amounts = pension_amounts([part_year], transfer_date=datetime.date(2025, 3, 1))

    assert amounts["pooled_fund"] == D("2400.00")


# Enrolled 2015 at 52 outside the hukou province: a temporary account. Employer 20%, personal 8%.
TEMPORARY_HISTORY = [
    year(2015, base="4000.00", employer="9600.00", personal="3840.00", credit="3840.00", interest="120.00"),
    year(2016, base="4500.00", employer="10800.00", personal="4320.00", credit="4320.00", interest="250.40"),
    year(2017, (1, 3), base="4500.00", employer="2700.00", personal="1080.00", credit="1080.00"),
]  # fmt: skip


def test_temporary_account_moves_all_contributions_with_interest_not_the_twelve_percent():
    amounts = pension_amounts(
        TEMPORARY_HISTORY, transfer_date=datetime.date(2017, 4, 10), account_kind="temporary"
    )

    assert amounts["before_1998"] == D("0.00")
    # ② (3840.00 + 120.00) + (4320.00 + 250.40) = 8530.40
    assert amounts["since_1998_to_last_year"] == D("8530.40")
    # ③ 1080.00 + 0.00 interest
    assert amounts["transfer_year_principal"] == D("1080.00")
    # ④ 8530.40 + 1080.00 = 9610.40
    assert amounts["personal_account"] == D("9610.40")
    # ⑤ every employer contribution: 9600.00 + 10800.00 + 2700.00 = 23100.00
    #   (the ordinary rule would move 0.12 × (48000 + 54000 + 13500) = 13860.00)
    assert amounts["pooled_fund"] == D("23100.00")
    assert amounts["total"] == D("32710.40")
    ordinary = pension_amounts(TEMPORARY_HISTORY, transfer_date=datetime.date(2017, 4, 10))
    assert ordinary["pooled_fund"] == D("13860.00")


def test_pension_amounts_accept_the_account_kind_choices():
    transfer_date = datetime.date(2017, 4, 10)

    for kind in AccountKind:
        assert pension_amounts(
            TEMPORARY_HISTORY, transfer_date=transfer_date, account_kind=kind
        ) == pension_amounts(
            TEMPORARY_HISTORY, transfer_date=transfer_date, account_kind=kind.value
        )


def test_temporary_account_moves_interest_booked_in_the_transfer_year():
    rows = [
        year(2017, (1, 3), base="4500.00", employer="2700.00", personal="1080.00", interest="4.56")
    ]

    amounts = pension_amounts(
        rows, transfer_date=datetime.date(2017, 4, 10), account_kind="temporary"
    )

    assert amounts["transfer_year_principal"] == D("1084.56")
    assert amounts["total"] == D("3784.56")


def test_pension_amounts_reject_an_unknown_account_kind():
    with pytest.raises(ValueError, match="account_kind"):
        pension_amounts(HISTORY, transfer_date=datetime.date(2025, 6, 15), account_kind="other")


def test_medical_amounts_move_the_personal_account_balance_and_add_up_months():
    rows = [
        year(2020, base="8000.00", employer="4800.00", personal="1920.00", credit="1200.00", interest="15.50"),
        year(2021, (1, 8), base="8200.00", employer="3936.00", personal="1312.00", credit="850.25", interest="10.00"),
        year(2022, base="8500.00", credit="999.00"),  # after the transfer: ignored
    ]  # fmt: skip

    amounts = medical_amounts(rows, transfer_date=datetime.date(2021, 9, 1))

    # 1200.00 + 15.50 + 850.25 + 10.00 = 2075.75; months 12 + 8 = 20
    assert amounts == {"personal_account": D("2075.75"), "months": 20}


def test_months_paid_adds_up_months_and_leaves_out_arrears():
    assert months_paid(HISTORY) == 12 + 12 + 10 + 6 + 12 + 12 + 11 + 5


def test_overlapping_months_lists_months_paid_in_both_places():
    here = [(2024, 1, 12), year(2025, (1, 3))]
    there = [year(2024, (11, 12)), (2025, 3, 6)]

    assert overlapping_months(here, there) == [(2024, 11), (2024, 12), (2025, 3)]


def test_overlapping_months_ignore_a_record_with_nothing_paid():
    assert overlapping_months([year(2024, (1, 6), paid=0)], [(2024, 1, 12)]) == []
    assert overlapping_months([(2023, 1, 12)], [(2024, 1, 12)]) == []


def test_year_record_is_built_from_an_orm_like_row():
    row = SimpleNamespace(**dataclasses.asdict(HISTORY[4]), enrollment_id=7)

    assert YearRecord.from_row(row) == HISTORY[4]


def test_year_record_refuses_floats_and_impossible_months():
    with pytest.raises(TypeError, match="float"):
        YearRecord(2024, 1, 12, 12, 3000.0, D(0), D(0), D(0), D(0))
    with pytest.raises(ValueError, match="months"):
        year(2024, (7, 6))
    with pytest.raises(ValueError, match="months_paid"):
        year(2024, (7, 12), paid=7)


# --- properties -------------------------------------------------------------------------

ANY_YEAR = st.integers(min_value=1990, max_value=2030)
money_values = st.decimals(
    min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False
)


@st.composite
def year_records(draw, years=ANY_YEAR):
    first = draw(st.integers(1, 12))
    last = draw(st.integers(first, 12))
    return YearRecord(
        year=draw(years),
        first_month=first,
        last_month=last,
        months_paid=draw(st.integers(0, last - first + 1)),
        monthly_base=draw(money_values),
        employer_contribution=draw(money_values),
        personal_contribution=draw(money_values),
        personal_account_credit=draw(money_values),
        interest=draw(money_values),
    )


histories = st.lists(year_records(), max_size=15)
transfer_dates = st.dates(datetime.date(2010, 1, 1), datetime.date(2030, 12, 31))
account_kinds = st.sampled_from(["ordinary", "temporary"])


@given(histories, transfer_dates, account_kinds)
def test_total_is_always_the_sum_of_its_parts(rows, transfer_date, kind):
    a = pension_amounts(rows, transfer_date=transfer_date, account_kind=kind)

    assert a["total"] == a["personal_account"] + a["pooled_fund"]
    assert a["personal_account"] == (
        a["before_1998"] + a["since_1998_to_last_year"] + a["transfer_year_principal"]
    )


@given(histories, transfer_dates, account_kinds, st.data())
def test_pooled_fund_never_changes_with_a_pre_1998_base(rows, transfer_date, kind, data):
    pre_1998 = data.draw(year_records(years=st.integers(1990, 1997)))
    altered = dataclasses.replace(pre_1998, monthly_base=data.draw(money_values))

    before = pension_amounts([*rows, pre_1998], transfer_date=transfer_date, account_kind=kind)
    after = pension_amounts([*rows, altered], transfer_date=transfer_date, account_kind=kind)

    assert after["pooled_fund"] == before["pooled_fund"]


@given(histories, transfer_dates, account_kinds)
def test_amounts_have_exactly_two_places_and_are_never_negative(rows, transfer_date, kind):
    pension = pension_amounts(rows, transfer_date=transfer_date, account_kind=kind)
    medical = medical_amounts(rows, transfer_date=transfer_date)

    for value in [*pension.values(), medical["personal_account"]]:
        assert isinstance(value, Decimal)
        assert value.as_tuple().exponent == -2
        assert value >= 0
    assert medical["months"] >= 0

"""The sums that move with a transfer, computed from contribution periods and the rights
carried in by earlier transfers (the ledger's arithmetic).

Pure functions on plain data: no database, no Django settings. Callers turn ORM rows into
``YearRecord`` with ``YearRecord.from_row``, received ledger entries
into ``Carried``, and pass the transfer date. ``transfers.amounts`` re-exports these names.

Carrying (DOMAIN.md "Carrying rights over several moves"): rights transferred in are part of
the receiving place's record, so a later transfer moves them on as if paid there. Each part
keeps its line: carried ① stays ①; carried ② is ②; carried ③ is ③ only in the year it was
transferred (after a year end it is part of the balance, ②); the pooled fund is 12% of the real
wages from 1998-01 of every place, carried as wages (not as the rounded 12%), so a chain
A → B → C moves exactly what A+B → C would, to the fen.

Money is ``Decimal``; every amount (one line of the info sheet) is rounded once, half-up, to two
places at its end, so that the parts and their totals always agree to the fen. Never floats.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from documents.kinds import PensionAmounts

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# 国办发〔2009〕66号 art. 4: the pooled fund moves 12% of actual contribution wages.
POOLED_RATE = Decimal("0.12")
# Personal accounts were unified nationally from 1998-01-01 (国发〔1997〕26号); 66号 art. 4 splits
# the personal account at that date, and the pooled 12% counts only months from 1998-01.
ACCOUNT_UNIFICATION_YEAR = 1998

ORDINARY = "ordinary"
TEMPORARY = "temporary"  # insured.models.AccountKind values; compared as plain strings


def money(value: Decimal) -> Decimal:
    """Round one line to two places, half-up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # a float has already lost the fen; refuse it
        raise TypeError(f"{field}: floats are not accepted for money, got {value!r}")
    return Decimal(value)


@dataclass(frozen=True, slots=True)
class YearRecord:
    """One contribution period at one place, inside one calendar year (mirrors
    ``insured.ContributionYear``; a year may have several).

    ``months_paid`` may be lower than the span ``first_month..last_month``: months in arrears
    do not count.
    """

    year: int
    first_month: int
    last_month: int
    months_paid: int
    monthly_base: Decimal
    employer_contribution: Decimal
    personal_contribution: Decimal
    personal_account_credit: Decimal
    interest: Decimal

    def __post_init__(self) -> None:
        if not 1 <= self.first_month <= self.last_month <= 12:
            raise ValueError(
                f"{self.year}: months must satisfy 1 <= first_month <= last_month <= 12, "
                f"got {self.first_month}..{self.last_month}"
            )
        if not 0 <= self.months_paid <= self.last_month - self.first_month + 1:
            raise ValueError(
                f"{self.year}: months_paid {self.months_paid} does not fit "
                f"{self.first_month}..{self.last_month}"
            )
        for name in (
            "monthly_base",
            "employer_contribution",
            "personal_contribution",
            "personal_account_credit",
            "interest",
        ):
            object.__setattr__(self, name, _decimal(getattr(self, name), name))

    @classmethod
    def from_row(cls, row: Any) -> YearRecord:
        """Build from anything with the ``ContributionYear`` attributes (an ORM row, a stub)."""
        return cls(
            year=row.year,
            first_month=row.first_month,
            last_month=row.last_month,
            months_paid=row.months_paid,
            monthly_base=row.monthly_base,
            employer_contribution=row.employer_contribution,
            personal_contribution=row.personal_contribution,
            personal_account_credit=row.personal_account_credit,
            interest=row.interest,
        )


def _sum(values: Iterable[Decimal]) -> Decimal:
    return money(sum(values, Decimal("0")))


@dataclass(frozen=True, slots=True)
class Carried:
    """Rights received from an earlier transfer (one ``insured.RightsMovement``)."""

    transfer_year: int
    months: int
    before_1998: Decimal
    since_1998_to_last_year: Decimal
    transfer_year_principal: Decimal
    personal_account: Decimal
    pooled_fund: Decimal
    wages_since_1998: Decimal

    @classmethod
    def from_row(cls, row: Any) -> Carried:
        return cls(
            transfer_year=row.transfer_date.year,
            months=row.months,
            before_1998=row.before_1998,
            since_1998_to_last_year=row.since_1998_to_last_year,
            transfer_year_principal=row.transfer_year_principal,
            personal_account=row.personal_account,
            pooled_fund=row.pooled_fund,
            wages_since_1998=row.wages_since_1998,
        )


class Rights(TypedDict):
    """What one transfer moves: ①–⑥ (``TransferFunds``), the months, and the pooled-fund
    basis that the next transfer needs (wages from 1998-01, own and carried)."""

    months: int
    before_1998: Decimal
    since_1998_to_last_year: Decimal
    transfer_year_principal: Decimal
    personal_account: Decimal
    pooled_fund: Decimal
    total: Decimal
    wages_since_1998: Decimal


def wages_since_1998(years: Iterable[YearRecord]) -> Decimal:
    """Σ(monthly base × months paid) over periods from 1998-01: exact, never rounded."""
    return sum(
        (y.monthly_base * y.months_paid for y in years if y.year >= ACCOUNT_UNIFICATION_YEAR),
        Decimal("0"),
    )


def pension_rights(
    years: Iterable[YearRecord],
    *,
    transfer_date: datetime.date,
    account_kind: str = ORDINARY,
    carried: Iterable[Carried] = (),
) -> Rights:
    """Everything a pension transfer from this place moves: its own periods and the rights
    carried in (see the module docstring)."""
    years = [y for y in years if y.year <= transfer_date.year]
    carried = list(carried)
    own = pension_amounts(years, transfer_date=transfer_date, account_kind=account_kind)
    year = transfer_date.year
    before = own["before_1998"] + sum((c.before_1998 for c in carried), Decimal("0"))
    middle = own["since_1998_to_last_year"] + sum(
        (
            c.since_1998_to_last_year + (c.transfer_year_principal if c.transfer_year < year else 0)
            for c in carried
        ),
        Decimal("0"),
    )
    current = own["transfer_year_principal"] + sum(
        (c.transfer_year_principal for c in carried if c.transfer_year >= year), Decimal("0")
    )
    wages = wages_since_1998(years) + sum((c.wages_since_1998 for c in carried), Decimal("0"))
    if account_kind == TEMPORARY:
        pooled = own["pooled_fund"] + sum((c.pooled_fund for c in carried), Decimal("0"))
    else:
        # 66号 art. 4 (2) over every month from 1998-01 the person paid anywhere along the
        # chain, rounded once: the same figure a single A+B → C transfer would give.
        pooled = money(POOLED_RATE * wages)
    personal = money(before + middle + current)
    return Rights(
        months=months_paid(years) + sum(c.months for c in carried),
        before_1998=money(before),
        since_1998_to_last_year=money(middle),
        transfer_year_principal=money(current),
        personal_account=personal,
        pooled_fund=pooled,
        total=money(personal + pooled),
        wages_since_1998=wages,
    )


def medical_rights(
    years: Iterable[YearRecord], *, transfer_date: datetime.date, carried: Iterable[Carried] = ()
) -> Rights:
    """A medical transfer: the personal account balance (own and carried) and the months."""
    carried = list(carried)
    own = medical_amounts(years, transfer_date=transfer_date)
    personal = money(own["personal_account"] + sum((c.personal_account for c in carried), ZERO))
    return Rights(
        months=own["months"] + sum(c.months for c in carried),
        before_1998=ZERO,
        since_1998_to_last_year=ZERO,
        transfer_year_principal=ZERO,
        personal_account=personal,
        pooled_fund=ZERO,
        total=personal,
        wages_since_1998=ZERO,
    )


def pension_amounts(
    years: Iterable[YearRecord], *, transfer_date: datetime.date, account_kind: str = ORDINARY
) -> PensionAmounts:
    """①–⑥ of the pension info sheet for the own periods of one transfer-out place (without
    rights carried in: ``pension_rights`` adds those).

    Years after the transfer year are ignored (they cannot have been paid at the place being
    left). ``account_kind`` is ``"ordinary"`` or ``"temporary"`` (``AccountKind`` values).
    """
    if account_kind not in (ORDINARY, TEMPORARY):
        raise ValueError(f"account_kind must be 'ordinary' or 'temporary', got {account_kind!r}")
    transfer_year = transfer_date.year
    counted = [y for y in years if y.year <= transfer_year]
    before = [y for y in counted if y.year < ACCOUNT_UNIFICATION_YEAR]
    middle = [y for y in counted if ACCOUNT_UNIFICATION_YEAR <= y.year < transfer_year]
    current = [y for y in counted if y.year == transfer_year and y.year >= ACCOUNT_UNIFICATION_YEAR]

    # ① 66号 art. 4 (1): before 1998-01-01 the account was the person's own contributions
    # with interest, whatever the account kind.
    before_1998 = _sum(y.personal_contribution + y.interest for y in before)

    if account_kind == TEMPORARY:
        # 66号 art. 6 / DOMAIN.md: a temporary account (临时基本养老保险缴费账户) moves ALL
        # employer and personal contributions with interest, not the 12%. ①–④ carry the
        # personal contributions plus all recorded interest, split by period (the transfer
        # year's interest included, if any was booked); ⑤ carries every employer contribution
        # (all counted years, no 1998 cut-off). The record has one interest column, so interest
        # booked on the employer part must be in it to be moved.
        since_1998_to_last_year = _sum(y.personal_contribution + y.interest for y in middle)
        transfer_year_principal = _sum(y.personal_contribution + y.interest for y in current)
        pooled_fund = _sum(y.employer_contribution for y in counted)
    else:
        # ② 66号 art. 4 (1): the account balance from 1998-01-01 to the end of last year, i.e.
        # every year's credit (11% of the base 1998–2005, 8% from 2006) with its interest.
        since_1998_to_last_year = _sum(y.personal_account_credit + y.interest for y in middle)
        # ③ 66号 art. 4 (1): principal credited in the transfer year; this year's interest is
        # not credited until the year closes, so it is left out even if a value is recorded.
        transfer_year_principal = _sum(y.personal_account_credit for y in current)
        # ⑤ 66号 art. 4 (2): 12% of actual contribution wages for each month paid from
        # 1998-01: 0.12 × Σ(monthly base × months paid); a part year counts by its months.
        # Rounded once, on the sum, as one line of the sheet.
        pooled_fund = money(
            POOLED_RATE
            * sum(
                (
                    y.monthly_base * y.months_paid
                    for y in counted
                    if y.year >= ACCOUNT_UNIFICATION_YEAR
                ),
                Decimal("0"),
            )
        )

    # ④ = ① + ② + ③ and ⑥ = ④ + ⑤: sums of already rounded lines, so they always agree.
    personal_account = before_1998 + since_1998_to_last_year + transfer_year_principal
    return PensionAmounts(
        before_1998=before_1998,
        since_1998_to_last_year=since_1998_to_last_year,
        transfer_year_principal=transfer_year_principal,
        personal_account=money(personal_account),
        pooled_fund=pooled_fund,
        total=money(personal_account + pooled_fund),
    )


class MedicalAmounts(TypedDict):
    personal_account: Decimal
    months: int


def medical_amounts(years: Iterable[YearRecord], *, transfer_date: datetime.date) -> MedicalAmounts:
    """What a medical transfer moves: the personal account balance, and the months.

    医保办发〔2021〕43号 (and 人社部发〔2009〕191号): only the employee personal account
    balance is remitted; the pooled fund stays; contribution months add up at the new place.
    The balance is Σ(credit + interest) of the records up to the transfer year; the records
    carry no withdrawals, so a credit must already be net of spending for this to be the
    balance.
    """
    counted = [y for y in years if y.year <= transfer_date.year]
    return MedicalAmounts(
        personal_account=_sum(y.personal_account_credit + y.interest for y in counted),
        months=months_paid(counted),
    )


def months_paid(years: Iterable[YearRecord]) -> int:
    """Months actually paid (arrears excluded), added up over the records."""
    return sum(y.months_paid for y in years)


Period = tuple[int, int, int]  # (year, first_month, last_month)


def _months(periods: Iterable[Period | Any]) -> set[tuple[int, int]]:
    months: set[tuple[int, int]] = set()
    for period in periods:
        if isinstance(period, tuple):
            year, first, last = period
        else:
            # A record with nothing paid cannot be paid twice.
            if getattr(period, "months_paid", 1) == 0:
                continue
            year, first, last = period.year, period.first_month, period.last_month
        months.update((year, month) for month in range(first, last + 1))
    return months


def overlapping_months(
    periods_a: Iterable[Period | Any], periods_b: Iterable[Period | Any]
) -> list[tuple[int, int]]:
    """The (year, month) pairs covered at both places, sorted: 重复缴费 for the clerk.

    Periods are ``(year, first_month, last_month)`` tuples or records with those attributes
    (``YearRecord``, ``ContributionYear``). A record's whole span counts: the records do not
    say which months inside it were in arrears, so the clerk confirms before refunding.
    """
    return sorted(_months(periods_a) & _months(periods_b))

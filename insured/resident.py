"""The urban-rural resident pension account and the overlap refund of 城乡制度衔接
(人社部发〔2014〕17号 《城乡养老保险制度衔接暂行办法》). Pure functions on plain data, no database.

- The resident personal account is every yearly payment: the person's contribution, the
  government subsidy (政府补贴) and the collective subsidy (集体补助).
- Art. 8: months paid in both schemes count only as employee months; the resident personal
  contributions and collective subsidies of those months are refunded to the person; the
  government subsidies stay.
- A year's personal + collective amount is spread over the months the enrollment covered that
  year, in fen: each month gets the whole-fen share, and the remainder fen go to the first
  months of the year, one each. So the months of a year always add up to the year's amount
  exactly, and merged + refunded = the resident account, to the fen.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ResidentYear:
    """One year of resident payments (mirrors ``insured.ResidentPayment``)."""

    year: int
    first_month: int
    last_month: int
    grade: Decimal
    personal_contribution: Decimal
    government_subsidy: Decimal
    collective_subsidy: Decimal

    def __post_init__(self) -> None:
        if not 1 <= self.first_month <= self.last_month <= 12:
            raise ValueError(f"{self.year}: months {self.first_month}..{self.last_month}")
        for name in ("grade", "personal_contribution", "government_subsidy", "collective_subsidy"):
            value = getattr(self, name)
            if isinstance(value, float) or not isinstance(value, Decimal):
                raise TypeError(f"{name}: a Decimal is required, got {value!r}")
            if value < 0 or value != value.quantize(CENT):
                raise ValueError(f"{name}: not a non-negative amount in fen: {value}")

    @classmethod
    def from_row(cls, row) -> ResidentYear:
        return cls(
            year=row.year,
            first_month=row.first_month,
            last_month=row.last_month,
            grade=row.grade,
            personal_contribution=row.personal_contribution,
            government_subsidy=row.government_subsidy,
            collective_subsidy=row.collective_subsidy,
        )

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1

    @property
    def total(self) -> Decimal:
        return self.personal_contribution + self.government_subsidy + self.collective_subsidy

    @property
    def refundable(self) -> Decimal:
        """What art. 8 refunds for the whole year: personal + collective, not the subsidy."""
        return self.personal_contribution + self.collective_subsidy


def _fen(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value())


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) * CENT).quantize(CENT)


def month_shares(year: ResidentYear) -> dict[int, int]:
    """The refundable amount of ``year`` in fen, month by month (exact, remainders first)."""
    total = _fen(year.refundable)
    share, remainder = divmod(total, year.months)
    months = range(year.first_month, year.last_month + 1)
    return {month: share + (1 if index < remainder else 0) for index, month in enumerate(months)}


def resident_account(years: Iterable[ResidentYear]) -> Decimal:
    return sum((y.total for y in years), Decimal("0")).quantize(CENT)


@dataclass(frozen=True)
class RefundYear:
    year: int
    months: int  # overlap months in this year
    amount: Decimal


@dataclass(frozen=True)
class Refund:
    amount: Decimal
    months: int
    first: datetime.date | None
    last: datetime.date | None
    by_year: tuple[RefundYear, ...]


def overlap_refund(years: Iterable[ResidentYear], employee_months: Iterable[tuple[int, int]]):
    """The refund of art. 8 for the resident ``years`` against the (year, month) pairs paid to
    the employee pension."""
    paid = set(employee_months)
    total_fen = 0
    count = 0
    months: list[tuple[int, int]] = []
    rows = []
    for year in sorted(years, key=lambda y: y.year):
        shares = month_shares(year)
        overlap = [m for m in shares if (year.year, m) in paid]
        if not overlap:
            continue
        fen = sum(shares[m] for m in overlap)
        rows.append(RefundYear(year=year.year, months=len(overlap), amount=_yuan(fen)))
        total_fen += fen
        count += len(overlap)
        months.extend((year.year, m) for m in overlap)
    return Refund(
        amount=_yuan(total_fen),
        months=count,
        first=datetime.date(*months[0], 1) if months else None,
        last=datetime.date(*months[-1], 1) if months else None,
        by_year=tuple(rows),
    )

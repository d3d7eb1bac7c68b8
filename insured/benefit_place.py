"""Where the pension will be claimed (待遇领取地), 国办发〔2009〕66号 art. 6.

A pure rule on plain data, no database: the selector ``benefit_place_for_person`` builds the
summaries. In order:

(a) the hukou place, if the person's pension relationship is there now;
(b) else the current place, if the person has 10+ cumulative contribution years there;
(c) else the last place where the person has 10+ cumulative years;
(d) else the hukou place, which gathers every period and amount.

"The relationship is there now" reads the rule as about the *current* relationship: the active
ordinary pension enrollment, or, when none is active, the most recent ordinary one that has not
been transferred out. A period at the hukou place long ago does not make it the benefit place
when the relationship has since moved (that case falls to b, c or d).

Years at a place are counted over every ordinary pension enrollment at that pooling region,
using the months actually paid there (months transferred in were paid elsewhere). A place where
the person holds only a temporary account (临时基本养老保险缴费账户) never counts.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

TEN_YEARS_IN_MONTHS = 120  # 66号 art. 6: 累计缴费年限满10年


@dataclass(frozen=True)
class EnrollmentSummary:
    """What the rule needs of one pension enrollment."""

    pooling_region_code: str  # the agency's region (统筹区)
    pooling_region_name: str
    account_kind: str  # "ordinary" or "temporary"
    months: int  # months actually paid at this enrollment
    start: datetime.date
    end: datetime.date | None  # None while still enrolled
    active: bool
    transferred_out: bool = False


@dataclass(frozen=True)
class BenefitPlace:
    region_code: str
    region_name: str
    rule: str  # "a", "b", "c" or "d"
    explanation: str


def region_contains(outer: str, inner: str) -> bool:
    """Whether region ``outer`` is ``inner`` or one of its ancestors, by GB/T 2260 structure."""
    if outer == inner:
        return True
    if outer[2:] == "0000":  # a province contains everything starting with its two digits
        return inner[:2] == outer[:2]
    if outer[4:] == "00":  # a city contains its districts and counties
        return inner[:4] == outer[:4]
    return False


def _recency(summary: EnrollmentSummary) -> tuple[datetime.date, datetime.date]:
    # An open enrollment is the most recent of all.
    return (summary.end or datetime.date.max, summary.start)


def _months_by_place(ordinary: list[EnrollmentSummary]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for summary in ordinary:
        code = summary.pooling_region_code
        totals[code] = totals.get(code, 0) + summary.months
    return totals


def _years(months: int) -> str:
    years, rest = divmod(months, 12)
    if rest:
        return _("%(years)d年%(months)d个月") % {"years": years, "months": rest}
    return _("%(years)d年") % {"years": years}


def benefit_place(
    *,
    enrollments: list[EnrollmentSummary],
    hukou_region_code: str,
    hukou_region_name: str,
) -> BenefitPlace | None:
    """The benefit place for a person's pension enrollments, or None without any."""
    if not enrollments:
        return None
    ordinary = [e for e in enrollments if e.account_kind == "ordinary"]
    totals = _months_by_place(ordinary)
    names = {e.pooling_region_code: e.pooling_region_name for e in ordinary}

    active = [e for e in ordinary if e.active]
    current = max(active, key=_recency) if active else None
    holding = [e for e in ordinary if not e.transferred_out]
    relationship = current or (max(holding, key=_recency) if holding else None)

    # (a) the relationship is at the hukou place.
    if relationship and region_contains(relationship.pooling_region_code, hukou_region_code):
        return BenefitPlace(
            hukou_region_code,
            hukou_region_name,
            "a",
            _("基本养老保险关系在户籍所在地%(place)s，由户籍所在地办理待遇领取手续。")
            % {"place": hukou_region_name},
        )

    # (b) the current place, with 10+ cumulative years there.
    if current and totals[current.pooling_region_code] >= TEN_YEARS_IN_MONTHS:
        code = current.pooling_region_code
        return BenefitPlace(
            code,
            names[code],
            "b",
            _(
                "基本养老保险关系不在户籍所在地，在现参保地%(place)s累计缴费%(years)s，"
                "满10年，由现参保地办理待遇领取手续。"
            )
            % {"place": names[code], "years": _years(totals[code])},
        )

    # (c) the most recent place with 10+ cumulative years.
    qualifying = [e for e in ordinary if totals[e.pooling_region_code] >= TEN_YEARS_IN_MONTHS]
    if qualifying:
        code = max(qualifying, key=_recency).pooling_region_code
        return BenefitPlace(
            code,
            names[code],
            "c",
            _(
                "基本养老保险关系不在户籍所在地，现参保地累计缴费不满10年；"
                "%(place)s是最后一个累计缴费满10年（%(years)s）的参保地，由该地办理待遇领取手续。"
            )
            % {"place": names[code], "years": _years(totals[code])},
        )

    # (d) no place with 10 years: the hukou place gathers everything.
    return BenefitPlace(
        hukou_region_code,
        hukou_region_name,
        "d",
        _(
            "基本养老保险关系不在户籍所在地，且没有累计缴费满10年的参保地，"
            "将各参保地的关系和资金归集到户籍所在地%(place)s，由户籍所在地办理待遇领取手续。"
        )
        % {"place": hukou_region_name},
    )

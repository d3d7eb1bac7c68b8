"""Where the pension will be claimed (待遇领取地), 国办发〔2009〕66号 art. 6.

A pure rule on plain data, no database: the selector ``benefit_place_for_person`` builds the
summaries. In order:

(a) the hukou place, if the person's pension relationship is there now;
(b) else the current place, if the person has 10+ cumulative contribution years there;
(c) else the last place where the person has 10+ cumulative years;
(d) else the hukou place, which gathers every period and amount.

A "place" is a province (省、自治区、直辖市): 户籍所在地 means the hukou province, and years add
up over every pooling region of one province (Guangdong's guide applies art. 6 以省为单位). So
hukou Beijing Haidian with the relationship in Beijing Chaoyang is rule (a), Beijing.

"The relationship is there now" reads the rule as about the *current* relationship: the active
ordinary pension enrollment, or, when none is active, the most recent ordinary one that has not
been transferred out. A period at the hukou place long ago does not make it the benefit place
when the relationship has since moved (that case falls to b, c or d).

Years at a place are the months actually paid at its ordinary pension enrollments (months
transferred in were paid elsewhere) plus the deemed months (视同缴费年限, 人社部规〔2016〕5号)
of work done there, given per region by the caller (``deemed_months``; none until the ledger
stores them). A place where the person holds only a temporary account (临时基本养老保险缴费账户)
never counts, deemed months or not.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

TEN_YEARS_IN_MONTHS = 120  # 66号 art. 6: 累计缴费年限满10年

# GB/T 2260 province-level divisions (the first two digits of a code).
PROVINCE_NAMES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}  # fmt: skip


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


def province_code(code: str) -> str:
    """The province (``PP0000``) of a GB/T 2260 code."""
    return code[:2] + "0000"


def province_name(code: str) -> str:
    return PROVINCE_NAMES.get(code[:2], province_code(code))


def _recency(summary: EnrollmentSummary) -> tuple[datetime.date, datetime.date]:
    # An open enrollment is the most recent of all.
    return (summary.end or datetime.date.max, summary.start)


def _months_by_province(
    ordinary: list[EnrollmentSummary], deemed_months: Mapping[str, int]
) -> dict[str, int]:
    """Paid months of the ordinary enrollments plus deemed months, per province. Deemed months
    of a province where the person holds only temporary accounts are left out by the caller."""
    totals: dict[str, int] = {}
    for summary in ordinary:
        code = province_code(summary.pooling_region_code)
        totals[code] = totals.get(code, 0) + summary.months
    for code, months in deemed_months.items():
        if months < 0:
            raise ValueError(f"deemed months must not be negative, got {months} for {code}")
        province = province_code(code)
        totals[province] = totals.get(province, 0) + months
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
    hukou_region_name: str = "",
    deemed_months: Mapping[str, int] | None = None,
) -> BenefitPlace | None:
    """The benefit place (a province) for a person's pension enrollments, or None without any.

    ``deemed_months``: months of deemed contribution (视同缴费) per region code where the work
    was done (any level; they count for its province). ``hukou_region_name`` is not needed any
    more (the place is the hukou province) and kept for callers that pass it."""
    if not enrollments:
        return None
    ordinary = [e for e in enrollments if e.account_kind == "ordinary"]
    temporary_only = {
        province_code(e.pooling_region_code) for e in enrollments if e.account_kind != "ordinary"
    } - {province_code(e.pooling_region_code) for e in ordinary}
    deemed = {
        code: months
        for code, months in (deemed_months or {}).items()
        if province_code(code) not in temporary_only
    }
    totals = _months_by_province(ordinary, deemed)
    hukou = province_code(hukou_region_code)

    active = [e for e in ordinary if e.active]
    current = max(active, key=_recency) if active else None
    holding = [e for e in ordinary if not e.transferred_out]
    relationship = current or (max(holding, key=_recency) if holding else None)

    # (a) the relationship is in the hukou province.
    if relationship and province_code(relationship.pooling_region_code) == hukou:
        return BenefitPlace(
            hukou,
            province_name(hukou),
            "a",
            _(
                "户籍所在地是%(province)s，基本养老保险关系在%(place)s，也在户籍所在地（按省、"
                "自治区、直辖市计），由户籍所在地办理待遇领取手续。"
            )
            % {"province": province_name(hukou), "place": relationship.pooling_region_name},
        )

    # (b) the current place, with 10+ cumulative years in its province.
    if current:
        code = province_code(current.pooling_region_code)
        if totals[code] >= TEN_YEARS_IN_MONTHS:
            return BenefitPlace(
                code,
                province_name(code),
                "b",
                _(
                    "基本养老保险关系不在户籍所在地%(hukou)s，在现参保地%(place)s；"
                    "在%(province)s累计缴费%(years)s，满10年，由现参保地办理待遇领取手续。"
                )
                % {
                    "hukou": province_name(hukou),
                    "place": current.pooling_region_name,
                    "province": province_name(code),
                    "years": _years(totals[code]),
                },
            )

    # (c) the most recent province with 10+ cumulative years. A province known only from
    # deemed months (work before any enrollment) is older than every enrollment.
    last_seen: dict[str, tuple[datetime.date, datetime.date]] = {
        code: (datetime.date.min, datetime.date.min) for code in totals
    }
    for summary in ordinary:
        code = province_code(summary.pooling_region_code)
        last_seen[code] = max(last_seen[code], _recency(summary))
    qualifying = [code for code, months in totals.items() if months >= TEN_YEARS_IN_MONTHS]
    if qualifying:
        code = max(qualifying, key=lambda c: last_seen[c])
        return BenefitPlace(
            code,
            province_name(code),
            "c",
            _(
                "基本养老保险关系不在户籍所在地%(hukou)s，现参保地累计缴费不满10年；"
                "%(province)s是最后一个累计缴费满10年（%(years)s）的参保地，由该地办理待遇领取手续。"
            )
            % {
                "hukou": province_name(hukou),
                "province": province_name(code),
                "years": _years(totals[code]),
            },
        )

    # (d) no place with 10 years: the hukou place gathers everything.
    return BenefitPlace(
        hukou,
        province_name(hukou),
        "d",
        _(
            "基本养老保险关系不在户籍所在地，且没有累计缴费满10年的参保地，"
            "将各参保地的关系和资金归集到户籍所在地%(province)s，由户籍所在地办理待遇领取手续。"
        )
        % {"province": province_name(hukou)},
    )

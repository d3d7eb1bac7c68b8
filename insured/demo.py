"""Demo data (``manage.py seed_demo``): the region tree, agencies, staff accounts, the two fixed
insured persons of ARCHITECTURE.md and, on request, synthetic persons for load.

Idempotent: everything is looked up by its natural key first (username, ID number, agency region,
enrollment person/insurance/agency/start, contribution year), so a second run writes nothing.
Synthetic persons are generated from a seeded random source per index, so ``--persons 20`` always
yields the same twenty people, and ``--persons 40`` the same twenty plus twenty more.

Contribution figures are illustrative, not any place's official rates: pension personal rate
rising from 3% (before 1996) to 8% (from 2004), employer 20% (16% from 2019); the personal
account is credited with the personal contribution before 1998, 11% of the base 1998–2005 and 8%
from 2006; interest of 2.5–3% a year on the opening balance and half a year on the year's credit,
none yet for the year in progress. Medical: 2% personal, 9% employer, 3% of the base credited.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, Region, ServedInsurance, StaffMembership, StaffRole
from agencies.services import regions_load
from core.otp import set_fixed_totp
from insured import idnumbers
from insured.models import (
    AccountKind,
    ContributionYear,
    ContributorType,
    Enrollment,
    EnrollmentStatus,
    HukouType,
    InsuredPerson,
    ResidentPayment,
)
from insured.rights import YearRecord, medical_rights, pension_rights

DEFAULT_PASSWORD = "Demo-2026!"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class AgencySpec:
    region: str
    name: str
    address: str
    phone: str
    postal_code: str
    contact_person: str
    bank_name: str
    bank_account_number: str
    district: str  # where the demo's people of this pooling region are insured
    insurance: str = ServedInsurance.BOTH


AGENCIES = [
    AgencySpec("110105", "北京市朝阳区社会保险事业管理中心", "北京市朝阳区朝阳北路99号",
               "010-65091234", "100020", "王经办", "中国工商银行北京朝阳支行",
               "0200001209000012345", "110105"),
    AgencySpec("320100", "南京市社会保险管理中心", "南京市建邺区江东中路265号",
               "025-84681234", "210019", "李经办", "中国建设银行南京城西支行",
               "32001595036052501234", "320106"),
    AgencySpec("310000", "上海市社会保险事业管理中心", "上海市静安区中山北路1111号",
               "021-12333", "200070", "陈经办", "中国银行上海市分行",
               "437859211234", "310101"),
    AgencySpec("440100", "广州市社会保险基金管理中心", "广州市越秀区东风中路437号",
               "020-12333", "510030", "黄经办", "中国工商银行广州第一支行",
               "3602000109001234567", "440106"),
    AgencySpec("330100", "杭州市社会保险管理服务中心", "杭州市上城区解放东路18号",
               "0571-12333", "310016", "周经办", "中国农业银行杭州市分行",
               "19000101040012345", "330106"),
    AgencySpec("510100", "成都市社会保险事业管理局", "成都市武侯区锦里东路2号",
               "028-12333", "610041", "吴经办", "中国建设银行成都第一支行",
               "51001408036051234567", "510107"),
    AgencySpec("420100", "武汉市社会保险管理中心", "武汉市江汉区万松园路88号",
               "027-12333", "430022", "刘经办", "中国银行武汉江汉支行",
               "564757561234", "420103"),
    AgencySpec("610100", "西安市社会保险基金管理中心", "西安市雁塔区含光路南段11号",
               "029-12333", "710068", "赵经办", "中国工商银行西安南关支行",
               "3700021109001234567", "610113"),
    AgencySpec("320500", "苏州市社会保险基金管理中心", "苏州市姑苏区三香路120号",
               "0512-12333", "215004", "徐经办", "中国农业银行苏州分行",
               "10540101040012345", "320508"),
]  # fmt: skip

# 城乡制度衔接 (孙八): Weifang's employee pension agency and Kuiwen district's resident pension
# agency. Kept apart from AGENCIES, which the synthetic persons are drawn from.
BRIDGING_AGENCIES = [
    AgencySpec("370700", "潍坊市社会保险事业中心", "潍坊市奎文区东风东街6388号",
               "0536-12333", "261061", "孙经办", "中国工商银行潍坊分行",
               "1607001129000012345", "370705", ServedInsurance.PENSION),
    AgencySpec("370705", "潍坊市奎文区城乡居民养老保险经办机构", "潍坊市奎文区胜利东街5199号",
               "0536-8236123", "261031", "钱经办", "潍坊农村商业银行奎文支行",
               "9010001234567890123", "370705", ServedInsurance.RESIDENT_PENSION),
]  # fmt: skip

STAFF = [
    ("bj-review", "110105", StaffRole.REVIEWER),
    ("bj-finance", "110105", StaffRole.FINANCE),
    ("nj-review", "320100", StaffRole.REVIEWER),
    ("nj-finance", "320100", StaffRole.FINANCE),
    ("cd-review", "510100", StaffRole.REVIEWER),
    ("cd-finance", "510100", StaffRole.FINANCE),
    ("wh-review", "420100", StaffRole.REVIEWER),
    ("wh-finance", "420100", StaffRole.FINANCE),
    ("xa-review", "610100", StaffRole.REVIEWER),
    ("xa-finance", "610100", StaffRole.FINANCE),
    ("wf-review", "370700", StaffRole.REVIEWER),
    ("wf-finance", "370700", StaffRole.FINANCE),
    ("kw-review", "370705", StaffRole.REVIEWER),
    ("kw-finance", "370705", StaffRole.FINANCE),
]

ZHANG_SAN = "110105199003071239"
LI_SI = "320106198511124529"
WANG_WU = "420106198405150030"
SUN_BA = "370705196503100013"
# 王五's first move (Chengdu → Wuhan), recorded in Wuhan from this month (the ledger's date).
WANG_WU_FIRST_MOVE = datetime.date(2016, 7, 1)

# Hukou places of synthetic persons without an agency in the demo (they can only gather, rule d).
OTHER_HUKOU = ["410102", "430102", "130102", "340102", "370102", "360102"]
STREETS = ["人民路", "解放路", "建设路", "中山路", "和平街", "新华路", "文化路", "胜利街"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文斌"


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_paid_month() -> datetime.date:
    """Active enrollments are paid up to the month before this one."""
    return _add_months(timezone.localdate().replace(day=1), -1)


def _pension_personal_rate(year: int) -> Decimal:
    # 国发〔1997〕26号: personal rate from 4% in 1997, one point every two years up to 8%.
    if year < 1996:
        return Decimal("0.03")
    if year < 1998:
        return Decimal("0.04")
    return min(Decimal("0.08"), Decimal("0.05") + Decimal("0.01") * ((year - 1998) // 2))


def _interest_rate(year: int) -> Decimal:
    if year < 2000 or 2016 <= year <= 2022:
        return Decimal("0.030")
    return Decimal("0.025")


def contribution_years(
    *,
    insurance: str,
    start: datetime.date,
    end: datetime.date,
    base_start: Decimal,
    base_end: Decimal,
    in_progress: bool,
    carried: Decimal = Decimal("0"),
    carried_year: int = 0,
    base_year_july: bool = False,
) -> list[dict]:
    """Periods from ``start`` to ``end`` (months, inclusive), the monthly base growing
    linearly from ``base_start`` to ``base_end``. ``in_progress``: the last year is still open,
    so it has no interest yet. ``carried``: a personal account transferred in during
    ``carried_year``; it earns interest here from the next year on. ``base_year_july``: the
    base changes in July (Beijing's base year runs July–June), so a year has two periods, and
    the pension employer rate 20% → 16% from 2019-05 gives a third that year."""
    rows = []
    balance = Decimal("0")
    span = max(1, end.year - start.year)

    def base_of(year: int) -> Decimal:
        offset = max(0, year - start.year)
        return Decimal(round(base_start + (base_end - base_start) * offset / span, -1))

    for year in range(start.year, end.year + 1):
        first = start.month if year == start.year else 1
        last = end.month if year == end.year else 12
        if carried and year == carried_year + 1:
            balance += carried
        if base_year_july:
            cuts = [(1, 6, base_of(year - 1)), (7, 12, base_of(year))]
        else:
            cuts = [(1, 12, base_of(year))]
        segments = []
        for low, high, base in cuts:
            if insurance == "pension" and base_year_july and year == 2019 and low == 1:
                pieces = [(low, 4, base, Decimal("0.20")), (5, high, base, Decimal("0.16"))]
            elif insurance == "pension":
                pieces = [(low, high, base, Decimal("0.16") if year >= 2019 else Decimal("0.20"))]
            else:
                pieces = [(low, high, base, Decimal("0.09"))]
            for piece_low, piece_high, piece_base, employer_rate in pieces:
                lo, hi = max(first, piece_low), min(last, piece_high)
                if lo <= hi:
                    segments.append((lo, hi, piece_base, employer_rate))
        if insurance == "pension":
            personal_rate = _pension_personal_rate(year)
            credit_rate = (
                None if year < 1998 else Decimal("0.11") if year < 2006 else Decimal("0.08")
            )
            rate = _interest_rate(year)
        else:
            personal_rate, credit_rate, rate = Decimal("0.02"), Decimal("0.03"), Decimal("0.0035")
        year_rows = []
        for lo, hi, base, employer_rate in segments:
            months = hi - lo + 1
            paid_base = base * months
            personal = _money(paid_base * personal_rate)
            credit = personal if credit_rate is None else _money(paid_base * credit_rate)
            year_rows.append(
                {
                    "year": year,
                    "first_month": lo,
                    "last_month": hi,
                    "months_paid": months,
                    "monthly_base": Decimal(base).quantize(CENT),
                    "employer_rate": employer_rate,
                    "personal_rate": personal_rate,
                    "employer_contribution": _money(paid_base * employer_rate),
                    "personal_contribution": personal,
                    "personal_account_credit": credit,
                    "interest": Decimal("0.00"),
                }
            )
        credited = sum((row["personal_account_credit"] for row in year_rows), Decimal("0"))
        open_year = in_progress and year == end.year
        # Interest is booked once a year, when it closes, on its last period.
        interest = Decimal("0.00") if open_year else _money(balance * rate + credited * rate / 2)
        year_rows[-1]["interest"] = interest
        balance += credited + interest
        rows.extend(year_rows)
    return rows


@dataclass
class EnrollmentSpec:
    insurance: str
    pooling: str
    region: str
    start: datetime.date
    end: datetime.date | None
    status: str
    base_start: Decimal
    base_end: Decimal
    account_kind: str = AccountKind.ORDINARY
    drawing_benefits: bool = False
    carried: Decimal = Decimal("0")  # personal account transferred in (see contribution_years)
    carried_year: int = 0
    base_year_july: bool = False  # Beijing: the base changes in July (two periods a year)

    def years(self, as_of: datetime.date) -> list[dict]:
        end = self.end or as_of
        if end < self.start:
            return []
        return contribution_years(
            insurance=self.insurance,
            start=self.start,
            end=end,
            base_start=self.base_start,
            base_end=self.base_end,
            # The current year has not closed: no interest booked for it yet.
            in_progress=self.end is None or end.year >= as_of.year,
            carried=self.carried,
            carried_year=self.carried_year,
            base_year_july=self.base_year_july,
        )


@dataclass
class PersonSpec:
    id_number: str
    name: str
    hukou_region: str
    hukou_address: str
    phone: str
    enrollments: list[EnrollmentSpec] = field(default_factory=list)
    work_start: datetime.date | None = None  # 参加工作时间


def _both(pooling: str, region: str, start, end, status, base_start, base_end, **kwargs):
    """A pension and a medical enrollment over the same period (the usual case)."""
    return [
        EnrollmentSpec(
            insurance, pooling, region, start, end, status, base_start, base_end, **kwargs
        )
        for insurance in ("pension", "medical")
    ]


def fixed_persons() -> list[PersonSpec]:
    d = Decimal
    zhang = PersonSpec(
        ZHANG_SAN,
        "张三",
        "110105",
        "北京市朝阳区建国路88号院3号楼2单元501",
        "13800138000",
        [
            *_both("110105", "110105", _month(2008, 7), _month(2025, 6),
                   EnrollmentStatus.INTERRUPTED, d(5000), d(12000), base_year_july=True),
            *_both("320100", "320106", _month(2025, 7), None,
                   EnrollmentStatus.ACTIVE, d(12500), d(13000)),
        ],
        work_start=_month(2008, 7),
    )  # fmt: skip
    li = PersonSpec(
        LI_SI,
        "李四",
        "320106",
        "江苏省南京市鼓楼区中山路100号",
        "13900139000",
        _both(
            "320100", "320106", _month(2008, 8), None, EnrollmentStatus.ACTIVE, d(4500), d(11000)
        ),
    )
    return [zhang, li, wang_wu()]


def wang_wu() -> PersonSpec:
    """王五: Chengdu 2010-01..2015-12, Wuhan 2016-01..2026-06 (the Chengdu rights are moved to
    Wuhan by a case that ``transfers.demo`` runs through the real services; Wuhan's periods earn
    interest on them from 2017), paying in Xi'an Yanta since 2026-07. Written with Wuhan still
    active so the first case can be applied for; ``transfers.demo`` closes it afterwards."""
    d = Decimal
    chengdu = _both("510100", "510107", _month(2010, 1), _month(2015, 12),
                    EnrollmentStatus.INTERRUPTED, d(3500), d(5500))  # fmt: skip
    as_of = last_paid_month()
    wuhan = []
    for source in chengdu:
        carried = carried_personal_account(source, as_of)
        wuhan.append(
            EnrollmentSpec(
                source.insurance, "420100", "420103", _month(2016, 1), _month(2026, 6),
                EnrollmentStatus.ACTIVE, d(6000), d(11000), carried=carried,
                carried_year=WANG_WU_FIRST_MOVE.year,
            )
        )  # fmt: skip
    xian = _both("610100", "610113", _month(2026, 7), None, EnrollmentStatus.ACTIVE,
                 d(11500), d(11500))  # fmt: skip
    return PersonSpec(WANG_WU, "王五", "420106", "湖北省武汉市武昌区中山路200号", "13700137000",
                      [*chengdu, *wuhan, *xian], work_start=_month(2009, 7))  # fmt: skip


def carried_personal_account(spec: EnrollmentSpec, as_of: datetime.date) -> Decimal:
    """What a transfer from ``spec``'s place in 2016 moves into the personal account (④ for
    pension, the balance for medical): the same rules the info sheet applies."""
    records = [YearRecord(**{k: v for k, v in row.items() if not k.endswith("_rate")})
               for row in spec.years(as_of)]  # fmt: skip
    if spec.insurance == "pension":
        rights = pension_rights(records, transfer_date=WANG_WU_FIRST_MOVE)
    else:
        rights = medical_rights(records, transfer_date=WANG_WU_FIRST_MOVE)
    return rights["personal_account"]


# 孙八: 城乡制度衔接 ------------------------------------------------------------------------------

# His resident pension at Kuiwen, one row a year: (year, first month, last month, grade,
# personal contribution, government subsidy, collective subsidy). Illustrative figures: grade
# 300 yuan (2011-2013, subsidy 60, collective 50), then 500 (2014-2016, subsidy 80, collective
# 50); 2016 covers January to June only and was paid for the half year.
SUN_BA_RESIDENT = [
    (2011, 1, 12, "300.00", "300.00", "60.00", "50.00"),
    (2012, 1, 12, "300.00", "300.00", "60.00", "50.00"),
    (2013, 1, 12, "300.00", "300.00", "60.00", "50.00"),
    (2014, 1, 12, "500.00", "500.00", "80.00", "50.00"),
    (2015, 1, 12, "500.00", "500.00", "80.00", "50.00"),
    (2016, 1, 6, "500.00", "250.00", "40.00", "25.00"),
]


def sun_ba_employee_years() -> list[dict]:
    """His employee pension at Weifang: 2001-01..2010-12 through an employer, nothing paid
    2011-2015 (he was in the resident scheme), 2016-01..2025-12 as a flexible worker (灵活就业,
    paying as an individual). One relationship; the second stretch earns interest on the first."""
    d = Decimal
    first = contribution_years(
        insurance="pension", start=_month(2001, 1), end=_month(2010, 12),
        base_start=d(2500), base_end=d(4000), in_progress=False,
    )  # fmt: skip
    balance = sum((r["personal_account_credit"] + r["interest"] for r in first), Decimal("0"))
    second = contribution_years(
        insurance="pension", start=_month(2016, 1), end=_month(2025, 12),
        base_start=d(4500), base_end=d(6500), in_progress=False,
        carried=balance, carried_year=2015,
    )  # fmt: skip
    for row in second:
        row["contributor_type"] = ContributorType.FLEXIBLE  # 个人身份参保 from 2016
    return [*first, *second]


def _write_sun_ba(agencies: dict[str, Agency], password: str) -> None:
    """孙八 (born 1965-03-10, hukou Kuiwen): can apply resident_to_employee at once."""
    user = _account(SUN_BA, password, first_name="孙八")
    person, _created = InsuredPerson.objects.get_or_create(
        id_number=SUN_BA,
        defaults={
            "name": "孙八",
            "hukou_region_id": "370705",
            "hukou_address": "山东省潍坊市奎文区胜利东街100号",
            "hukou_type": HukouType.URBAN,
            "phone": "13600136000",
            "user": user,
            "work_start": _month(2001, 1),
        },
    )
    employee, created = Enrollment.objects.get_or_create(
        person=person,
        insurance="pension",
        agency=agencies["370700"],
        start_month=_month(2001, 1),
        defaults={
            "region_id": "370705",
            "end_month": _month(2025, 12),
            "status": EnrollmentStatus.INTERRUPTED,
        },
    )
    if created:
        ContributionYear.objects.bulk_create(
            ContributionYear(enrollment=employee, **row) for row in sun_ba_employee_years()
        )
    resident, created = Enrollment.objects.get_or_create(
        person=person,
        insurance="resident_pension",
        agency=agencies["370705"],
        start_month=_month(2011, 1),
        defaults={
            "region_id": "370705",
            "end_month": _month(2016, 6),
            "status": EnrollmentStatus.INTERRUPTED,
        },
    )
    if created:
        ResidentPayment.objects.bulk_create(
            ResidentPayment(
                enrollment=resident,
                year=year,
                first_month=first,
                last_month=last,
                grade=Decimal(grade),
                personal_contribution=Decimal(personal),
                government_subsidy=Decimal(government),
                collective_subsidy=Decimal(collective),
            )
            for year, first, last, grade, personal, government, collective in SUN_BA_RESIDENT
        )


# Synthetic persons --------------------------------------------------------------------------


def _id_number(rng: random.Random, hukou: str, born: datetime.date, male: bool, taken: set) -> str:
    # The hukou district's code; its city's and province's only if every sequence is taken.
    for code in (hukou, hukou[:4] + "00", hukou[:2] + "0000"):
        sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
        for _attempt in range(500):
            number = idnumbers.build(code, born, sequence)
            if number not in taken and idnumbers.is_valid(number):
                taken.add(number)
                return number
            if not idnumbers.is_valid(number):
                break
            sequence = (sequence + 2) % 1000
    raise RuntimeError(f"no free ID number for region {hukou}")  # pragma: no cover


def synthetic_person(index: int, taken: set) -> PersonSpec:
    """The ``index``-th synthetic person, the same on every run. Kinds rotate so that even a
    few persons cover every history: local, pre-1998 mover, temporary account, drawing a
    pension, two provinces, same-province move."""
    rng = random.Random(f"seed-demo-{index}")
    kind = index % 6
    places = list(AGENCIES)
    as_of = last_paid_month()
    d = Decimal

    def place(exclude_province: str | None = None) -> AgencySpec:
        options = [p for p in places if p.region[:2] != exclude_province]
        return rng.choice(options)

    male = rng.random() < 0.5
    if kind == 0:  # local: one place, active
        work = place()
        born = datetime.date(rng.randint(1970, 2000), rng.randint(1, 12), rng.randint(1, 28))
        hukou = work.district if rng.random() < 0.6 else rng.choice(OTHER_HUKOU)
        start = _month(max(born.year + 20, rng.randint(2000, 2020)), rng.randint(1, 12))
        enrollments = _both(
            work.region, work.district, min(start, as_of), None, EnrollmentStatus.ACTIVE,
            d(rng.randint(3500, 6000)), d(rng.randint(8000, 15000)),
        )  # fmt: skip
    elif kind == 1:  # started before 1998, moved to another province
        first = place()
        second = place(exclude_province=first.region[:2])
        born = datetime.date(rng.randint(1962, 1972), rng.randint(1, 12), rng.randint(1, 28))
        hukou = first.district
        start = _month(rng.randint(1992, 1997), rng.randint(1, 12))
        end = _month(rng.randint(2008, 2018), rng.randint(1, 12))
        enrollments = [
            *_both(first.region, first.district, start, end, EnrollmentStatus.INTERRUPTED,
                   d(rng.randint(400, 900)), d(rng.randint(5000, 9000))),
            *_both(second.region, second.district, _add_months(end, 1), None,
                   EnrollmentStatus.ACTIVE, d(rng.randint(6000, 9000)), d(rng.randint(9000, 16000))),
        ]  # fmt: skip
    elif kind == 2:  # 66号 art. 6: man 50+ / woman 40+ enrolling outside the hukou province
        home = place()
        away = place(exclude_province=home.region[:2])
        # Born so that the move comes after 2010 and retirement (60 / 50) is still ahead.
        born_year = rng.randint(1967, 1972) if male else rng.randint(1977, 1982)
        born = datetime.date(born_year, rng.randint(1, 12), rng.randint(1, 28))
        hukou = home.district
        move_year = born.year + (50 if male else 40) + 1 + rng.randint(0, 3)
        move = _month(min(move_year, as_of.year - 1), rng.randint(1, 12))
        start = _month(rng.randint(1996, 2004), rng.randint(1, 12))
        away_end, away_status = None, EnrollmentStatus.ACTIVE
        enrollments = [
            *_both(home.region, home.district, start, _add_months(move, -1),
                   EnrollmentStatus.INTERRUPTED, d(rng.randint(1500, 3000)), d(rng.randint(5000, 8000))),
            EnrollmentSpec("pension", away.region, away.district, move, away_end, away_status,
                           d(rng.randint(5000, 7000)), d(rng.randint(7000, 10000)),
                           account_kind=AccountKind.TEMPORARY),
            EnrollmentSpec("medical", away.region, away.district, move, away_end, away_status,
                           d(rng.randint(5000, 7000)), d(rng.randint(7000, 10000))),
        ]  # fmt: skip
    elif kind == 3:  # retired: drawing a pension, nothing to transfer
        work = place()
        born = datetime.date(
            rng.randint(1950, 1962) if male else rng.randint(1960, 1972),
            rng.randint(1, 12),
            rng.randint(1, 28),
        )
        hukou = work.district
        retirement = min(_month(born.year + (60 if male else 50), born.month), as_of)
        start = _month(rng.randint(1990, 1996), rng.randint(1, 12))
        enrollments = _both(
            work.region, work.district, start, _add_months(retirement, -1), EnrollmentStatus.CLOSED,
            d(rng.randint(300, 800)), d(rng.randint(4000, 9000)), drawing_benefits=True,
        )  # fmt: skip
    elif kind == 4:  # pension and medical in two provinces: one interrupted, one active
        first = place()
        second = place(exclude_province=first.region[:2])
        born = datetime.date(rng.randint(1970, 1995), rng.randint(1, 12), rng.randint(1, 28))
        hukou = rng.choice([first.district, second.district, rng.choice(OTHER_HUKOU)])
        start = _month(max(born.year + 20, rng.randint(2000, 2012)), rng.randint(1, 12))
        end = min(_add_months(start, rng.randint(24, 180)), _add_months(as_of, -6))
        enrollments = [
            *_both(first.region, first.district, start, end, EnrollmentStatus.INTERRUPTED,
                   d(rng.randint(3000, 6000)), d(rng.randint(6000, 10000))),
            *_both(second.region, second.district, _add_months(end, 1), None,
                   EnrollmentStatus.ACTIVE, d(rng.randint(6000, 10000)), d(rng.randint(10000, 18000))),
        ]  # fmt: skip
    else:  # moved within Jiangsu: Nanjing and Suzhou (provincial rules, not a cross-province case)
        nanjing, suzhou = AGENCIES[1], AGENCIES[8]
        first, second = (nanjing, suzhou) if rng.random() < 0.5 else (suzhou, nanjing)
        born = datetime.date(rng.randint(1975, 1998), rng.randint(1, 12), rng.randint(1, 28))
        hukou = first.district
        start = _month(max(born.year + 20, rng.randint(2005, 2015)), rng.randint(1, 12))
        end = min(_add_months(start, rng.randint(12, 120)), _add_months(as_of, -3))
        enrollments = [
            *_both(first.region, first.district, start, end, EnrollmentStatus.INTERRUPTED,
                   d(rng.randint(3000, 6000)), d(rng.randint(6000, 9000))),
            *_both(second.region, second.district, _add_months(end, 1), None,
                   EnrollmentStatus.ACTIVE, d(rng.randint(6000, 9000)), d(rng.randint(9000, 14000))),
        ]  # fmt: skip

    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    number = _id_number(rng, hukou, born, male, taken)
    return PersonSpec(
        id_number=number,
        name=name,
        hukou_region=hukou,
        hukou_address=f"{rng.choice(STREETS)}{rng.randint(1, 300)}号",  # after the region name
        phone=f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
        enrollments=enrollments,
    )


# Writing ------------------------------------------------------------------------------------


def _agencies() -> dict[str, Agency]:
    agencies = {}
    for spec in [*AGENCIES, *BRIDGING_AGENCIES]:
        agency, _created = Agency.objects.get_or_create(
            region_id=spec.region,
            insurance=spec.insurance,
            defaults={
                "name": spec.name,
                "address": spec.address,
                "phone": spec.phone,
                "postal_code": spec.postal_code,
                "contact_person": spec.contact_person,
                "bank_account_name": f"{spec.name}社会保险基金收入户",
                "bank_name": spec.bank_name,
                "bank_account_number": spec.bank_account_number,
            },
        )
        agencies[spec.region] = agency
    return agencies


def _account(username: str, password: str, **flags):
    """A login with ``password``; an existing one is changed only where it differs."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults=flags)
    changed = [name for name, value in flags.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, flags[name])
    if created or not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save()
    return user


def _write_fixed_person(spec: PersonSpec, agencies: dict[str, Agency], password: str, as_of):
    user = _account(spec.id_number, password, first_name=spec.name)
    person, _created = InsuredPerson.objects.get_or_create(
        id_number=spec.id_number,
        defaults={
            "name": spec.name,
            "hukou_region_id": spec.hukou_region,
            "hukou_address": spec.hukou_address,
            "hukou_type": HukouType.URBAN,
            "phone": spec.phone,
            "user": user,
            "work_start": spec.work_start,
        },
    )
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    for item in spec.enrollments:
        enrollment, created = Enrollment.objects.get_or_create(
            person=person,
            insurance=item.insurance,
            agency=agencies[item.pooling],
            start_month=item.start,
            defaults={
                "region_id": item.region,
                "account_kind": item.account_kind,
                "end_month": item.end,
                "status": item.status,
                "drawing_benefits": item.drawing_benefits,
            },
        )
        if created:
            ContributionYear.objects.bulk_create(
                ContributionYear(enrollment=enrollment, **row) for row in item.years(as_of)
            )


def _write_synthetic(specs: list[PersonSpec], agencies, password_hash: str, as_of) -> int:
    """Bulk-create the persons of ``specs`` that do not exist yet, with logins and histories."""
    User = get_user_model()
    ids = [spec.id_number for spec in specs]
    existing = set()
    for chunk in range(0, len(ids), 900):
        existing.update(
            InsuredPerson.objects.filter(id_number__in=ids[chunk : chunk + 900]).values_list(
                "id_number", flat=True
            )
        )
    new = [spec for spec in specs if spec.id_number not in existing]
    if not new:
        return 0
    names = {
        region.code: region.full_name()
        for region in Region.objects.filter(
            code__in={spec.hukou_region for spec in new}
        ).select_related("parent__parent")
    }
    users = {
        user.username: user for user in User.objects.filter(username__in=[s.id_number for s in new])
    }
    User.objects.bulk_create(
        [
            User(username=spec.id_number, first_name=spec.name, password=password_hash)
            for spec in new
            if spec.id_number not in users
        ],
        batch_size=500,
    )
    user_ids = dict(
        User.objects.filter(username__in=[s.id_number for s in new]).values_list("username", "id")
    )
    persons = InsuredPerson.objects.bulk_create(
        [
            InsuredPerson(
                id_number=spec.id_number,
                name=spec.name,
                hukou_region_id=spec.hukou_region,
                hukou_address=names[spec.hukou_region] + spec.hukou_address,
                hukou_type=HukouType.URBAN,
                phone=spec.phone,
                user_id=user_ids[spec.id_number],
            )
            for spec in new
        ],
        batch_size=500,
    )
    person_ids = dict(
        InsuredPerson.objects.filter(id_number__in=[s.id_number for s in new]).values_list(
            "id_number", "id"
        )
    )
    del persons
    pairs = [
        (
            Enrollment(
                person_id=person_ids[spec.id_number],
                insurance=item.insurance,
                agency=agencies[item.pooling],
                region_id=item.region,
                account_kind=item.account_kind,
                start_month=item.start,
                end_month=item.end,
                status=item.status,
                drawing_benefits=item.drawing_benefits,
            ),
            item,
        )
        for spec in new
        for item in spec.enrollments
    ]
    enrollments = [enrollment for enrollment, _item in pairs]
    if connection.features.can_return_rows_from_bulk_insert:
        Enrollment.objects.bulk_create(enrollments, batch_size=500)
    else:  # pragma: no cover - old SQLite: one insert each, to learn the keys
        for enrollment in enrollments:
            enrollment.save()
    ContributionYear.objects.bulk_create(
        [
            ContributionYear(enrollment_id=enrollment.pk, **row)
            for enrollment, item in pairs
            for row in item.years(as_of)
        ],
        batch_size=1000,
    )
    return len(new)


@dataclass
class SeedResult:
    regions_created: int
    persons_created: int
    password: str


def demo_seed(
    *, password: str = DEFAULT_PASSWORD, persons: int = 0, otp_secret: str = ""
) -> SeedResult:
    """Load the demo data; idempotent (a second run with the same arguments writes nothing).

    ``otp_secret`` (base32): every staff account gets one TOTP device with this secret, so that
    the demo and the browser tests can pass the back office's second factor."""
    regions_created = regions_load()
    as_of = last_paid_month()
    with transaction.atomic():
        agencies = _agencies()
        staff = [_account("admin", password, is_staff=True, is_superuser=True)]
        for username, region, role in STAFF:
            user = _account(username, password, is_staff=True)
            StaffMembership.objects.get_or_create(
                user=user, defaults={"agency": agencies[region], "role": role}
            )
            staff.append(user)
        if otp_secret:
            for user in staff:
                set_fixed_totp(user, otp_secret)
        for spec in fixed_persons():
            _write_fixed_person(spec, agencies, password, as_of)
        _write_sun_ba(agencies, password)
        created = 0
        if persons:
            taken = {ZHANG_SAN, LI_SI, WANG_WU, SUN_BA}
            specs = [synthetic_person(index, taken) for index in range(persons)]
            created = _write_synthetic(specs, agencies, make_password(password), as_of)
    return SeedResult(regions_created, created, password)

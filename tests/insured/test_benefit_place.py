"""国办发〔2009〕66号 art. 6, the benefit place, as a pure rule: no database. A place is a
province (户籍所在地 = 省、自治区、直辖市)."""

import datetime

from insured.benefit_place import EnrollmentSummary, benefit_place, region_contains

BEIJING_CHAOYANG = ("110105", "北京市朝阳区")
NANJING = ("320100", "江苏省南京市")
SHANGHAI = ("310000", "上海市")
GUANGZHOU = ("440100", "广东省广州市")
BEIJING_HAIDIAN = ("110108", "北京市海淀区")
SUZHOU = ("320500", "江苏省苏州市")
NANJING_GULOU = ("320106", "江苏省南京市鼓楼区")
HANGZHOU = ("330100", "浙江省杭州市")


def period(place, start, end=None, *, months=None, kind="ordinary", status=None):
    start_date = datetime.date(*start, 1)
    end_date = datetime.date(*end, 1) if end else None
    last = end_date or datetime.date(2026, 10, 1)
    paid = (last.year - start_date.year) * 12 + last.month - start_date.month + 1
    return EnrollmentSummary(
        pooling_region_code=place[0],
        pooling_region_name=place[1],
        account_kind=kind,
        months=paid if months is None else months,
        start=start_date,
        end=end_date,
        active=end is None if status is None else status == "active",
        transferred_out=status == "transferred_out",
    )


def place_for(enrollments, hukou=BEIJING_CHAOYANG, deemed=None):
    return benefit_place(
        enrollments=enrollments,
        hukou_region_code=hukou[0],
        hukou_region_name=hukou[1],
        deemed_months=deemed,
    )


def test_a_current_relationship_at_the_hukou_place_makes_it_the_benefit_place():
    result = place_for(
        [period(SHANGHAI, (2000, 1), (2015, 12)), period(BEIJING_CHAOYANG, (2016, 1))]
    )
    assert (result.region_code, result.region_name, result.rule) == ("110000", "北京市", "a")
    assert "户籍所在地" in result.explanation


def test_a_city_pooling_region_contains_a_hukou_district():
    result = place_for([period(NANJING, (2020, 1))], hukou=("320106", "江苏省南京市鼓楼区"))
    assert (result.region_code, result.rule) == ("320000", "a")


def test_an_old_period_at_the_hukou_place_does_not_hold_the_relationship_there():
    result = place_for(
        [period(BEIJING_CHAOYANG, (2000, 1), (2001, 12)), period(SHANGHAI, (2002, 1))]
    )
    assert (result.region_code, result.rule) == ("310000", "b")


def test_the_current_place_with_ten_years_counted_over_every_enrollment_there():
    result = place_for(
        [
            period(SHANGHAI, (2000, 1), (2005, 12)),  # 72 months
            period(GUANGZHOU, (2006, 1), (2015, 12)),
            period(SHANGHAI, (2016, 1), months=48),  # 48 more: 120 at Shanghai
        ]
    )
    assert (result.region_code, result.region_name, result.rule) == ("310000", "上海市", "b")
    assert "10年" in result.explanation


def test_the_current_place_one_month_short_of_ten_years_falls_to_the_last_ten_year_place():
    result = place_for(
        [period(GUANGZHOU, (2000, 1), (2012, 12)), period(SHANGHAI, (2013, 1), months=119)]
    )
    assert (result.region_code, result.rule) == ("440000", "c")


def test_the_most_recent_of_several_ten_year_places_is_chosen():
    result = place_for(
        [
            period(GUANGZHOU, (1995, 1), (2006, 12)),
            period(NANJING, (2007, 1), (2018, 12)),
            period(SHANGHAI, (2019, 1)),
        ]
    )
    assert (result.region_code, result.region_name, result.rule) == ("320000", "江苏省", "c")
    assert "江苏省" in result.explanation


def test_without_any_ten_year_place_the_hukou_place_gathers_everything():
    result = place_for(
        [period(GUANGZHOU, (2010, 1), (2015, 12)), period(SHANGHAI, (2016, 1), months=60)]
    )
    assert (result.region_code, result.region_name, result.rule) == ("110000", "北京市", "d")
    assert "归集" in result.explanation


def test_a_temporary_account_place_never_becomes_the_benefit_place():
    result = place_for([period(SHANGHAI, (2011, 1), kind="temporary", months=180)])
    assert (result.region_code, result.rule) == ("110000", "d")


def test_a_temporary_account_does_not_hide_an_ordinary_ten_year_place():
    result = place_for(
        [period(GUANGZHOU, (1995, 1), (2010, 12)), period(SHANGHAI, (2011, 1), kind="temporary")]
    )
    assert (result.region_code, result.rule) == ("440000", "c")


def test_months_at_a_transferred_out_place_still_count_for_that_place():
    result = place_for(
        [
            period(GUANGZHOU, (2000, 1), (2011, 12), status="transferred_out"),
            period(SHANGHAI, (2012, 1), months=24),
        ]
    )
    assert (result.region_code, result.rule) == ("440000", "c")


def test_an_interrupted_relationship_at_the_hukou_place_counts_when_nothing_is_active():
    result = place_for([period(BEIJING_CHAOYANG, (2010, 1), (2012, 12), status="interrupted")])
    assert result.rule == "a"


def test_no_pension_enrollment_means_no_benefit_place():
    assert place_for([]) is None


def test_region_containment_follows_the_code_structure():
    assert region_contains("320000", "320106")
    assert region_contains("320100", "320106")
    assert region_contains("320106", "320106")
    assert not region_contains("320100", "320506")
    assert not region_contains("320106", "320100")


# ── by province (户籍所在地 = 省、自治区、直辖市) ─────────────────────────────────────────────


def test_hukou_haidian_with_the_relationship_in_chaoyang_is_rule_a_beijing():
    result = place_for([period(BEIJING_CHAOYANG, (2010, 1))], hukou=BEIJING_HAIDIAN)

    assert (result.region_code, result.region_name, result.rule) == ("110000", "北京市", "a")
    assert "北京市朝阳区" in result.explanation


def test_hukou_nanjing_twelve_years_shanghai_then_eight_in_suzhou_is_rule_a_jiangsu():
    result = place_for(
        [
            period(SHANGHAI, (2006, 1), (2017, 12), status="transferred_out"),  # 144 months
            period(SUZHOU, (2018, 1), (2025, 12)),  # 96 months, still held there
        ],
        hukou=NANJING_GULOU,
    )

    assert (result.region_code, result.region_name, result.rule) == ("320000", "江苏省", "a")
    assert "江苏省苏州市" in result.explanation


def test_years_in_two_cities_of_one_province_add_up_to_ten():
    # Hukou Beijing; Suzhou 2015-01..2020-12 (72) then Nanjing from 2021-01 with 48 paid:
    # 120 months in Jiangsu, the current province.
    result = place_for(
        [
            period(HANGZHOU, (2005, 1), (2014, 12), months=60),
            period(SUZHOU, (2015, 1), (2020, 12), status="transferred_out"),
            period(NANJING, (2021, 1), months=48),
        ]
    )

    assert (result.region_code, result.rule) == ("320000", "b")
    assert "10年" in result.explanation and "江苏省南京市" in result.explanation


def test_deemed_years_count_toward_the_ten_years_where_the_work_was_done():
    enrollments = [
        period(GUANGZHOU, (2000, 1), (2009, 12), months=100),
        period(SHANGHAI, (2010, 1), months=60),
    ]

    without = place_for(enrollments)
    assert (without.region_code, without.rule) == ("110000", "d")  # 100 months: short of 10 years

    # 24 deemed months of state-enterprise work in Shenzhen (440300) before 1995: Guangdong 124.
    result = place_for(enrollments, deemed={"440300": 24})
    assert (result.region_code, result.rule) == ("440000", "c")
    assert "10年4个月" in result.explanation


def test_deemed_years_make_the_current_place_reach_ten_years():
    result = place_for([period(SHANGHAI, (2018, 1), months=100)], deemed={"310000": 20})
    assert (result.region_code, result.rule) == ("310000", "b")


def test_a_place_with_only_deemed_years_can_be_the_last_ten_year_place():
    result = place_for([period(SHANGHAI, (2018, 1), months=60)], deemed={"440100": 150})
    assert (result.region_code, result.rule) == ("440000", "c")


def test_deemed_years_do_not_make_a_temporary_account_place_count():
    result = place_for(
        [period(SHANGHAI, (2011, 1), kind="temporary", months=100)], deemed={"310000": 60}
    )
    assert (result.region_code, result.rule) == ("110000", "d")


def test_without_deemed_input_nothing_changes():
    enrollments = [period(GUANGZHOU, (2000, 1), (2012, 12)), period(SHANGHAI, (2013, 1))]
    assert place_for(enrollments) == place_for(enrollments, deemed={})

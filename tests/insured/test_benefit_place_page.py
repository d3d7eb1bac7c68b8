"""我的参保记录 shows the benefit place by province, with its rule and reason (issue 9 item 3)."""

import datetime

import pytest
from django.urls import reverse

from insured.models import EnrollmentStatus
from tests.factories import (
    AgencyFactory,
    ContributionYearFactory,
    EnrollmentFactory,
    PersonFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db


def test_hukou_haidian_with_the_pension_in_chaoyang_shows_beijing_by_rule_a(client, regions):
    person = PersonFactory(user=UserFactory(), hukou_region=region("110108"))
    chaoyang = AgencyFactory(region=region("110105"))
    enrollment = EnrollmentFactory(
        person=person, agency=chaoyang, start_month=datetime.date(2016, 1, 1)
    )
    ContributionYearFactory(enrollment=enrollment, year=2016)
    client.force_login(person.user)

    html = client.get(reverse("my-records")).content.decode()

    assert "<strong>北京市</strong>" in html
    assert "（110000）" in html
    assert "户籍所在地是北京市，基本养老保险关系在北京市朝阳区" in html


def test_hukou_nanjing_after_shanghai_then_suzhou_shows_jiangsu(client, regions):
    person = PersonFactory(user=UserFactory(), hukou_region=region("320106"))
    shanghai = AgencyFactory(region=region("310000"))
    suzhou = AgencyFactory(region=region("320500"))
    old = EnrollmentFactory(
        person=person,
        agency=shanghai,
        start_month=datetime.date(2006, 1, 1),
        end_month=datetime.date(2017, 12, 1),
        status=EnrollmentStatus.TRANSFERRED_OUT,
    )
    for year in range(2006, 2018):  # 12 years
        ContributionYearFactory(enrollment=old, year=year)
    now = EnrollmentFactory(person=person, agency=suzhou, start_month=datetime.date(2018, 1, 1))
    for year in range(2018, 2026):  # 8 years
        ContributionYearFactory(enrollment=now, year=year)
    client.force_login(person.user)

    html = client.get(reverse("my-records")).content.decode()

    assert "<strong>江苏省</strong>" in html
    assert "户籍所在地是江苏省，基本养老保险关系在江苏省苏州市" in html


@pytest.mark.parametrize(("deemed_months", "province"), [(0, "北京市"), (24, "江苏省")])
def test_deemed_years_count_toward_the_ten_years_at_the_place_of_work(
    client, regions, deemed_months, province
):
    # Hukou Beijing; 8 paid years in Nanjing, now. With 2 deemed years (人社部规〔2016〕5号)
    # worked in Nanjing too, Nanjing reaches 10 years: rule (b), Jiangsu. Without them no
    # place has 10 years and the hukou province gathers everything: rule (d), Beijing.
    person = PersonFactory(user=UserFactory(), hukou_region=region("110105"))
    nanjing = AgencyFactory(region=region("320100"))
    enrollment = EnrollmentFactory(
        person=person,
        agency=nanjing,
        start_month=datetime.date(2018, 1, 1),
        deemed_months=deemed_months,
    )
    for year in range(2018, 2026):  # 8 years paid
        ContributionYearFactory(enrollment=enrollment, year=year)
    client.force_login(person.user)

    html = client.get(reverse("my-records")).content.decode()

    assert f"<strong>{province}</strong>" in html

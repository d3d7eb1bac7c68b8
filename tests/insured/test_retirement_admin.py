"""The back office: a clerk records a woman's original retirement age (50 or 55) on the person
page, which then shows her statutory retirement age; a man's is derived from the ID number."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from insured.models import InsuredPerson, RetirementCategory
from tests.factories import (
    AgencyFactory,
    EnrollmentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
    region,
)
from tests.otp_helpers import login_verified

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    """What the browser would post back: the change form's values and its inline formsets."""
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        data[field.html_name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = field.value()
        for form in formset.forms:
            for field in form:
                value = field.value()
                data[field.html_name] = "" if value is None else value
    return data


@pytest.fixture
def clerk_and_woman(regions):
    agency = AgencyFactory(region=region("320100"))
    woman = PersonFactory(born=datetime.date(1975, 1, 20), male=False)
    EnrollmentFactory(person=woman, agency=agency)
    clerk = StaffFactory(agency=agency).user
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_insuredperson", "change_insuredperson"])
    )
    return clerk, woman


def test_a_clerk_records_a_womans_category_and_sees_her_retirement_age(client, clerk_and_woman):
    clerk, woman = clerk_and_woman
    login_verified(client, clerk)
    url = f"/admin/insured/insuredperson/{woman.pk}/change/"
    page = client.get(url)
    html = page.content.decode()
    assert "未确定：请按其岗位选择“法定退休年龄类别”" in html
    assert 'name="retirement_category"' in html

    data = _form_data(page)
    data["retirement_category"] = RetirementCategory.FEMALE_50
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    woman.refresh_from_db()
    assert woman.retirement_category == RetirementCategory.FEMALE_50
    # 1975-01, former age 50: the first row of the 50周岁 table → 50岁1个月, 2025年2月.
    assert "法定退休年龄50岁1个月，2025年2月达到" in client.get(url).content.decode()


def test_a_mans_page_shows_his_age_without_a_category(client, regions):
    man = PersonFactory(born=datetime.date(1976, 12, 31))
    login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    html = client.get(f"/admin/insured/insuredperson/{man.pk}/change/").content.decode()
    # The men's table's last row: 1976年9月—12月 → 63岁, 2039年9月—12月.
    assert "法定退休年龄63岁，2039年12月达到" in html
    assert InsuredPerson.objects.get(pk=man.pk).retirement_category == ""

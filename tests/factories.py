"""factory_boy factories. Regions are never invented: tests use the real tree (``regions``
fixture) and factories look codes up in it."""

import datetime
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, Region, ServedInsurance, StaffMembership, StaffRole
from insured import idnumbers
from insured.models import (
    AccountKind,
    ContributionYear,
    Enrollment,
    EnrollmentStatus,
    HukouType,
    InsuredPerson,
)

_sequence = itertools.count(1)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "Correct-Horse-9")
        if create:
            self.save(update_fields=["password"])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("region", "insurance")

    region = factory.LazyFunction(lambda: region("320100"))
    insurance = ServedInsurance.BOTH
    name = factory.LazyAttribute(lambda o: f"{o.region.name}社会保险事业管理中心")
    address = factory.LazyAttribute(lambda o: f"{o.region.full_name()}人民路1号")
    phone = "010-12333"
    postal_code = "100000"
    contact_person = "王经办"
    bank_account_name = factory.LazyAttribute(lambda o: f"{o.name}社会保险基金专户")
    bank_name = "中国工商银行"
    bank_account_number = factory.Sequence(lambda n: f"6222{n:012d}")


class StaffFactory(factory.django.DjangoModelFactory):
    """A clerk: a staff user with a membership at an agency."""

    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory, is_staff=True)
    agency = factory.SubFactory(AgencyFactory)
    role = StaffRole.REVIEWER


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsuredPerson

    class Params:
        born = datetime.date(1990, 3, 7)
        male = True
        birth_region = "110105"

    id_number = factory.LazyAttribute(
        lambda o: idnumbers.build(
            o.birth_region, o.born, next(_sequence) * 2 % 1000 + (1 if o.male else 0)
        )
    )
    name = factory.Sequence(lambda n: f"参保人{n}")
    hukou_region = factory.LazyFunction(lambda: region("110105"))
    hukou_address = "北京市朝阳区建国路1号"
    hukou_type = HukouType.URBAN
    phone = "13800138000"
    email = factory.Sequence(lambda n: f"person{n}@example.cn")


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    person = factory.SubFactory(PersonFactory)
    insurance = "pension"
    agency = factory.SubFactory(AgencyFactory)
    region = factory.LazyAttribute(lambda o: o.agency.region)
    account_kind = AccountKind.ORDINARY
    start_month = datetime.date(2015, 1, 1)
    end_month = None
    status = EnrollmentStatus.ACTIVE


class ContributionYearFactory(factory.django.DjangoModelFactory):
    """A full year at base 8000: 8% personal (credited), 16% employer, 2% interest."""

    class Meta:
        model = ContributionYear

    enrollment = factory.SubFactory(EnrollmentFactory)
    year = 2020
    first_month = 1
    last_month = 12
    months_paid = factory.LazyAttribute(lambda o: o.last_month - o.first_month + 1)
    monthly_base = Decimal("8000.00")
    employer_contribution = factory.LazyAttribute(
        lambda o: (o.monthly_base * Decimal("0.16") * o.months_paid).quantize(Decimal("0.01"))
    )
    personal_contribution = factory.LazyAttribute(
        lambda o: (o.monthly_base * Decimal("0.08") * o.months_paid).quantize(Decimal("0.01"))
    )
    personal_account_credit = factory.LazyAttribute(lambda o: o.personal_contribution)
    interest = factory.LazyAttribute(
        lambda o: (o.personal_account_credit * Decimal("0.02")).quantize(Decimal("0.01"))
    )

"""Builders of registry histories shared by the records page and ``/api/v1/me/`` tests."""

import datetime
from decimal import Decimal

from agencies.models import Region
from insured.models import EnrollmentStatus, RightsMovement
from tests.factories import (
    AgencyFactory,
    ContributionYearFactory,
    EnrollmentFactory,
    PersonFactory,
    UserFactory,
)

CITIES = ["320100", "310000", "440100", "330100", "510100", "420100", "610100", "320500"]


def person_with_history(enrollments: int = 1, *, years: int = 3, with_login: bool = True, **kw):
    """A person with ``enrollments`` pension enrollments in different cities, each with
    ``years`` full contribution years, the last one active; a transferred-in record on it."""
    user = UserFactory() if with_login else None
    person = PersonFactory(user=user, **kw)
    created = []
    for index in range(enrollments):
        agency = AgencyFactory(region=Region.objects.get(code=CITIES[index % len(CITIES)]))
        first_year = 2000 + index * years
        last = index == enrollments - 1
        enrollment = EnrollmentFactory(
            person=person,
            agency=agency,
            start_month=datetime.date(first_year, 1, 1),
            end_month=None if last else datetime.date(first_year + years - 1, 12, 1),
            status=EnrollmentStatus.ACTIVE if last else EnrollmentStatus.INTERRUPTED,
        )
        for offset in range(years):
            ContributionYearFactory(enrollment=enrollment, year=first_year + offset)
        created.append(enrollment)
    RightsMovement.objects.create(
        to_enrollment=created[-1],
        transfer_date=datetime.date(2026, 1, 1),
        reference=f"20260101{person.pk:08d}",
        from_region=Region.objects.get(code="110105"),
        months=24,
        personal_account=Decimal("12345.60"),
        pooled_fund=Decimal("23040.00"),
    )
    return person, created

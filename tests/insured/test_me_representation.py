"""``insured.representations.me_representation`` gives, byte for byte, what ``MeSerializer``
(the documented schema of ``GET /api/v1/me/``) gives, for the demo people and a few records
the demo lacks, in Chinese and in English; and the view answers with it."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from core.tokens import token_issue
from insured.demo import WANG_WU
from insured.models import (
    ContributionYear,
    ContributorType,
    Enrollment,
    InsuredPerson,
    MovementStatus,
    OverlapRefund,
    RightsMovement,
    Sex,
)
from insured.representations import me_representation
from insured.selectors import person_records
from insured.serializers import MeSerializer

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people():
    """seed_demo's people (张三's several places, 王五's two hops run through the services, 孙八's
    resident pension and flexible periods, synthetic persons), and what the demo lacks: a
    recorded overlap refund, rights in transit, a period without stored rates, a woman whose
    original retirement age is unknown."""
    call_command("seed_demo", "--persons", "8", "--password", "Try-It-2026")
    resident = Enrollment.objects.filter(insurance="resident_pension").first()
    assert resident is not None
    OverlapRefund.objects.create(
        enrollment=resident,
        reference="20260101RF000001",
        amount=Decimal("1234.5"),
        months=7,
        first_month=datetime.date(2016, 1, 1),
        last_month=datetime.date(2016, 7, 1),
        resident_account=Decimal("5000.00"),
        recorded_at=timezone.now(),
    )
    OverlapRefund.objects.create(  # computed, not yet recorded: not shown
        enrollment=resident,
        reference="20260101RF000002",
        amount=Decimal("10.00"),
        months=1,
        resident_account=Decimal("5000.00"),
    )
    wang_wu = InsuredPerson.objects.get(id_number=WANG_WU)
    places = list(Enrollment.objects.filter(person=wang_wu, insurance="pension").order_by("id"))
    RightsMovement.objects.create(
        from_enrollment=places[0],
        to_enrollment=places[-1],
        reference="20260101IT000001",
        from_region=places[0].region,
        status=MovementStatus.IN_TRANSIT,
        months=5,
        personal_account=Decimal("321.05"),
        pooled_fund=Decimal("1000"),
    )
    first_period = ContributionYear.objects.filter(
        enrollment__person=wang_wu, contributor_type=ContributorType.EMPLOYER
    ).order_by("id")[:1]
    ContributionYear.objects.filter(pk__in=first_period.values("pk")).update(
        employer_rate=None, personal_rate=None
    )
    women = InsuredPerson.objects.exclude(user=None).filter(id_number__regex=r"^.{16}[02468]")
    InsuredPerson.objects.filter(pk__in=women.values("pk")[:1]).update(retirement_category="")
    persons = list(InsuredPerson.objects.exclude(user=None).order_by("id"))
    assert any(p.sex == Sex.FEMALE and not p.retirement_category for p in persons)
    return persons


def serializer_json(person) -> bytes:
    return JSONRenderer().render(MeSerializer(person_records(person=person)).data)


def function_json(person) -> bytes:
    return JSONRenderer().render(me_representation(person_records(person=person)))


def test_the_function_and_the_view_give_the_serializers_json(people, api_client):
    # One seed_demo (seconds) for both languages.
    for language in LANGUAGES:
        _compare_all(people, api_client, language)


def _compare_all(people, api_client, language):
    seen = {"refunds": 0, "in_transit": 0, "resident": 0, "flexible": 0, "no_retirement": 0}
    for person in people:
        with translation.override(language):
            expected = serializer_json(person)
            assert function_json(person) == expected, person.name
            body = MeSerializer(person_records(person=person)).data
        seen["no_retirement"] += body["retirement"] is None
        for item in body["enrollments"]:
            seen["refunds"] += len(item["refunds"])
            seen["in_transit"] += len(item["in_transit"])
            seen["resident"] += item["resident"] is not None
            seen["flexible"] += any(y["contributor_type"] == "flexible" for y in item["years"])
        # The view, in the language the request asks for.
        key, _token = token_issue(user=person.user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert response.content == expected, person.name
    # The records compared hold every kind of row the serializer has.
    assert all(seen.values()), seen
    # In English the labels compared are the translated ones, not the Chinese ones twice
    # (the English catalogue must be compiled: make compilemessages).
    assert body["enrollments"][0]["insurance_display"].isascii() == (language == "en")

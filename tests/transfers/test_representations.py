"""``transfers.representations`` gives, byte for byte, what the documented serializers give
(``CaseListSerializer``, ``StaffCaseListSerializer``, ``CaseDetailSerializer``): for cases in
every state (funds, remittance paid and not, refund, documents, attention, clerks' notes), for
the person and for the agencies, in Chinese and in English; and the views answer with it."""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from insured.demo import WANG_WU
from insured.models import InsuredPerson, OverlapRefund
from tests.otp_helpers import api_verified
from tests.transfers.celery_helpers import eager_tasks
from tests.transfers.factories import case_in, make_mover, make_parties
from transfers import representations, selectors, workflow
from transfers.models import CaseEvent, TransferCase
from transfers.serializers import CaseDetailSerializer, CaseListSerializer, StaffCaseListSerializer
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]  # a fixture

LANGUAGES = ["zh-hans", "en"]
render = JSONRenderer().render


@pytest.fixture
def parties(regions):
    return make_parties()


@pytest.fixture
def varied(parties):
    """One person's cases in every state, a medical one, two bridging ones with their overlap
    refund (recorded and not), two waiting for a clerk after a failure, clerks' notes."""
    person = make_mover(parties)
    # One open application per person and insurance: the person holds the ended cases and the
    # remitting one; the other open states go to fresh movers.
    mine = {*workflow.STOPPED_STATUSES, CaseStatus.COMPLETED, CaseStatus.REMITTING}
    cases = [
        case_in(state, parties, person=person if state in mine else None)
        for state in CaseStatus.values
    ]
    cases.append(case_in("letter_sent", parties, insurance="medical"))
    for state, recorded in (("info_sheet_issued", None), ("completed", timezone.now())):
        bridging = case_in(state, parties, category="resident_to_employee")
        OverlapRefund.objects.create(
            enrollment=bridging.from_enrollment,
            reference=bridging.serial_no,
            amount=Decimal("876.5"),
            months=9,
            first_month=datetime.date(2016, 1, 1),
            last_month=datetime.date(2016, 9, 1),
            resident_account=Decimal("4000"),
            recorded_at=recorded,
        )
        cases.append(bridging)
    waiting = cases[CaseStatus.values.index(CaseStatus.REMITTING)]
    TransferCase.objects.filter(pk=waiting.pk).update(
        attention_since=timezone.now() - datetime.timedelta(hours=3, microseconds=123457),
        attention_agency=parties.out_agency,
        attention_reason="银行接口超时",
        attention_detail="TimeoutError: bank did not answer",
        overlapping_months=["2020-01", "2020-02"],
        approved_transfer=True,
    )
    TransferCase.objects.filter(pk=cases[0].pk).update(
        attention_since=timezone.now(), attention_reason="证明出具失败"
    )
    rejected = cases[CaseStatus.values.index(CaseStatus.REJECTED)]
    CaseEvent.objects.create(
        case=rejected,
        action="reject",
        from_status=CaseStatus.SUBMITTED,
        to_status=CaseStatus.REJECTED,
        agency=parties.in_agency,
        note="材料不全",  # public: the person reads the reason
    )
    CaseEvent.objects.create(
        case=rejected,
        action="accept",
        agency=parties.in_agency,
        note="内部备注",  # a clerk's note: hidden from the person
    )
    return person, [case.serial_no for case in cases]


@pytest.fixture
def demo_cases():
    """seed_demo's cases: 王五's Chengdu → Wuhan moves run through the real services (documents
    issued and signed, remittance paid, funds, every event)."""
    call_command("seed_demo", "--persons", "2", "--password", "Try-It-2026")
    person = InsuredPerson.objects.get(id_number=WANG_WU)
    serials = list(TransferCase.objects.filter(person=person).values_list("serial_no", flat=True))
    assert serials
    return person, serials


def loaded(serial_no: str) -> TransferCase:
    """As the agency detail view re-reads a case (``api._detail_response``)."""
    return selectors.with_detail(
        TransferCase.objects.filter(serial_no=serial_no).select_related(
            *selectors.LIST_RELATED, "attention_agency"
        )
    ).get()


def serializer_detail(case, *, user, for_agency: bool) -> bytes:
    detail = selectors.case_detail(case)
    if not for_agency:
        detail["events"] = workflow.events_for_person(detail["events"])
    context = {
        "for_agency": for_agency,
        "detail": detail,
        "allowed_moves": selectors.allowed_moves(case=case, user=user),
    }
    return render(CaseDetailSerializer(case, context=context).data)


def function_detail(case, *, user, for_agency: bool) -> bytes:
    detail = selectors.case_detail(case)
    if not for_agency:
        detail["events"] = workflow.events_for_person(detail["events"])
    return render(
        representations.case_detail(
            case,
            detail=detail,
            allowed_moves=selectors.allowed_moves(case=case, user=user),
            for_agency=for_agency,
        )
    )


def compare_functions(serials, *, person_user, clerk, language) -> dict:
    """Serializer against function for each case, list and detail, person and agency."""
    seen = {"funds": 0, "remittance": 0, "refund": 0, "documents": 0, "attention": 0}
    today = timezone.localdate()
    with translation.override(language):
        for serial_no in serials:
            case = loaded(serial_no)
            assert render(representations.case_list_item(case)) == render(
                CaseListSerializer(case).data
            ), serial_no
            assert render(representations.staff_case_list_item(case, today=today)) == render(
                StaffCaseListSerializer(case, context={"today": today}).data
            ), serial_no
            for user, for_agency in ((person_user, False), (clerk, True)):
                expected = serializer_detail(case, user=user, for_agency=for_agency)
                assert function_detail(case, user=user, for_agency=for_agency) == expected
            body = json.loads(expected)
            for key in ("funds", "remittance", "refund", "attention"):
                seen[key] += body[key] is not None
            seen["documents"] += len(body["documents"])
    return seen


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_functions_give_the_serializers_json_for_cases_in_every_state(
    varied, parties, language
):
    person, serials = varied
    seen = compare_functions(
        serials, person_user=person.user, clerk=parties.in_reviewer, language=language
    )
    assert seen["funds"] and seen["remittance"] and seen["refund"] and seen["attention"]


def test_the_functions_give_the_serializers_json_for_the_demo_cases(demo_cases):
    person, serials = demo_cases
    clerk = get_user_model().objects.get(username="wh-review")
    for language in LANGUAGES:  # one seed_demo (seconds) for both languages
        seen = compare_functions(serials, person_user=person.user, clerk=clerk, language=language)
        assert seen["documents"] and seen["remittance"] and seen["funds"], language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_views_answer_with_the_serializers_json(varied, parties, api_client, language):
    person, serials = varied
    today = timezone.localdate()
    # The person's detail and list.
    api_verified(api_client, person.user)
    for serial_no in serials:
        case = TransferCase.objects.filter(serial_no=serial_no).first()
        if case.person_id != person.pk:
            continue
        response = api_client.get(f"/api/v1/transfers/{serial_no}/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        with translation.override(language):
            case = selectors.case_with_detail_for_person(person=person, serial_no=serial_no)
            expected = serializer_detail(case, user=person.user, for_agency=False)
        assert response.content == expected, serial_no
    response = api_client.get("/api/v1/transfers/?page_size=100", HTTP_ACCEPT_LANGUAGE=language)
    with translation.override(language):
        cases = list(selectors.cases_for_person(person=person))
        expected = json.loads(render(CaseListSerializer(cases, many=True).data))
    assert response.json()["results"] == expected and len(expected) == 5
    # The agency's detail and list (all cases, and a queue).
    clerk = parties.in_reviewer
    api_verified(api_client, clerk)
    for serial_no in serials:
        response = api_client.get(
            f"/api/v1/agency/transfers/{serial_no}/", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200
        with translation.override(language):
            expected = serializer_detail(loaded(serial_no), user=clerk, for_agency=True)
        assert response.content == expected, serial_no
    agency = parties.in_agency
    for url, cases in (
        ("/api/v1/agency/transfers/?page_size=100", selectors.cases_for_agency(agency=agency)),
        (
            "/api/v1/agency/transfers/?queue=review&page_size=100",
            selectors.queue_for_agency(agency=agency, queue="review"),
        ),
    ):
        response = api_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        results = response.json()["results"]
        assert results
        with translation.override(language):
            by_serial = {case.serial_no: case for case in cases}
            for item in results:
                serialized = StaffCaseListSerializer(
                    by_serial[item["serial_no"]], context={"today": today}
                ).data
                assert item == json.loads(render(serialized)), item["serial_no"]
    # The labels compared in English are the translated ones (make compilemessages).
    assert results[0]["status_display"].isascii() == (language == "en")

"""Queries per page do not grow with the number of cases (issue 13): each list and detail is
counted with a few cases and with ten times as many."""

import pytest
from django.core.paginator import Paginator

from core.pagination import CappedCountPaginator
from tests.otp_helpers import api_verified, login_verified
from tests.transfers.factories import case_in, make_mover, make_parties
from transfers.models import TransferCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(regions):
    return make_parties()


def cases(parties, n: int, person=None):
    made = []
    for _ in range(n):
        mover = person or make_mover(parties)
        made.append(case_in("completed", parties, person=mover))
    return made


def count_queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("clerk", "/api/v1/agency/transfers/"),
        ("clerk", "/api/v1/agency/transfers/?queue=receipt"),
        ("person", "/api/v1/transfers/"),
    ],
)
def test_api_lists_cost_the_same_queries_for_3_and_30_cases(parties, api_client, who, url):
    person = make_mover(parties)
    counts = []
    for n in (3, 27):
        cases(parties, n, person=person if who == "person" else None)
        user = parties.in_reviewer if who == "clerk" else person.user
        client = api_verified(api_client, user)
        client.get(url)  # warm the per-process caches (names, calendar)
        counts.append(count_queries(lambda c=client: c.get(url)))
    assert counts[0] == counts[1], counts


def test_the_admin_changelist_costs_the_same_queries_for_3_and_30_cases(parties, client):
    login_verified(client, parties.in_reviewer)
    counts = []
    for n in (3, 27):
        cases(parties, n)
        client.get("/admin/transfers/transfercase/")
        counts.append(count_queries(lambda: client.get("/admin/transfers/transfercase/")))
    assert counts[0] == counts[1], counts


# Cases in every queue's state, so each filtered list has rows at both sizes.
MIXED_STATES = ("submitted", "letter_sent", "info_sheet_issued", "funds_remitted", "completed")


def mixed_cases(parties, n: int):
    from django.utils import timezone

    made = [case_in(MIXED_STATES[i % len(MIXED_STATES)], parties) for i in range(n)]
    # One in five waits in the attention queue of the party running its step.
    for case in made[::5]:
        agency = parties.in_agency if case.status == "submitted" else parties.out_agency
        TransferCase.objects.filter(pk=case.pk).update(
            attention_since=timezone.now(), attention_agency=agency, attention_reason="测试"
        )
    return made


def counts_at_two_sizes(parties, client_for, url) -> list[int]:
    """Queries of one request with 5 cases and with 50 (warm per-process caches first)."""
    counts = []
    for n in (5, 45):
        mixed_cases(parties, n)
        client = client_for()
        client.get(url)
        counts.append(count_queries(lambda c=client: c.get(url)))
    return counts


CHANGELIST = "/admin/transfers/transfercase/"


@pytest.mark.parametrize(
    ("who", "url"),
    [
        *[
            (who, CHANGELIST)
            for who in ("in_reviewer", "in_finance", "in_supervisor", "out_reviewer", "out_finance")
        ],
        ("in_reviewer", CHANGELIST + "?queue=review"),
        ("out_reviewer", CHANGELIST + "?queue=letters"),
        ("out_finance", CHANGELIST + "?queue=remittance"),
        ("in_finance", CHANGELIST + "?queue=receipt"),
        ("in_reviewer", CHANGELIST + "?queue=attention"),
        ("out_finance", CHANGELIST + "?queue=attention"),
        ("in_reviewer", CHANGELIST + "?overdue=yes"),
        ("in_reviewer", CHANGELIST + "?status__exact=completed&insurance__exact=pension"),
        ("in_reviewer", "/admin/"),
        ("in_supervisor", "/admin/"),
        ("out_finance", "/admin/"),
    ],
)
def test_every_back_office_list_costs_the_same_queries_for_5_and_50_cases(
    parties, client, who, url
):
    def client_for():
        return login_verified(client, getattr(parties, who))

    counts = counts_at_two_sizes(parties, client_for, url)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("in_reviewer", "/api/v1/agency/transfers/"),
        ("out_finance", "/api/v1/agency/transfers/"),
        ("in_reviewer", "/api/v1/agency/transfers/?page=2&page_size=2"),
        ("in_reviewer", "/api/v1/agency/transfers/?queue=review"),
        ("out_reviewer", "/api/v1/agency/transfers/?queue=letters"),
        ("out_finance", "/api/v1/agency/transfers/?queue=remittance"),
        ("in_finance", "/api/v1/agency/transfers/?queue=receipt"),
        ("out_finance", "/api/v1/agency/transfers/?queue=attention"),
    ],
)
def test_every_agency_api_list_costs_the_same_queries_for_5_and_50_cases(
    parties, api_client, who, url
):
    def client_for():
        return api_verified(api_client, getattr(parties, who))

    counts = counts_at_two_sizes(parties, client_for, url)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("url", ["/transfers/", "/api/v1/transfers/", "/me/records/"])
def test_the_person_lists_cost_the_same_queries_for_3_and_30_cases(parties, client, url):
    person = make_mover(parties)
    client.force_login(person.user)
    counts = []
    for n in (3, 27):
        cases(parties, n, person=person)
        client.get(url)
        counts.append(count_queries(lambda: client.get(url)))
    assert counts[0] == counts[1], counts


def test_an_agency_list_pages_through_both_parties_in_the_list_order(parties, client):
    """The paged list (transfer-in part and transfer-out part read apart) shows the same rows
    in the same order as one query over the whole agency, page after page."""
    from django.db.models import F, Q

    from core.pagination import PartsPaginator
    from transfers.selectors import agency_parts

    mixed_cases(parties, 12)
    # The Beijing clerk is transfer-in party too on some cases: a Nanjing → Beijing move.
    for state in ("submitted", "completed", "funds_remitted"):
        case = case_in(state, parties)
        TransferCase.objects.filter(pk=case.pk).update(
            transfer_in_agency=parties.out_agency, transfer_out_agency=parties.in_agency
        )
    agency = parties.out_agency
    whole = TransferCase.objects.filter(
        Q(transfer_in_agency=agency) | Q(transfer_out_agency=agency)
    ).order_by(F("current_due_date").asc(nulls_last=True), "-submitted_at", "-pk")
    expected = list(whole.values_list("pk", flat=True))
    assert len(expected) == 15
    paged = PartsPaginator(whole, 4, parts=agency_parts(agency.pk))
    assert paged.count == 15
    shown = [case.pk for number in paged.page_range for case in paged.page(number)]
    assert shown == expected


def test_the_capped_paginator_stops_counting_at_its_cap(parties):
    cases(parties, 5)
    queryset = TransferCase.objects.order_by("pk")
    capped = CappedCountPaginator(queryset, 2)
    capped.cap = 3
    assert (capped.count, capped.count_capped) == (3, True)
    assert Paginator(queryset, 2).count == 5
    assert [c.pk for c in capped.page(1)] == [c.pk for c in queryset[:2]]


def test_the_first_pages_count_less_and_say_so_and_deeper_pages_count_on(
    parties, api_client, monkeypatch
):
    """The API's first pages count only to FIRST_PAGES_CAP (here 4) and say the list holds
    more; the page that needs more rows counts on, so every case can still be reached."""
    import core.pagination

    monkeypatch.setattr(core.pagination, "FIRST_PAGES_CAP", 4)
    cases(parties, 7)
    client = api_verified(api_client, parties.in_reviewer)
    first = client.get("/api/v1/agency/transfers/?page_size=2").json()
    assert (first["count"], first["count_capped"]) == (4, True)
    assert first["next"] is not None
    serials = [case["serial_no"] for case in first["results"]]
    page = 2
    while True:
        answer = client.get(f"/api/v1/agency/transfers/?page_size=2&page={page}").json()
        serials += [case["serial_no"] for case in answer["results"]]
        if answer["next"] is None:
            break
        page += 1
    # Page 2 reaches past the first rows: it counts them all, exactly.
    assert (answer["count"], answer["count_capped"]) == (7, False)
    assert sorted(serials) == sorted(TransferCase.objects.values_list("serial_no", flat=True))
    assert len(serials) == 7


def test_the_admin_list_says_when_its_count_stopped_and_pages_on(parties, client, monkeypatch):
    """The first admin pages count to FIRST_PAGES_CAP (here 4) and show "4+"; a deeper page
    counts the whole list and shows the exact number."""
    import re

    import core.pagination
    from transfers.admin import TransferCaseAdmin

    monkeypatch.setattr(core.pagination, "FIRST_PAGES_CAP", 4)
    monkeypatch.setattr(TransferCaseAdmin, "list_per_page", 2)
    cases(parties, 7)
    login_verified(client, parties.in_reviewer)
    url = "/admin/transfers/transfercase/"

    def paginator(response) -> str:
        found = re.search(r'<p class="paginator">(.*?)</p>', response.content.decode(), re.S)
        return " ".join(found.group(1).split())

    assert "4+ " in paginator(client.get(url)), "the capped count says there are more"
    deeper = paginator(client.get(url, {"p": 3}))
    assert " 7 " in f" {deeper}" and "7+" not in deeper and "4+" not in deeper

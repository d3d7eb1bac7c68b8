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


def test_the_capped_paginator_stops_counting_at_its_cap(parties):
    cases(parties, 5)
    queryset = TransferCase.objects.order_by("pk")
    capped = CappedCountPaginator(queryset, 2)
    capped.cap = 3
    assert (capped.count, capped.count_capped) == (3, True)
    assert Paginator(queryset, 2).count == 5
    assert [c.pk for c in capped.page(1)] == [c.pk for c in queryset[:2]]

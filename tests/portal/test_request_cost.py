"""What one signed-in request of an insured person costs (issue 13): the queries and the Redis
commands of each of their pages and API calls stay within a small bound, and the same with one
case and a few contribution periods as with eleven cases and twenty periods more."""

import pytest
import redis

from insured.models import ContributionYear, Enrollment
from tests.factories import ContributionYearFactory
from tests.transfers.factories import case_in, make_mover, make_parties

pytestmark = pytest.mark.django_db

# The bound of each request: the session (Redis) and the user with their insured person (one
# query), then what the page itself reads.
PAGES = {
    "/": 1,  # the user with their person; the guide is a cached fragment
    "/me/records/": 6,  # + enrollments, periods, rights in, rights out, access log
    "/transfers/": 3,  # + count, one page of cases with their application
    "/transfers/{serial}/": 6,  # + case (application, funds, remittance), stages, events,
    #                             documents, the other cases of the application
}
API = {
    "/api/v1/me/": 5,  # token with user and person, enrollments, periods, rights in and out
    "/api/v1/transfers/": 3,  # token, count, one page of cases
    "/api/v1/transfers/{serial}/": 6,  # token, case, stages, events, documents, + the clerk
    #                                   check of the moves the case's state would allow
}
# Redis commands per request: the session, and at most one look at the shared version of the
# per-process names and calendar caches (each checked at most every few seconds).
REDIS_BOUND = 3


@pytest.fixture
def parties(regions):
    return make_parties()


@pytest.fixture
def redis_commands(monkeypatch):
    """Every command this process sends to Redis (the cache, the sessions)."""
    sent = []
    original = redis.Redis.execute_command

    def counting(self, *args, **kwargs):
        sent.append(args[0] if args else "?")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def grow(person, parties, *, cases: int, periods: int) -> None:
    """Give the person ``cases`` more ended cases and ``periods`` more contribution periods."""
    for _ in range(cases):
        case_in("completed", parties, person=person)
    enrollment = Enrollment.objects.filter(person=person).order_by("start_month").first()
    first = ContributionYear.objects.filter(enrollment=enrollment).order_by("year").first()
    start = first.year - 1  # make_mover gives the enrollment its history
    for offset in range(periods):
        ContributionYearFactory(enrollment=enrollment, year=start - offset)


def cost(client, url, redis_commands, **extra) -> tuple[int, int]:
    """(queries, Redis commands) of one warm GET of ``url``, which must answer 200."""
    client.get(url, **extra)  # warm the per-process caches (names, calendar, fragments)
    redis_commands.clear()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries), len(redis_commands)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_persons_page_costs_a_bounded_number_of_queries_whatever_their_history(
    parties, client, page, redis_commands
):
    person = make_mover(parties)
    serial = case_in("submitted", parties, person=person).serial_no  # the case page's case
    # Logged in as the login form does it (the backend that loads the person with the user).
    client.force_login(person.user, backend="core.backends.ModelBackend")
    counts = []
    for cases, periods in ((0, 0), (10, 20)):
        grow(person, parties, cases=cases, periods=periods)
        url = page.format(serial=serial)
        counts.append(cost(client, url, redis_commands))
    (queries_small, redis_small), (queries_large, redis_large) = counts
    assert queries_small == queries_large, counts
    assert queries_large <= PAGES[page], counts
    assert max(redis_small, redis_large) <= REDIS_BOUND, counts


@pytest.mark.parametrize("endpoint", list(API))
def test_a_persons_api_call_costs_a_bounded_number_of_queries_whatever_their_history(
    parties, api_client, endpoint, redis_commands
):
    from core.tokens import token_issue

    person = make_mover(parties)
    serial = case_in("submitted", parties, person=person).serial_no
    key, _token = token_issue(user=person.user)
    counts = []
    for cases, periods in ((0, 0), (10, 20)):
        grow(person, parties, cases=cases, periods=periods)
        url = endpoint.format(serial=serial)
        counts.append(cost(api_client, url, redis_commands, HTTP_AUTHORIZATION=f"Token {key}"))
    (queries_small, redis_small), (queries_large, redis_large) = counts
    assert queries_small == queries_large, counts
    assert queries_large <= API[endpoint], counts
    assert max(redis_small, redis_large) <= REDIS_BOUND, counts


def test_a_session_request_reads_the_session_from_the_cache_not_the_database(
    parties, client, require_redis
):
    person = make_mover(parties)
    client.force_login(person.user, backend="core.backends.ModelBackend")
    client.get("/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "django_session" not in tables
    assert "insured_insuredperson" in tables  # joined into the user's query
    assert len(captured.captured_queries) == 1

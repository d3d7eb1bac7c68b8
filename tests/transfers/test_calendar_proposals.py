"""Calendar administration (issue 11 item 6): a supervisor (经办主管) of any agency proposes
the days of the State Council's notice; a superuser other than the proposer publishes them,
and only then do open cases' due dates follow them."""

import datetime
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from agencies.models import CalendarDay, CalendarDayProposal, ProposalStatus
from agencies.selectors import forget_official_calendar
from tests.otp_helpers import login_verified
from tests.transfers.factories import case_in, make_parties
from transfers.workflow import StageName

pytestmark = pytest.mark.django_db
ADD = "/admin/agencies/calendardayproposal/add/"
LIST = "/admin/agencies/calendardayproposal/"
SOURCE = "测试用安排（非真实通知）"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def parties(regions):
    return make_parties()


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", password="Correct-Horse-9")


def propose(client, user, **data):
    login_verified(client, user)
    body = {"date": "2027-01-09", "kind": "workday", "name": "春节", "source": SOURCE, **data}
    return client.post(ADD, body, follow=True)


def test_a_supervisor_proposes_and_nothing_changes_until_it_is_published(client, parties):
    response = propose(client, parties.in_supervisor)
    assert response.status_code == 200
    proposal = CalendarDayProposal.objects.get()
    assert (proposal.status, proposal.proposed_by) == ("proposed", parties.in_supervisor)
    assert not CalendarDay.objects.exists()


def test_a_reviewer_may_not_propose(client, parties):
    login_verified(client, parties.in_reviewer)
    assert client.get(ADD).status_code == 403
    assert not CalendarDayProposal.objects.exists()


def test_a_make_up_working_day_on_a_weekday_is_refused_beside_the_field(client, parties):
    response = propose(client, parties.in_supervisor, date="2027-01-08")
    assert "调休上班日应为周六或周日" in response.content.decode()
    assert not CalendarDayProposal.objects.exists()


def test_a_superuser_publishes_and_open_due_dates_follow(
    client, parties, superuser, django_capture_on_commit_callbacks
):
    case = case_in("letter_sent", parties)
    stage = case.stages.get(name=StageName.TRANSFER_OUT)
    stage.started_at = datetime.datetime(2026, 12, 21, 10, tzinfo=SHANGHAI)
    stage.due_date, stage.due_date_estimated = date(2027, 1, 12), True
    stage.save()
    propose(client, parties.in_supervisor)
    proposal = CalendarDayProposal.objects.get()

    login_verified(client, superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST, {"action": "publish", "_selected_action": [proposal.pk]}, follow=True
        )
    assert "办理时限已重新计算" in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.PUBLISHED, superuser)
    assert CalendarDay.objects.get(date=date(2027, 1, 9)).source == SOURCE
    forget_official_calendar()
    stage.refresh_from_db()
    # 2027 now counts as published (only Sat Jan 9 entered): Dec 22–25, 28–31, Jan 1, 4–8, 9.
    assert (stage.due_date, stage.due_date_estimated) == (date(2027, 1, 9), False)


def test_the_proposer_cannot_publish_their_own_proposal(client, superuser):
    propose(client, superuser)
    proposal = CalendarDayProposal.objects.get()
    response = client.post(
        LIST, {"action": "publish", "_selected_action": [proposal.pk]}, follow=True
    )
    assert "须由提出人以外的系统管理员发布" in response.content.decode()
    assert not CalendarDay.objects.exists()

import pytest

from core.models import Notification
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(regions):
    return PersonFactory(user=UserFactory()).user


def test_person_reads_own_notifications_newest_first_and_not_anyone_elses(client, owner):
    Notification.objects.create(user=owner, title="申请已受理", link="/transfers/")
    Notification.objects.create(user=owner, title="联系函已发出")
    Notification.objects.create(user=UserFactory(), title="别人的消息")
    client.force_login(owner)
    body = client.get("/me/notifications/").content.decode()
    assert body.index("联系函已发出") < body.index("申请已受理")
    assert "别人的消息" not in body
    assert body.count("未读") >= 2


def test_marking_all_read_touches_only_own_messages(client, owner):
    other = Notification.objects.create(user=UserFactory(), title="别人的消息")
    Notification.objects.create(user=owner, title="申请已受理")
    client.force_login(owner)
    response = client.post("/me/notifications/", follow=True)
    assert "已全部标为已读" in response.content.decode()
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_notifications_need_login(client):
    response = client.get("/me/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_notification_page_queries_are_bounded(client, owner, django_assert_max_num_queries):
    Notification.objects.bulk_create(
        [Notification(user=owner, title=f"消息{i}") for i in range(30)]
    )
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        response = client.get("/me/notifications/")
    assert response.status_code == 200
    assert "第 1 / 2 页" in response.content.decode()

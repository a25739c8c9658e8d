"""Every meetings and compliance page: anonymous users go to the login page; write URLs refuse GET."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["activities:meeting-list", "activities:meeting-create", "reports:secretary-home",
         "reports:overview", "activities:review-queue", "reports:rule-list",
         "reports:exemption-list", "activities:activity-list", "activities:activity-create",
         "activities:study-hours", "activities:meeting-export", "activities:attendance-rows"]
WRITES_BY_PK = ["activities:meeting-submit", "activities:meeting-return",
                "activities:meeting-review", "activities:meeting-delete",
                "activities:attachment-add", "activities:attachment-delete",
                "reports:exemption-delete", "activities:activity-delete"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", WRITES_BY_PK)
def test_write_urls_refuse_get(client, personas, name):
    client.force_login(personas.staff)
    assert client.get(reverse(name, args=[1])).status_code == 405


@pytest.mark.parametrize("name", ["activities:meeting-list", "reports:secretary-home",
                                  "reports:overview", "activities:review-queue",
                                  "activities:activity-list", "activities:study-hours"])
def test_read_pages_refuse_post(client, personas, name):
    client.force_login(personas.admin)
    assert client.post(reverse(name)).status_code == 405


def test_a_user_without_roles_sees_nothing(client, personas):
    client.force_login(personas.nobody)
    assert client.get(reverse("activities:meeting-create")).status_code == 404
    assert client.get(reverse("reports:rule-list")).status_code == 403
    assert client.get(reverse("reports:exemption-list")).status_code == 403
    assert "暂无会议记录" in client.get(reverse("activities:meeting-list")).content.decode()

"""Every activities page: anonymous users go to the login page; write URLs refuse GET."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["meeting-list", "meeting-create", "secretary-home", "overview", "review-queue",
         "rule-list", "exemption-list", "activity-list", "activity-create", "study-hours",
         "meeting-export", "attendance-rows"]
WRITES_BY_PK = ["meeting-submit", "meeting-return", "meeting-review", "meeting-delete",
                "attachment-add", "attachment-delete", "exemption-delete", "activity-delete"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(f"activities:{name}"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", WRITES_BY_PK)
def test_write_urls_refuse_get(client, personas, name):
    client.force_login(personas.staff)
    assert client.get(reverse(f"activities:{name}", args=[1])).status_code == 405


@pytest.mark.parametrize("name", ["meeting-list", "secretary-home", "overview", "review-queue",
                                  "activity-list", "study-hours"])
def test_read_pages_refuse_post(client, personas, name):
    client.force_login(personas.admin)
    assert client.post(reverse(f"activities:{name}")).status_code == 405


def test_a_user_without_roles_sees_nothing(client, personas):
    client.force_login(personas.nobody)
    assert client.get(reverse("activities:meeting-create")).status_code == 404
    assert client.get(reverse("activities:rule-list")).status_code == 403
    assert client.get(reverse("activities:exemption-list")).status_code == 403
    assert "暂无会议记录" in client.get(reverse("activities:meeting-list")).content.decode()

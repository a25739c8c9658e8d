"""Requests that did not come from the portal's own forms change nothing.

Without a CSRF token every state-changing view answers 403 (CsrfViewMiddleware, on for every
POST). With a token but a forged target (an organization, member or meeting outside the user's
scope), the view answers 404 or refuses, and the database is exactly as before.
"""
from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from activities.models import Attendance, Meeting
from members.models import Member, Transfer
from tests.security.conftest import png_bytes
from tests.security.test_url_matrix import MATRIX, WRITE

APPS = ("accounts", "branches", "members", "activities", "reports", "imports", "auth")
SKIP = {"auth.Permission", "auth.Group"}


def db_state() -> dict:
    """Every row of the portal's own tables, as plain values (a sign-in's last_login aside)."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in APPS and label not in SKIP:
            state[label] = sorted(
                (tuple(sorted((k, str(v)) for k, v in row.items() if k != "last_login"))
                 for row in model.objects.values()), key=str)
    return state


def owner_of(name: str) -> str:
    """Who may make this POST when the token is there: the persona of the matrix."""
    spec = MATRIX[name]
    if spec.public:
        return "anonymous"
    if "staff" in spec.scope and "staff" not in spec.forbidden:
        return "staff"
    return "secretary"


POSTS = sorted(name for name, spec in MATRIX.items() if "POST" in spec.methods)


@pytest.mark.parametrize("name", POSTS)
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(name, w):
    spec = MATRIX[name]
    client = Client(enforce_csrf_checks=True)
    persona = owner_of(name)
    if persona != "anonymous":
        client.force_login(getattr(w.p, persona))
    url = reverse(name, kwargs=spec.kwargs(w))
    if spec.query(w):
        url = f"{url}?{urlencode(spec.query(w))}"
    before = db_state()

    response = client.post(url, spec.data(w))

    assert response.status_code == 403
    assert "CSRF" in response.content.decode() or "csrf" in response.content.decode().lower()
    assert db_state() == before


def test_every_write_in_the_matrix_is_a_post():
    """A write on GET would slip past the CSRF check: none exists."""
    assert all(kind != WRITE for spec in MATRIX.values()
               for method, kind in spec.methods.items() if method == "GET")


def test_logout_without_a_token_keeps_the_session(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.p.secretary)

    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.get(reverse("members:member-list")).status_code == 200


def test_the_same_post_with_the_pages_token_goes_through(w):
    """The control: the refusal above is the token's doing, not the request's."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.p.secretary)
    page = client.get(reverse("members:member-detail", args=[w.member.pk]))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies[
        "csrftoken"].value

    response = client.post(reverse("members:member-reveal-id", args=[w.member.pk]),
                           {"csrfmiddlewaretoken": token})

    assert response.status_code == 200


# ------------------------------------------------------------------------------ forged targets

def signed_in(persona_user) -> Client:
    client = Client()
    client.force_login(persona_user)
    return client


def meeting_form(meeting, organization, **extra) -> dict:
    data = {"organization": organization.pk, "kinds": ["party_congress"],
            "date": meeting.date.isoformat(), "topic": meeting.topic}
    data.update(extra)
    return data


def test_a_secretary_cannot_transfer_a_member_of_another_branch(w):
    before = db_state()

    response = signed_in(w.p.secretary).post(
        reverse("members:member-event", args=[w.b2[0].pk, "transfer"]),
        {"transfer-on": w.submitted.date.isoformat(), "transfer-to_branch": "1101"})

    assert response.status_code == 404
    assert db_state() == before


def test_transferring_out_of_scope_only_asks_the_receiving_side(w):
    """The member stays in 1101 until 1201 accepts; the sender cannot accept for them."""
    member = w.b1[2]
    client = signed_in(w.p.secretary)

    client.post(reverse("members:member-event", args=[member.pk, "transfer"]),
                {"transfer-on": w.submitted.date.isoformat(), "transfer-to_branch": "1201"})
    transfer = Transfer.objects.get(member=member)
    after_request = db_state()
    response = client.post(reverse("members:transfer-decide", args=[transfer.pk, "accept"]))

    member.refresh_from_db()
    assert transfer.status == Transfer.Status.PENDING
    assert member.branch == w.d.b1
    assert list(member.memberships.values_list("branch__code", "ended_on")) == [("1101", None)]
    assert response.status_code in (302, 403)
    assert db_state() == after_request


def test_a_transfer_another_branch_sent_cannot_be_decided_by_a_stranger(w):
    before = db_state()

    for persona in (w.p.other_secretary, w.p.outsider):
        for decision in ("accept", "refuse", "withdraw"):
            response = signed_in(persona).post(
                reverse("members:transfer-decide", args=[w.transfer.pk, decision]))
            assert response.status_code == 404

    assert db_state() == before


def test_a_member_cannot_be_put_into_a_group_of_another_branch(w):
    from tests.factories import make_org

    other_group = make_org("1102-1", "第一社区第二党支部第一党小组", "group", w.d.b2)
    before = db_state()

    response = signed_in(w.p.secretary).post(
        reverse("members:member-assign-group"),
        {"org": "1101", "group": other_group.pk, "member": [w.member.pk]})

    assert response.status_code == 404
    assert db_state() == before


def test_editing_a_member_cannot_move_them(w):
    client = signed_in(w.p.secretary)
    page = client.get(reverse("members:member-edit", args=[w.member.pk]))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}

    client.post(reverse("members:member-edit", args=[w.member.pk]),
                {**data, "branch": w.d.b3.pk, "branch_id": w.d.b3.pk, "group": ""})

    w.member.refresh_from_db()
    assert w.member.branch == w.d.b1 and w.member.group == w.d.g1


@pytest.mark.parametrize("target", ["b2", "b3"])
def test_a_meeting_cannot_be_moved_into_another_branch(target, w):
    before = db_state()
    organization = getattr(w.d, target)

    for persona in (w.p.secretary, w.p.admin):
        response = signed_in(persona).post(
            reverse("activities:meeting-edit", args=[w.draft.pk]),
            meeting_form(w.draft, organization))
        assert response.status_code in (200, 400, 404)

    assert Meeting.objects.get(pk=w.draft.pk).organization == w.d.b1
    assert db_state() == before


def test_a_meeting_cannot_be_created_for_a_branch_out_of_scope(w):
    before = db_state()
    client = signed_in(w.p.secretary)

    by_code = client.post(f"{reverse('activities:meeting-create')}?org=1201",
                          meeting_form(w.draft, w.d.b3))
    by_field = client.post(reverse("activities:meeting-create"),
                           {**meeting_form(w.draft, w.d.b3), "branch_code": "1201"})
    by_pk = client.post(reverse("activities:meeting-create"), meeting_form(w.draft, w.d.b2))

    assert by_code.status_code == 404
    # The form again: the secretary's own branch is the only one, 1201/1102 are not choices.
    assert by_field.status_code == 200 and by_pk.status_code == 200
    assert db_state() == before


def test_attendance_of_members_out_of_scope_cannot_be_recorded(w):
    """Status and 列席 fields naming other branches' members are dropped, not stored."""
    stranger, far = w.b2[0], w.b3[0]
    client = signed_in(w.p.secretary)

    response = client.post(
        reverse("activities:meeting-edit", args=[w.draft.pk]),
        meeting_form(w.draft, w.d.b1, **{f"status_{stranger.pk}": "absent",
                                         f"status_{far.pk}": "leave",
                                         f"reason_{far.pk}": "出差",
                                         "observers": [stranger.pk, far.pk]}))

    assert response.status_code == 302
    recorded = set(Attendance.objects.filter(meeting=w.draft).values_list("member_id", flat=True))
    assert stranger.pk not in recorded and far.pk not in recorded
    # every member of 1101 (the apps' url_matrix builders may add some), no one else
    assert recorded == set(Member.objects.filter(branch=w.d.b1).active().values_list("pk", flat=True))


def test_another_branchs_meeting_attendance_cannot_be_edited(w):
    before = db_state()
    data = meeting_form(w.draft, w.d.b1, **{f"status_{w.b1[0].pk}": "absent"})

    for persona in (w.p.other_secretary, w.p.outsider):
        assert signed_in(persona).post(
            reverse("activities:meeting-edit", args=[w.draft.pk]), data).status_code == 404
    response = signed_in(w.p.auditor).post(
        reverse("activities:meeting-edit", args=[w.draft.pk]), data)

    assert response.status_code == 403
    assert db_state() == before


def test_an_activity_cannot_count_hours_for_members_out_of_scope(w):
    stranger = w.b2[0]
    client = signed_in(w.p.secretary)

    client.post(reverse("activities:activity-edit", args=[w.activity.pk]), {
        "organization": w.d.b1.pk, "kind": "volunteer", "date": w.activity.date.isoformat(),
        "title": w.activity.title, "participant": [w.member.pk, stranger.pk],
        f"hours_{w.member.pk}": "2", f"hours_{stranger.pk}": "8",
    })

    assert not w.activity.participations.filter(member=stranger).exists()


def test_forged_import_and_report_targets_are_out_of_scope(w):
    before = db_state()
    client = signed_in(w.p.secretary)

    upload = client.post(reverse("imports:upload", args=["members"]), {
        "organization": w.d.b3.code, "file": SimpleUploadedFile("a.png", png_bytes())})
    report = client.post(reverse("reports:report-start"), {"org": "1201", "quarter": "2026Q3"})

    assert upload.status_code == 404 and report.status_code == 404
    assert db_state() == before


def test_members_of_other_branches_stay_untouched_by_a_bulk_request(w):
    """assign-group with member ids from everywhere touches only the org's own members."""
    ids = [m.pk for m in (*w.b1, *w.b2, *w.b3)]
    groups_before = dict(Member.objects.values_list("pk", "group_id"))

    signed_in(w.p.secretary).post(reverse("members:member-assign-group"),
                                  {"org": "1101", "group": w.d.g1.pk, "member": ids})

    after = dict(Member.objects.values_list("pk", "group_id"))
    assert {pk: after[pk] for pk in ids if pk not in {m.pk for m in w.b1}} == {
        pk: groups_before[pk] for pk in ids if pk not in {m.pk for m in w.b1}}


def test_a_deleted_drafts_files_go_only_when_the_deletion_commits(w, django_capture_on_commit_callbacks):
    """A deletion rolled back (an error later in the request) keeps the rows and their files."""
    from activities import actions
    from tests.activities.conftest import record_meeting

    draft = record_meeting(w.d.b1, w.p.secretary, topic="另一草稿", day=w.draft.date)
    attachment = actions.add_attachment(draft, SimpleUploadedFile("a.png", png_bytes()),
                                        by=w.p.secretary)
    path = attachment.file.path

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.delete_draft(draft, by=w.p.secretary)

    assert os.path.exists(path)
    for callback in callbacks:
        callback()
    assert not os.path.exists(path)

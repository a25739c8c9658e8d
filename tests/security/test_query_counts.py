"""Every list and landing page issues a fixed number of queries, whatever the number of rows.

Each page is measured with 5 and then 50 rows of everything it lists (branches, members,
meetings with attendance, activities, events, audit rows): the two counts must be equal (an N+1
would add a query per row) and stay under the pinned ceiling.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from accounts.actions import grant_role
from accounts.models import audit
from activities import actions as meeting_actions
from activities.models import Attendance, Meeting
from branches.models import Organization
from core.registry import site
from members.models import MemberEvent, Transfer
from tests.factories import make_org
from tests.reports.builders import add_meeting, add_member, add_members

TODAY = datetime.date.today()
K = Meeting.Kind

# page → (persona, url name, kwargs, query, pinned ceiling: the count measured in November 2026
# plus two, so that a small feature does not break the pin but a query per row always does)
PAGES = {
    "tree": ("staff", "branches:tree", {}, {}, 11),
    "tree-children": ("staff", "branches:org-children", {"code": "1100"}, {}, 12),
    # 19 of the page, the menu's badges (reminders' unread count, community's overdue demands)
    # and the health flag of recorded committees and of overdue demands
    "org-detail": ("admin", "branches:org-detail", {"code": "1100"}, {}, 22),
    "roster": ("secretary", "members:member-list", {}, {"org": "1101"}, 16),
    # the page's own 13, plus at most one per app that links the member page (core.registry)
    "member-detail": ("secretary", "members:member-detail", "member", {}, 13),
    "meeting-list": ("secretary", "activities:meeting-list", {}, {}, 13),
    # the page's own 18, plus at most one per app's panel (core.registry meeting_panel)
    "meeting-detail": ("secretary", "activities:meeting-detail", "meeting", {}, 18),
    "secretary-home": ("secretary", "reports:secretary-home", {}, {"org": "1101"}, 21),
    "overview": ("staff", "reports:overview", {}, {"org": "1100"}, 18),
    "review-queue": ("admin", "activities:review-queue", {}, {}, 12),  # +1: the unread reminders badge
    "dashboard": ("staff", "reports:dashboard", {}, {"org": "1100"}, 22),
    "activity-list": ("secretary", "activities:activity-list", {}, {}, 11),
    "meeting-ledger": ("secretary", "activities:meeting-ledger", {},
                       {"org": "1101", "year": str(TODAY.year)}, 12),
    "audit-log": ("staff", "useradmin:audit-log", {}, {}, 11),
    "accounts": ("admin", "useradmin:account-list", {}, {}, 14),
    "transfer-list": ("admin", "members:transfer-list", {}, {}, 11),
}


def grow(s, n: int) -> None:
    """Add n of every kind of row the pages list."""
    d, p = s.d, s.p
    for _ in range(n):
        k = s.count = s.count + 1
        branch = make_org(f"19{k:03d}", f"增长第{k}党支部", Organization.Kind.BRANCH, d.c1,
                          sector="community")
        mover = add_member(branch)
        day = TODAY - datetime.timedelta(days=k % 20)
        Transfer.objects.create(member=mover, from_branch=branch, to_branch=d.b1,
                                initiated_on=day, initiated_by=p.staff)
        add_meeting(branch, day, K.THEME_DAY, topic=f"增长会议{k}")
        audit(p.staff, "test.row", organization=d.b1, target=f"记录{k}")
        grant_role(f"grow{k}", "secretary", branch)
        MemberEvent.objects.create(member=s.member, kind=MemberEvent.Kind.EDITED, date=day,
                                   to_branch=d.b1, recorded_by=p.secretary, detail={})
    members = add_members(d.b1, n)
    Attendance.objects.bulk_create(
        Attendance(meeting=s.meeting, member=m, status=Attendance.Status.PRESENT) for m in members)
    for i, member in enumerate(members):
        day = TODAY - datetime.timedelta(days=i % 20)
        add_meeting(d.b1, day, K.THEME_DAY, K.PARTY_CONGRESS, present=members[:5],
                    absent=members[5:8], topic=f"支部会议{s.count}-{i}")
        meeting_actions.save_activity(
            None, organization=d.b1, fields={"kind": "volunteer", "date": day, "title": f"活动{i}"},
            participants=[(member.pk, Decimal(2))], by=p.secretary)


@pytest.fixture
def growing(district, personas):
    state = SimpleNamespace(d=district, p=personas, count=0)
    state.member = add_member(district.b1, name="历史很长")
    state.meeting = add_meeting(district.b1, TODAY, K.PARTY_CONGRESS, topic="出席很多")
    return state


def url_of(s, name, kwargs, query):
    if kwargs == "member":
        kwargs = {"pk": s.member.pk}
    elif kwargs == "meeting":
        kwargs = {"pk": s.meeting.pk}
    return reverse(name, kwargs=kwargs), query


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_query_count_of_a_page_does_not_grow_with_its_rows(
    page, growing, django_assert_max_num_queries
):
    persona, name, kwargs, query, ceiling = PAGES[page]
    if page == "member-detail":
        ceiling += len(list(site().member_links))
    if page == "secretary-home":  # at most one per app's panel (core.registry home_panel)
        ceiling += len(list(site().home_panels))
    if page == "meeting-detail":  # at most one query per app's panel on the meeting page
        ceiling += len(list(site().meeting_panels))
    client = Client()
    client.force_login(getattr(growing.p, persona))
    url, params = url_of(growing, name, kwargs, query)

    grow(growing, 5)
    assert client.get(url, params).status_code == 200  # warm: session, content types
    with django_assert_max_num_queries(ceiling) as few:
        client.get(url, params)
    grow(growing, 45)
    with django_assert_max_num_queries(ceiling) as many:
        response = client.get(url, params)

    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"][:160] for q in many.captured_queries[len(few.captured_queries):]]

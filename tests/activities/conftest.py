"""Members on the rosters of the test district's branches, and a helper to record meetings."""
import datetime
from types import SimpleNamespace

import pandas  # noqa: F401 - imported before any test freezes time: its C extensions crash under freezegun
import pytest

from activities import actions
from activities.models import Attendance
from tests import factories

JOINED = datetime.date(2010, 7, 1)


def make_member(name, branch, *, group=None, category="full", joined=JOINED, party_post="",
                confirmed=None):
    kwargs = {"confirmed_on": confirmed} if confirmed else {}
    return factories.make_member(branch, name=name, birth=datetime.date(1980, 1, 1),
                                 joined=joined, category=category, group=group,
                                 party_post=party_post, **kwargs)


@pytest.fixture
def roster(district):
    """1101: 8 members (3 in 党小组 1101-1, one secretary); 1102: 2 members; 1201: 1 member."""
    b1 = [
        make_member(f"甲{i}", district.b1, group=district.g1 if i < 3 else None,
                    party_post="书记" if i == 0 else "")
        for i in range(8)
    ]
    b2 = [make_member(f"乙{i}", district.b2) for i in range(2)]
    b3 = [make_member("丙0", district.b3)]
    return SimpleNamespace(b1=b1, b2=b2, b3=b3)


def record_meeting(org, by, *, kinds=("party_congress",), day=datetime.date(2026, 11, 2),
                   topic="学习", absent=(), leave=(), submit=False, **fields):
    entries = [actions.AttendanceEntry(m.pk, Attendance.Status.ABSENT) for m in absent]
    entries += [actions.AttendanceEntry(m.pk, Attendance.Status.LEAVE, "出差") for m in leave]
    meeting = actions.save_meeting(
        None, organization=org, fields={"date": day, "topic": topic, **fields}, kinds=list(kinds),
        attendance=entries, by=by,
    )
    if submit:
        meeting = actions.submit_meeting(meeting, by=by)
    return meeting

"""A district on a known day (2026-11-10) with one item of each kind the portal's apps know,
and who must get what."""
import datetime

from freezegun import freeze_time

from activities import actions as meeting_actions
from activities.models import Meeting
from recruitment import actions as recruitment_actions
from tests.factories import make_member, valid_id_number
from tests.reports.builders import add_meeting, add_members

D = datetime.date
ON = D(2026, 11, 10)
K = Meeting.Kind

# (kind, org, due) each keeper must get on ON; nobody else gets anything.
BRANCH_1101 = {("meeting_overdue", "1101", "2026-10-31"),  # 党小组 1101-1 did not meet in October
               ("probation_ending", "1101", "2026-11-25"),
               ("recruitment_due", "1101", "2026-11-20")}
BRANCH_1102 = {("meeting_overdue", "1102", "2026-10-31"),  # no 主题党日 in October
               ("record_returned", "1102", "2026-11-05")}
# The upper levels' digest: their subtree's items, without those naming a person.
UPPER_1100 = {("meeting_overdue", "1101", "2026-10-31"), ("meeting_overdue", "1102", "2026-10-31"),
              ("record_returned", "1102", "2026-11-05")}
EXPECTED = {"sec1101": BRANCH_1101, "sec1102": BRANCH_1102, "admin1100": UPPER_1100,
            "staff": UPPER_1100}


def build_day(d, p):
    """Branch 1101 held its October 主题党日 but its 党小组 did not meet, has a 预备党员 whose 预备期
    ends on 11-25 and an applicant to be talked to by 11-20; 1102 held nothing in October and has
    a record returned on 11-05; 1201 is in order. Every keeper has an e-mail address."""
    for user in (p.staff, p.admin, p.secretary, p.other_secretary, p.auditor, p.outsider, p.nobody):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    add_members(d.b1, 3)
    add_members(d.b2, 2)
    add_members(d.b3, 3)
    add_meeting(d.b1, D(2026, 10, 10), K.THEME_DAY)
    add_meeting(d.b3, D(2026, 10, 10), K.THEME_DAY)
    probationary = make_member(d.b1, name="预备甲", category="probationary",
                               joined=D(2025, 11, 25))
    applicant = recruitment_actions.create_applicant(
        {"name": "申请乙", "id_number": valid_id_number(D(1998, 3, 3))}, branch=d.b1,
        applied_on=D(2026, 10, 20), by=p.staff)
    with freeze_time("2026-11-05 10:00:00+08:00"):
        returned = add_meeting(d.b2, D(2026, 11, 3), K.PARTY_CONGRESS, topic="二支部议题")
        returned = meeting_actions.return_meeting(returned, comment="请补充出席情况", by=p.admin)
    return {"probationary": probationary, "applicant": applicant, "returned": returned}


def by_user(payload) -> dict[str, set]:
    return {u["username"]: {(i["kind"], i["org"], i["due"]) for i in u["items"]}
            for u in payload["users"]}

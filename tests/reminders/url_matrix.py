"""The reminders pages in the URL matrix (tests/security/test_url_matrix.py). A reminder belongs
to its recipient alone: everyone else gets 404 for it, as for a missing one."""
import datetime
from types import SimpleNamespace

from reminders.models import Reminder
from tests.matrix import EVERYONE, OWN, OWNER, READ, Url


def _reminder(w):
    return {"pk": w.reminders.mine.pk}


MATRIX = {
    "reminders:inbox": Url({"GET": READ}, scope=EVERYONE),
    "reminders:reminder-read": Url({"POST": OWN}, _reminder, scope=OWNER,
                                   note="one's own reminder; anyone else's is 404"),
    "reminders:read-all": Url({"POST": OWN}, scope=EVERYONE),
    "reminders:preferences": Url({"GET": READ, "POST": OWN}, scope=EVERYONE,
                                 data=lambda w: {"email": "on", "digest_frequency": "weekly"},
                                 also=("PUT",)),
}


def build(w):
    today = datetime.date.today()
    mine = Reminder.objects.create(
        user=w.p.secretary, kind="meeting_overdue", organization=w.d.b1, due=today,
        text="第一社区第一党支部：本月主题党日未开", identity="matrix:1101", delivered_on=today)
    others = [Reminder.objects.create(
        user=user, kind="meeting_overdue", organization=org, due=today, text=text,
        identity=f"matrix:{org.code}", delivered_on=today)
        for user, org, text in ((w.p.other_secretary, w.d.b2, "第一社区第二党支部：二支部议题未开"),
                                (w.p.outsider, w.d.b3, "第二社区党支部：二社区议题未开"))]
    w.reminders = SimpleNamespace(mine=mine, others=others)

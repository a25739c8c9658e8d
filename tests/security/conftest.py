"""One populated district per test module, built once and rolled back at the module's end.

Every object a URL can name exists here, each belonging to branch 1101 (or its 党小组 1101-1),
with look-alikes in 1102 and 1201 whose names and topics must never leak across scopes. Each
test still runs in its own savepoint, so writes made by a test vanish before the next one.
"""
import datetime
import io
from types import SimpleNamespace

import pandas  # noqa: F401 - imported before any test freezes time (see tests/activities/conftest.py)
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from PIL import Image

from activities import actions as meeting_actions
from branches.models import Organization
from core.quarters import Quarter
from imports.models import ImportBatch
from imports.services import plan_batch
from members import actions as member_actions
from reports import actions as report_actions
from tests.activities.conftest import record_meeting
from tests.factories import build_district, build_personas, make_member, make_org
from tests.matrix import contributed_builders
from tests.members.builders import person, rows_for, xlsx_bytes

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TODAY = datetime.date.today()

# Words that identify each scope's data on a page. A page shown to 1101's secretary must not
# contain the 1102 or 1201 words; a page shown to 1200's admin must contain none of 1100's.
SHOWN = {
    "1101": {"member": "赵一支", "meeting": "一支部议题", "activity": "一支部志愿"},
    "1102": {"member": "李二支", "meeting": "二支部议题", "activity": "二支部志愿"},
    "1201": {"member": "周二社", "meeting": "二社区议题", "activity": "二社区志愿"},
}
WORDS = {
    "1101": [*SHOWN["1101"].values(), "钱一支", "孙一支", "一支部草稿", "第一党小组议题",
             "第一社区第一党支部"],
    "1102": [*SHOWN["1102"].values(), "第一社区第二党支部"],
    "1201": [*SHOWN["1201"].values(), "第二社区党支部"],
}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def build_world(media_root) -> SimpleNamespace:
    d = build_district()
    p = build_personas(d)
    d.b4 = make_org("1103", "第一社区第三党支部", Organization.Kind.BRANCH, d.c1, sector="community")
    b1 = [make_member(d.b1, name=name, group=d.g1 if i == 0 else None)
          for i, name in enumerate(("赵一支", "钱一支", "孙一支"))]
    mover = make_member(d.b1, name="吴转出")
    b2 = [make_member(d.b2, name="李二支")]
    b3 = [make_member(d.b3, name="周二社")]
    day = TODAY
    submitted = record_meeting(d.b1, p.secretary, topic="一支部议题", day=day, submit=True,
                               absent=[b1[1]])
    draft = record_meeting(d.b1, p.secretary, topic="一支部草稿", day=day)
    group_meeting = record_meeting(d.g1, p.secretary, kinds=("group_meeting",),
                                   topic="第一党小组议题", day=day, submit=True)
    other = record_meeting(d.b2, p.other_secretary, topic="二支部议题", day=day, submit=True)
    far = record_meeting(d.b3, p.outsider, topic="二社区议题", day=day, submit=True)
    attachment = meeting_actions.add_attachment(
        draft, SimpleUploadedFile("签到表.png", png_bytes()), by=p.secretary)
    activities = {
        code: meeting_actions.save_activity(
            None, organization=org, fields={"kind": "volunteer", "date": day,
                                            "title": f"{SHOWN[code]['activity']}服务"},
            participants=[(members[0].pk, 2)], by=p.staff)
        for code, org, members in (("1101", d.b1, b1), ("1102", d.b2, b2), ("1201", d.b3, b3))
    }
    exemption = report_actions.add_exemption(
        d.b1, quarter=Quarter.current(), key="theme_day", reason="一支部豁免原因", by=p.staff)
    transfer = member_actions.transfer_out(mover, d.b4, on=day, by=p.secretary)
    report = report_actions.request_report(d.c1, Quarter.current().previous(), by=p.admin,
                                           enqueue=False)
    report = report_actions.run_report(report.pk)
    roster = xlsx_bytes(rows_for([
        person(b1[0].id_number, "赵一支", branch="1101"),
        person("11010119800101001X", "错号码", branch="1101"),
    ]))
    batch = ImportBatch.objects.create(
        owner=p.secretary, kind="members", organization=d.b1,
        file=ContentFile(roster, name="roster.xlsx"), original_name="花名册.xlsx",
    )
    batch = plan_batch(batch)
    world = SimpleNamespace(
        d=d, p=p, b1=b1, b2=b2, b3=b3, mover=mover, member=b1[0], submitted=submitted,
        draft=draft, group_meeting=group_meeting, other=other, far=far, attachment=attachment, activity=activities["1101"],
        activities=activities, exemption=exemption, transfer=transfer, report=report,
        batch=batch, media=media_root,
    )
    for build in contributed_builders():  # each app's objects (tests/<app>/url_matrix.py)
        build(world)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The populated district, inside a transaction that is rolled back after the module."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER,
                                                        MEDIA_ROOT=media):
        from portal.celery import app

        app.conf.task_always_eager = True
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world(media)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            app.conf.task_always_eager = False


@pytest.fixture
def w(world, db, settings):
    """The module's world for one test: its files stay where the world put them."""
    settings.MEDIA_ROOT = world.media
    return world


def user_of(world, persona):
    return None if persona == "anonymous" else getattr(world.p, persona)

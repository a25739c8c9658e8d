"""An ID number registered elsewhere is no oracle: outside the caller's scope the answer is the one
sentence any clash gets (no branch, not even "a party member"), and every such lookup is audited."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog
from members import actions
from members.actions import ID_CLASH, ID_TAKEN
from tests.members.builders import person, rows_for, xlsx_bytes
from tests.members.conftest import make_member, plan_bytes, valid_id_number

FAR = "第二社区党支部"  # 1201, outside the 1101 secretary's scope


def form_data(id_number: str) -> dict:
    return {"name": "王试探", "id_number": id_number, "category": "full",
            "joined_on": "2010-07-01", "confirmed_on": "2011-07-01"}


def test_registering_an_id_of_another_scope_names_no_branch_and_is_audited(district, personas):
    elsewhere = make_member(district.b3, name="外支部")
    client = Client()
    client.force_login(personas.secretary)

    response = client.post(reverse("members:member-create") + "?org=1101",
                           form_data(elsewhere.id_number))

    page = response.content.decode()
    assert response.status_code == 200 and FAR not in page and ID_TAKEN in page
    entry = AuditLog.objects.filter(action=ID_CLASH).first()
    assert entry.actor == personas.secretary and entry.organization == district.b1
    assert entry.detail["named"] == 0 and elsewhere.id_number not in str(entry.detail)


def test_an_unknown_clash_and_a_foreign_member_read_the_same(district, personas):
    elsewhere = make_member(district.b3, name="外支部")
    near = make_member(district.b1, name="本支部")
    with pytest.raises(ValidationError) as foreign:
        actions.create_member(form_data(elsewhere.id_number), branch=district.b1,
                              by=personas.secretary)
    with pytest.raises(ValidationError) as corrected:
        actions.update_member(near, {"id_number": elsewhere.id_number}, by=personas.secretary)

    assert foreign.value.message_dict["id_number"] == [ID_TAKEN]
    assert corrected.value.message_dict["id_number"] == [ID_TAKEN]
    assert AuditLog.objects.filter(action=ID_CLASH).count() == 2


def test_inside_the_scope_the_branch_is_named(district, personas):
    sibling = make_member(district.b2, name="二支部")
    with pytest.raises(ValidationError) as named:
        actions.create_member(form_data(sibling.id_number), branch=district.b1, by=personas.admin)
    assert "第一社区第二党支部" in named.value.message_dict["id_number"][0]
    assert AuditLog.objects.filter(action=ID_CLASH).first().detail["named"] == 1


def test_an_import_names_no_branch_outside_the_scope_and_audits_the_lookups(district, personas):
    elsewhere = make_member(district.b3, name="外支部")
    fresh = valid_id_number(datetime.date(1985, 3, 4))
    data = xlsx_bytes(rows_for([person(elsewhere.id_number, name="外支部"), person(fresh)]))

    _, plan = plan_bytes(data, district.b1, user=personas.secretary)

    [error] = plan.errors
    assert error.message == ID_TAKEN and FAR not in error.message
    entry = AuditLog.objects.filter(action=ID_CLASH).first()
    assert entry.organization == district.b1 and entry.detail["count"] == 1

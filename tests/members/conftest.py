import datetime
import io

import pytest

from imports.base import apply_plan, plan_file
from members.importer import MemberImporter
from members.models import Member, Membership
from tests.factories import valid_id_number


def make_member(branch, *, name="李四", birth=datetime.date(1980, 5, 1), male=True,
                joined=datetime.date(2005, 7, 1), category=Member.Category.FULL, **fields):
    """A member counted in `branch` since joining, as an import would leave them."""
    member = Member.objects.create(
        name=name, id_number=valid_id_number(birth, male), sex="男" if male else "女",
        birth_date=birth, joined_on=joined, category=category,
        confirmed_on=fields.pop("confirmed_on", joined.replace(year=joined.year + 1)
                                if category == Member.Category.FULL else None),
        branch=branch, **fields,
    )
    Membership.objects.create(member=member, branch=branch, started_on=joined)
    return member


def plan_bytes(data: bytes, org, filename="roster.xlsx", user=None):
    importer = MemberImporter(organization=org, user=user)
    return importer, plan_file(importer, io.BytesIO(data), filename)


def run_import(data: bytes, org, filename="roster.xlsx", *, skip_invalid=False, user=None):
    importer, plan = plan_bytes(data, org, filename, user)
    return plan, apply_plan(importer, plan, skip_invalid=skip_invalid)


@pytest.fixture
def new_id():
    return lambda birth=datetime.date(1985, 3, 4), male=True: valid_id_number(birth, male)

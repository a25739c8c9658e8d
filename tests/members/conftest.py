import datetime
import io

import pytest

from core.importing import apply_plan, plan_file
from members.importer import MemberImporter
from tests.factories import make_member, valid_id_number  # noqa: F401 - used by the tests


def plan_bytes(data: bytes, org, filename="roster.xlsx", user=None):
    importer = MemberImporter(organization=org, user=user)
    return importer, plan_file(importer, io.BytesIO(data), filename)


def run_import(data: bytes, org, filename="roster.xlsx", *, skip_invalid=False, user=None):
    importer, plan = plan_bytes(data, org, filename, user)
    return plan, apply_plan(importer, plan, skip_invalid=skip_invalid)


@pytest.fixture
def new_id():
    return lambda birth=datetime.date(1985, 3, 4), male=True: valid_id_number(birth, male)

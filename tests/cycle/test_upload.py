"""The cycle's files through the shared upload page: the evaluation file names its year in a
column, and the page shows the same refusals as the command."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cycle.models import Committee, Evaluation
from imports.models import ImportBatch
from tests.factories import make_member
from tests.members.builders import xlsx_bytes

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year - 1


def upload(client, user, org, kind, rows):
    client.force_login(user)
    client.post(reverse("imports:upload", args=[kind]), {
        "organization": org.code, "file": SimpleUploadedFile("表.xlsx", xlsx_bytes(rows))})
    return ImportBatch.objects.latest("created_at")


def test_a_secretary_uploads_ratings_with_their_year_and_sees_the_limit(client, district, personas):
    people = [make_member(district.b1, name=f"党员{i}") for i in range(3)]
    header = ["姓名", "公民身份号码", "评议结果", "处理意见", "理由", "评议年度"]
    rows = [header] + [[p.name, p.id_number, "优秀", None, None, YEAR] for p in people[:2]] + [
        [people[2].name, people[2].id_number, "合格", None, None, YEAR]]
    batch = upload(client, personas.secretary, district.b1, "evaluations", rows)

    errors = [e for r in batch.plan["rows"] for e in r["errors"]]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "评议结果")]
    assert "优秀最多 1 人" in errors[0]["message"]
    page = client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "优秀最多 1 人" in page
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    assert not Evaluation.objects.exists()

    rows[2][2] = "合格"
    batch = upload(client, personas.secretary, district.b1, "evaluations", rows)
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    assert Evaluation.objects.filter(year=YEAR).count() == 3


def test_an_upper_level_uploads_committees(client, district, personas):
    rows = [["组织编码", "选举日期", "届期（年）", "书记"], ["1100", "2023-04-01", None, "甲"]]
    batch = upload(client, personas.admin, district.c1, "committees", rows)
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    assert Committee.objects.get().organization == district.c1

"""Full ID numbers (公民身份号码) appear only where the rule allows, and each such view is logged.

The rule: pages, searches, prints, workbooks and logs show IDs masked (110101********123X). The
full number is shown on a member's page after an explicit reveal (POST, audited), and in the
roster export for roles that may change the organization (audited). An import's error workbook
returns to its uploader alone the rows of their own file, so that they can fix and re-upload it:
it may hold the IDs that file held, and no other. The audit trail itself cannot be changed.
"""
from __future__ import annotations

import datetime
import io
import logging
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog
from imports.models import ImportBatch
from members import actions as member_actions
from members.models import Member
from tabular.values import id_check_char
from tests.factories import valid_id_number
from tests.members.builders import person, rows_for, xlsx_bytes
from tests.security.test_url_matrix import EVERYONE, LIST_PAGES, MATRIX, READ, page_text

# An ID number stands alone: not the digits inside a longer token (a form's hex token once held
# eighteen digits in a row, and the page "showed an ID").
FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
FULL_EXPORT_ROLES = {"staff", "admin", "secretary"}  # may change 1101: full export, audited
FULL_EXPORTS = {"members:member-export": "member.export",
                "members:official-export": "member.export_official",
                "recruitment:export": "recruitment.export"}  # url → its audit action


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scannable(response) -> str:
    kind = response.get("Content-Type", "")
    if kind.startswith(("text/", "application/json", "application/vnd.openxmlformats")):
        return page_text(response)
    return ""  # an image attachment: the file the secretary uploaded, not a page


def full_ids(text: str) -> set[str]:
    return set(FULL_ID.findall(text))


def unused_id(birth) -> str:
    """A valid ID number nobody holds (the factory's sequence wraps after 500)."""
    while True:
        candidate = valid_id_number(birth)
        if not Member.objects.filter(id_number=candidate).exists():
            return candidate


@pytest.fixture
def corrected(w):
    """An ID number corrected by the secretary: the history records that it changed."""
    member = w.b1[1]
    new = unused_id(member.birth_date)
    member_actions.update_member(member, {"id_number": new}, by=w.p.secretary)
    return member


GETS = [
    pytest.param(name, persona, id=f"{name}-{persona}")
    for name, spec in MATRIX.items() if spec.methods.get("GET") == READ
    for persona in sorted(EVERYONE)
]


@pytest.mark.parametrize("name, persona", GETS)
def test_no_page_shows_a_full_id_number(name, persona, w, corrected):
    spec = MATRIX[name]
    client = signed_in(getattr(w.p, persona))
    url = reverse(name, kwargs=spec.kwargs(w))
    log_rows = AuditLog.objects.count()

    response = client.get(url, spec.query(w))
    found = full_ids(scannable(response))

    if name in FULL_EXPORTS and persona in FULL_EXPORT_ROLES:
        assert found, "the full export holds the IDs"
        assert AuditLog.objects.count() == log_rows + 1
        assert AuditLog.objects.first().action == FULL_EXPORTS[name]
    elif name == "imports:batch-errors" and response.status_code == 200:
        uploaded = full_ids(page_text_of_file(w.batch))
        assert found <= uploaded
    else:
        assert not found


MASKED_ID = re.compile(r"(\d{6})\*{8}(\d{3}[\dX])")
DATE = re.compile(r"((?:19|20)\d\d)[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})")


def rebuilt_ids(text: str) -> set[str]:
    """Full ID numbers put back together from a masked number and any full date on the same page,
    as an outsider would try: keep those the check digit accepts and the portal holds."""
    masks = set(MASKED_ID.findall(text))
    dates = {f"{y}{int(m):02d}{int(d):02d}" for y, m, d in DATE.findall(text)
             if 1 <= int(m) <= 12 and 1 <= int(d) <= 31}
    guesses = {head + day + tail for head, tail in masks for day in dates}
    valid = {g for g in guesses if id_check_char(g[:17]) == g[17]}
    return valid & set(Member.objects.values_list("id_number", flat=True))


@pytest.mark.parametrize("name, persona", GETS)
def test_no_masked_page_or_export_gives_the_number_back(name, persona, w):
    """The mask hides the eight birth-date digits: no page shows the full birth date beside it."""
    spec = MATRIX[name]
    response = signed_in(getattr(w.p, persona)).get(reverse(name, kwargs=spec.kwargs(w)),
                                                     spec.query(w))
    if (name in FULL_EXPORTS and persona in FULL_EXPORT_ROLES) or name == "imports:batch-errors":
        return  # the audited full export; the uploader's own rows, given back to fix them
    assert not rebuilt_ids(scannable(response))


def test_the_masked_views_show_the_birth_year_only(w):
    member = w.member
    for persona in ("secretary", "auditor"):
        page = signed_in(getattr(w.p, persona)).get(
            reverse("members:member-detail", args=[member.pk])).content.decode()
        assert member.masked_id_number in page and f"{member.birth_date.year}年" in page
        assert not rebuilt_ids(page)
    masked = signed_in(w.p.auditor).get(reverse("members:member-export"), {"org": "1101"})
    official = signed_in(w.p.auditor).get(reverse("members:official-export"), {"org": "1101"})
    assert member.masked_id_number in page_text(masked)
    assert not rebuilt_ids(page_text(masked)) and not rebuilt_ids(page_text(official))
    revealed = signed_in(w.p.secretary).post(reverse("members:member-reveal-id", args=[member.pk]))
    assert member.birth_date.isoformat() in revealed.content.decode()  # after the logged reveal


def test_the_edit_form_does_not_show_the_birth_date_and_keeps_it(w):
    client = signed_in(w.p.secretary)
    url = reverse("members:member-edit", args=[w.member.pk])
    page = client.get(url)
    assert not rebuilt_ids(page.content.decode())
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}

    response = client.post(url, {**data, "phone": "13800000000"})

    w.member.refresh_from_db()
    assert response.status_code == 302 and w.member.phone == "13800000000"
    assert w.member.birth_date == datetime.date(1980, 5, 1)


def page_text_of_file(batch: ImportBatch) -> str:
    with batch.file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    return "\n".join(str(c) for s in book.worksheets for r in s.iter_rows(values_only=True)
                     for c in r if c is not None)


@pytest.mark.parametrize("persona", sorted(EVERYONE))
@pytest.mark.parametrize("name, params", [
    *LIST_PAGES,
    ("members:member-list", {"q": "0000"}),
    ("members:member-list", {"org": "1101", "status": "all", "sort": "-joined"}),
    ("activities:meeting-list", {"org": "1101"}),
])
def test_no_list_or_search_shows_a_full_id_number(name, params, persona, w, corrected):
    client = signed_in(getattr(w.p, persona))
    params = dict(params)
    member = w.member
    if params.get("q") == "0000":
        params["q"] = member.id_number[-6:]  # a search by the end of the number
    kwargs = {"kind": params.pop("kind")} if "kind" in params else {}

    response = client.get(reverse(name, kwargs=kwargs), params)

    assert not full_ids(scannable(response))


def test_the_member_page_shows_the_full_number_only_after_a_logged_reveal(w):
    client = signed_in(w.p.secretary)
    page = client.get(reverse("members:member-detail", args=[w.member.pk])).content.decode()
    assert w.member.id_number not in page and w.member.masked_id_number in page
    before = AuditLog.objects.filter(action="member.reveal_id").count()

    revealed = client.post(reverse("members:member-reveal-id", args=[w.member.pk]))

    assert revealed.status_code == 200
    assert full_ids(revealed.content.decode()) == {w.member.id_number}
    entry = AuditLog.objects.filter(action="member.reveal_id").first()
    assert AuditLog.objects.filter(action="member.reveal_id").count() == before + 1
    assert entry.actor == w.p.secretary and entry.detail["member_id"] == w.member.pk
    assert w.member.id_number not in entry.target


def test_the_auditor_cannot_reveal_and_leaves_no_reveal_record(w):
    before = AuditLog.objects.filter(action="member.reveal_id").count()

    response = signed_in(w.p.auditor).post(
        reverse("members:member-reveal-id", args=[w.member.pk]))

    assert response.status_code == 403
    assert not full_ids(response.content.decode())
    assert AuditLog.objects.filter(action="member.reveal_id").count() == before


def test_the_full_export_is_audited_and_the_auditors_is_masked(w):
    full = signed_in(w.p.secretary).get(reverse("members:member-export"), {"org": "1101"})
    full_entry = AuditLog.objects.filter(action="member.export").first()
    masked = signed_in(w.p.auditor).get(reverse("members:member-export"), {"org": "1101"})
    masked_entry = AuditLog.objects.filter(action="member.export").first()

    # every member on 1101's roster (the apps' url_matrix builders may add some)
    assert full_ids(page_text(full)) == set(
        Member.objects.filter(branch=w.d.b1).on_roster().values_list("id_number", flat=True))
    assert full_entry.actor == w.p.secretary and full_entry.detail["masked"] is False
    assert not full_ids(page_text(masked))
    assert w.member.masked_id_number in page_text(masked)
    assert masked_entry.actor == w.p.auditor and masked_entry.detail["masked"] is True


def test_the_member_form_does_not_show_the_full_number(w):
    """Opening the edit form is not a reveal: the number stays masked unless it is retyped."""
    client = signed_in(w.p.secretary)
    url = reverse("members:member-edit", args=[w.member.pk])
    original = w.member.id_number
    page = client.get(url)

    assert not full_ids(page.content.decode())
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = client.post(url, {**data, "name": "赵一支改"})

    w.member.refresh_from_db()
    assert response.status_code == 302
    assert w.member.name == "赵一支改" and w.member.id_number == original


def test_a_corrected_id_number_shows_masked_in_the_history(w, corrected):
    for persona in ("secretary", "auditor"):
        page = signed_in(getattr(w.p, persona)).get(
            reverse("members:member-detail", args=[corrected.pk])).content.decode()
        assert "公民身份号码" in page
        assert not full_ids(page)
    entry = AuditLog.objects.filter(action="member.edited").first()
    assert not full_ids(str(entry.detail))


def test_an_import_logs_no_full_id_number(w, caplog):
    new_people = [person(unused_id(w.member.birth_date), f"新人{i}") for i in range(3)]
    bad = person(w.b2[0].id_number, "李二支")  # registered in 1102: an error naming the branch
    data = xlsx_bytes(rows_for([*new_people, bad]))
    client = signed_in(w.p.secretary)
    caplog.set_level(logging.DEBUG)

    upload = client.post(reverse("imports:upload", args=["members"]), {
        "organization": w.d.b1.code, "skip_invalid": "on",
        "file": SimpleUploadedFile("花名册.xlsx", data)})
    batch = ImportBatch.objects.owned_by(w.p.secretary).first()
    preview = client.get(reverse("imports:batch-detail", args=[batch.pk]))
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    errors = client.get(reverse("imports:batch-errors", args=[batch.pk]))

    assert upload.status_code == 302 and ImportBatch.objects.get(pk=batch.pk).status == "done"
    logged = "\n".join(r.getMessage() + str(r.args or "") + (r.exc_text or "")
                       for r in caplog.records)
    assert not full_ids(logged)
    assert not full_ids(preview.content.decode())
    assert full_ids(page_text(errors)) <= {p["公民身份号码"] for p in [bad]}
    assert "李二支" in page_text(errors)


def test_the_reports_participation_sheet_masks_ids(w):
    response = signed_in(w.p.admin).get(reverse("reports:report-workbook", args=[w.report.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["参与情况"]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]

    assert w.member.masked_id_number in cells
    assert not full_ids("\n".join(cells))


# ------------------------------------------------------------------------ the audit trail itself

def test_audit_records_cannot_be_changed_or_deleted_through_the_orm(w):
    entry = AuditLog.objects.first()

    entry.target = "改过"
    attempts = [
        lambda: AuditLog.objects.filter(pk=entry.pk).update(target="x"),
        lambda: AuditLog.objects.filter(pk=entry.pk).delete(),
        lambda: AuditLog.objects.bulk_update([entry], ["target"]),
        entry.save,
        entry.delete,
    ]
    for attempt in attempts:
        with pytest.raises(PermissionError), transaction.atomic():
            attempt()
    assert AuditLog.objects.get(pk=entry.pk).target != "改过"


def test_audit_records_cannot_be_changed_or_deleted_in_the_admin(w):
    root = get_user_model().objects.create_superuser("root", password="Root-pass-2026-x")
    client = signed_in(root)
    entry = AuditLog.objects.first()
    count = AuditLog.objects.count()
    change = reverse("admin:accounts_auditlog_change", args=[entry.pk])

    page = client.get(change)
    posted = client.post(change, {"target": "改过", "action": "x"})
    deleted = client.post(reverse("admin:accounts_auditlog_delete", args=[entry.pk]), {"post": "yes"})
    bulk = client.post(reverse("admin:accounts_auditlog_changelist"),
                       {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    added = client.get(reverse("admin:accounts_auditlog_add"))

    assert page.status_code == 200 and "<input type=\"submit\"" not in page.content.decode()
    assert posted.status_code == 403 and deleted.status_code == 403 and added.status_code == 403
    assert bulk.status_code in (200, 302)
    assert AuditLog.objects.count() == count
    assert AuditLog.objects.get(pk=entry.pk).target == entry.target


def test_no_portal_url_writes_to_the_audit_trail_directly():
    """Every audit row comes from an action; the one page on the trail only reads it."""
    assert MATRIX["useradmin:audit-log"].methods == {"GET": READ}


def test_bulk_changes_and_imports_leave_audit_records(w):
    from members.models import MemberEvent

    client = signed_in(w.p.secretary)
    moved = [w.b1[1], w.b1[2]]
    client.post(reverse("members:member-assign-group"),
                {"org": "1101", "group": w.d.g1.pk, "member": [m.pk for m in moved]})
    grouped = AuditLog.objects.filter(action="member.group_assigned").first()
    people = [person(unused_id(w.member.birth_date), f"导入{i}") for i in range(2)]
    client.post(reverse("imports:upload", args=["members"]), {
        "organization": w.d.b1.code, "file": SimpleUploadedFile("r.xlsx", xlsx_bytes(rows_for(people)))})
    batch = ImportBatch.objects.owned_by(w.p.secretary).first()
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    imported = AuditLog.objects.filter(action="member.import").first()

    assert grouped.actor == w.p.secretary and grouped.detail["count"] == 2
    assert MemberEvent.objects.filter(kind=MemberEvent.Kind.GROUP_ASSIGNED,
                                      member__in=moved).count() == 2
    assert imported.actor == w.p.secretary and imported.organization == w.d.b1
    assert imported.detail["created"] == 2
    assert not full_ids(str(imported.detail) + imported.target + str(grouped.detail))


def test_reveals_and_exports_are_never_cached(w):
    client = signed_in(w.p.secretary)
    responses = [
        client.post(reverse("members:member-reveal-id", args=[w.member.pk])),
        client.get(reverse("members:member-export"), {"org": "1101"}),
        client.get(reverse("members:official-export"), {"org": "1101"}),
        client.get(reverse("members:member-detail", args=[w.member.pk])),
    ]
    for response in responses:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_a_full_id_number_is_never_put_in_a_search_url(w):
    client = signed_in(w.p.secretary)
    page = client.get(reverse("members:member-list"), {"org": "1101"}).content.decode()
    box = re.search(r'<input[^>]*name="q"[^>]*>', page).group(0)
    assert 'maxlength="17"' in box  # the box cannot hold a full number

    typed = client.get(reverse("members:member-list"), {"org": "1101", "q": w.member.id_number})

    assert typed.status_code == 200 and not full_ids(typed.content.decode())
    assert "请勿输入完整的公民身份号码" in typed.content.decode()

"""Users read Chinese, never code names: every audit event has a registered Chinese name, and the
audit pages show those names."""
import ast
import importlib.util
import re
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import audit
from core.registry import site

ROOT = Path(__file__).resolve().parents[2]
EVENT = re.compile(r"(member|meeting|org|report|rule|exemption|activity|attachment|demo|role|"
                   r"account|api|recruitment)\.[a-z_]+")


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def event_names_in_the_code() -> set[str]:
    """Every string in the apps' code that looks like an audit event name (not a module)."""
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("tests", "bench", ".venv", "portal") or "migrations" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        fields = {id(k.value) for k in ast.walk(tree) if isinstance(k, ast.keyword)
                  and k.arg == "source"}  # a serializer's attribute path, not an event
        for node in ast.walk(tree):
            if id(node) not in fields and isinstance(node, ast.Constant) and isinstance(node.value, str) and EVENT.fullmatch(
                    node.value) and not _is_module(node.value):
                names.add(node.value)
    return names


def test_every_audit_event_has_a_chinese_name():
    from members.models import MemberEvent

    found = event_names_in_the_code()
    assert {"meeting.attach", "member.reveal_id", "account.create"} <= found
    labels = site().audit_labels
    missing = sorted(name for name in found | {f"member.{k}" for k in MemberEvent.Kind.values}
                     if name not in labels)
    assert not missing, f"register a Chinese name (site.audit_actions) for: {missing}"
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels.values())


@pytest.mark.django_db
def test_the_audit_log_shows_chinese_names_not_codes(client, personas, district):
    audit(personas.secretary, "meeting.attach", organization=district.b1, target="签到表.png")
    audit(personas.secretary, "member.transfer_out", organization=district.b1, target="张三")
    client.force_login(personas.staff)

    page = client.get(reverse("useradmin:audit-log")).content.decode()

    assert "上传会议附件" in page and "党员组织关系转出" in page
    assert ">meeting.attach<" not in page and "member.transfer_out<" not in page


CJK = re.compile(r"[\u4e00-\u9fff]")
PORTAL_APPS = {"accounts", "branches", "imports", "members", "activities", "reports", "stats",
               "recruitment", "useradmin", "api"}


def test_django_password_rules_speak_chinese():
    from django.contrib.auth.password_validation import (
        password_validators_help_texts,
        validate_password,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password("12345678")
    assert refused.value.messages[0] == "密码太短，至少需要 10 个字符。"
    assert all(CJK.search(text) for text in refused.value.messages)
    assert all(CJK.search(text) for text in password_validators_help_texts())


@pytest.mark.django_db
def test_unique_messages_name_the_field_and_the_model_in_chinese(district):
    from django.core.exceptions import ValidationError

    from branches.models import Organization

    duplicate = Organization(code="1101", name="重复", kind=Organization.Kind.BRANCH)
    with pytest.raises(ValidationError) as refused:
        duplicate.validate_unique()
    assert refused.value.messages == ["已有组织编码相同的党组织。"]


def test_models_and_the_fields_of_unique_rules_have_chinese_names():
    from django.apps import apps

    unnamed = []
    for model in apps.get_models():
        if model._meta.app_label not in PORTAL_APPS:
            continue
        if not CJK.search(str(model._meta.verbose_name)):
            unnamed.append(model._meta.label)
        fields = {f.name for f in model._meta.fields if f.unique and not f.primary_key}
        fields |= {n for c in model._meta.total_unique_constraints for n in c.fields}
        unnamed += [f"{model._meta.label}.{name}" for name in sorted(fields)
                    if not CJK.search(str(model._meta.get_field(name).verbose_name))]
    assert not unnamed


def test_an_empty_choice_reads_in_chinese():
    from django import forms

    from accounts.models import Role

    class Pick(forms.Form):
        role = forms.ModelChoiceField(Role.objects.none(), required=False)
        kind = forms.TypedChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)

    html = str(Pick())
    assert "---------" not in html and html.count(">请选择<") == 2


@pytest.mark.django_db
def test_form_pages_show_no_dashes(client, personas, district):
    client.force_login(personas.staff)
    for url in (reverse("members:member-create") + "?org=1101",
                reverse("activities:meeting-create") + "?org=1101",
                reverse("reports:exemption-list"), reverse("useradmin:account-create")):
        page = client.get(url).content.decode()
        assert "---------" not in page, url


def test_an_import_summary_is_chinese():
    from core.importing import ImportResult

    assert ImportResult(created=1, unchanged=2).summary() == "新增 1 条，更新 0 条，2 条无变化。"

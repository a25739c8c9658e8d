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

"""The day's e-mail to one user, in plain Chinese text: their own items, then the digest of their
subtree (counts per kind and the oldest items). Written once, stored on the `Mail` row, so a
send retried after a crash sends the same letter."""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse

SUBJECT = "【基层党建台账】{on} 待办提醒"


def letter(recipient, on, labels: dict[str, str]) -> tuple[str, str]:
    """(subject, body) of the e-mail announcing `recipient.items` on `on`."""
    user = recipient.user
    name = user.get_full_name() or user.get_username()
    own = [e for e in recipient.items if not e.digest]
    digest = [e for e in recipient.items if e.digest]
    lines = [f"{name}，您好：", ""]
    if own:
        lines.append(f"截至 {on:%Y年%m月%d日}，您负责的党组织有以下事项需要办理：")
        lines += _grouped(own, labels)
    if recipient.counts and digest:
        lines.append("所辖下级党组织的待办事项（按类型计数，列出最早的几项；涉及个人的事项只计数）：")
        for kind, count in recipient.counts.items():
            lines.append(f"  {labels.get(kind, kind)}：{count} 项")
        lines.append("")
        lines += _grouped(digest, labels)
    base = getattr(settings, "PORTAL_URL", "").rstrip("/")
    lines += [f"请登录基层党建台账查看和办理：{base}{reverse('reminders:inbox')}", "",
              "本邮件由系统每日自动发送，每人每天至多一封；可在“提醒设置”中关闭邮件或改为每周汇总。",
              "系统只提醒到期和逾期的事项，不排名、不计分、不统计在线时长。"]
    return SUBJECT.format(on=f"{on:%Y-%m-%d}"), "\n".join(lines)


def short_message(recipient, on) -> str:
    """The SMS: how many new items, never their text (a phone screen is not private)."""
    return (f"【基层党建台账】{on:%m月%d日}您有 {len(recipient.items)} 项新的待办提醒，"
            "请登录门户“提醒”页查看。")


def _grouped(entries, labels) -> list[str]:
    lines = []
    kinds = []
    for entry in entries:
        if entry.item.kind not in kinds:
            kinds.append(entry.item.kind)
    for kind in kinds:
        lines.append(f"【{labels.get(kind, kind)}】")
        for entry in entries:
            if entry.item.kind == kind:
                lines.append(f"  · {entry.item.text}（{entry.org_name}，期限 {entry.item.due:%Y-%m-%d}）")
        lines.append("")
    return lines

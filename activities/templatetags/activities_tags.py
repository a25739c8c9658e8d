from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from activities.sanitize import render_minutes

register = template.Library()


@register.filter
def safe_minutes(value):
    """Minutes rendered through the allow-list sanitizer (never trusted as stored)."""
    return mark_safe(render_minutes(value))  # noqa: S308 - sanitized on the line above


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("activities/_study_hours.html")
def study_hours_card(member, year=None):
    """{% study_hours_card member %}: the member's 学时 this year (or `year`) against the target."""
    from django.utils import timezone

    from activities.studyhours import study_hours_for

    return {"study_hours": study_hours_for(member, year or timezone.localdate().year)}


STATUS_BADGES = {"draft": ("", "草稿"), "returned": ("badge-bad", "退回修改")}


@register.simple_tag
def status_badge(meeting):
    """{% status_badge meeting %}: 草稿 / 退回修改 / 已审核 / 已提交 (a tag rather than an
    include: the meeting list shows one per row)."""
    css, label = STATUS_BADGES.get(meeting.status) or (
        ("badge-ok", "已审核") if meeting.reviewed_at else ("badge-warn", "已提交"))
    return format_html('<span class="{}">{}</span>', f"badge {css}".strip(), label)

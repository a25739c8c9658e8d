from django import template
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

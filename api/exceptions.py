"""Errors as one shape, in Chinese: `{"detail": "一句话", "errors": {"字段名": ["……"]}}`.

The portal's own refusals become HTTP answers here, so every endpoint (and every app's viewset,
through REST_FRAMEWORK's EXCEPTION_HANDLER) answers the same way: a Django ValidationError from
an action is 400 with its fields, an action refused in the record's current state is 400, a
rejected upload is 400 on `file`; Http404 / PermissionDenied are 404 / 403 (Django's English
"No … matches the given query" becomes 未找到).
"""
from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler

from activities.attachments import AttachmentRejected
from core.errors import ActionRefused

GENERAL = "non_field_errors"


def _chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _as_api_error(exc):
    if isinstance(exc, Http404):
        # get_object_or_404 says "No Organization matches…": keep only our own sentences.
        message = str(exc)
        return exceptions.NotFound(message if _chinese(message) else None)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError({
                (GENERAL if name == NON_FIELD_ERRORS else name): messages
                for name, messages in exc.message_dict.items()
            })
        return exceptions.ValidationError({GENERAL: exc.messages})
    if isinstance(exc, ActionRefused):
        return exceptions.ValidationError({GENERAL: [exc.message]})
    if isinstance(exc, AttachmentRejected):
        return exceptions.ValidationError({"file": [str(exc)]})
    return exc


def _labels(view) -> dict[str, str]:
    """Field name → its Chinese label, from the view's serializer when it has one."""
    try:
        fields = view.get_serializer().fields
    except Exception:  # a view without a serializer, or one that needs more context
        return {}
    return {name: str(field.label) for name, field in fields.items() if field.label}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}：{text}" for key, inner in value.items() for text in _messages(inner)]
    if isinstance(value, list):
        return [text for item in value for text in _messages(item)]
    return [str(value)]


def handler(exc, context):
    exc = _as_api_error(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {GENERAL: response.data}
        labels = _labels(context.get("view"))
        parts = []
        for name, value in errors.items():
            prefix = "" if name == GENERAL else f"{labels.get(name, name)}："
            parts += [prefix + text for text in _messages(value)]
        response.data = {"detail": "；".join(parts) or "提交的内容有误。", "errors": errors}
    return response

"""Attachments: uploaded after a content check, downloaded only through a scoped view."""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from activities import actions
from activities.attachments import AttachmentRejected
from activities.forms import AttachmentForm
from activities.models import Activity, Attachment
from activities.views.common import say_refused, visible_meeting
from branches.access import require_change
from branches.models import Organization


@require_POST
def attachment_add(request, pk):
    meeting = visible_meeting(request.user, pk)
    require_change(request.user, meeting.branch)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
    else:
        try:
            attachment = actions.add_attachment(meeting, form.cleaned_data["file"], by=request.user)
            messages.success(request, f"已上传附件“{attachment.original_name}”。")
        except AttachmentRejected as exc:
            messages.error(request, str(exc))
        except actions.ActionRefused as exc:
            say_refused(request, exc)
    return redirect("activities:meeting-detail", pk=meeting.pk)


def _visible_attachment(user, pk) -> Attachment:
    visible = Organization.objects.visible_to(user)
    qs = Attachment.objects.filter(
        Q(meeting__branch__in=visible) | Q(activity__branch__in=visible)
    ).select_related("meeting__branch", "activity__branch")
    return get_object_or_404(qs, pk=pk)


@require_POST
def activity_attachment_add(request, pk):
    activity = get_object_or_404(
        Activity.objects.filter(branch__in=Organization.objects.visible_to(request.user))
        .select_related("branch"),
        pk=pk,
    )
    require_change(request.user, activity.branch)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
    else:
        try:
            attachment = actions.add_activity_attachment(activity, form.cleaned_data["file"],
                                                         by=request.user)
            messages.success(request, f"已上传附件“{attachment.original_name}”。")
        except AttachmentRejected as exc:
            messages.error(request, str(exc))
    return redirect("activities:activity-edit", pk=activity.pk)


@require_GET
def attachment_download(request, pk):
    """Always a download, with the type we determined at upload; never rendered inline."""
    attachment = _visible_attachment(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("附件文件已不存在。") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def attachment_delete(request, pk):
    attachment = _visible_attachment(request.user, pk)
    require_change(request.user, attachment.branch)
    try:
        actions.delete_attachment(attachment, by=request.user)
        messages.success(request, "附件已删除。")
    except actions.ActionRefused as exc:
        say_refused(request, exc)
    if attachment.activity_id:
        return redirect("activities:activity-edit", pk=attachment.activity_id)
    return redirect("activities:meeting-detail", pk=attachment.meeting_id)

"""Read-only admin views: every change of a meeting or activity goes through actions.py."""
from django.contrib import admin

from activities.models import (
    Activity,
    Attendance,
    Meeting,
    MeetingEvent,
)


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    """Lists start from the one door; nothing is added, changed or deleted here."""

    scope_lookup = "branch__in"

    def get_queryset(self, request):
        from branches.models import Organization

        qs = super().get_queryset(request)
        if not self.scope_lookup:
            return qs
        return qs.filter(**{self.scope_lookup: Organization.objects.visible_to(request.user)})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ("member", "status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False


class EventInline(admin.TabularInline):
    model = MeetingEvent
    fields = ("at", "kind", "by", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyScopedAdmin):
    list_display = ("date", "organization", "topic", "status", "submitted_at", "reviewed_at")
    list_filter = ("status",)
    search_fields = ("topic", "organization__name", "organization__code")
    list_select_related = ("organization",)
    date_hierarchy = "date"
    inlines = [AttendanceInline, EventInline]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyScopedAdmin):
    list_display = ("date", "organization", "kind", "title", "counts_as_study")
    list_filter = ("kind", "counts_as_study")
    list_select_related = ("organization",)

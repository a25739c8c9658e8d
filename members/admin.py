from django.contrib import admin
from import_export.admin import ImportExportMixin

from members.models import Member, MemberEvent, Membership, Transfer
from members.resources import MemberResource


class ScopedAdmin(admin.ModelAdmin):
    """Every admin list starts from the one door, like the portal's pages."""

    scope_lookup = "branch__in"

    def get_queryset(self, request):
        from branches.models import Organization

        qs = super().get_queryset(request)
        return qs.filter(**{self.scope_lookup: Organization.objects.visible_to(request.user)})


@admin.register(Member)
class MemberAdmin(ImportExportMixin, ScopedAdmin):
    """Read and export here; edits go through the member's page (recorded actions).

    Import is offered to superusers only: offices upload through the portal's preview flow,
    which checks scope and every roster rule."""

    resource_classes = [MemberResource]
    list_display = ("name", "masked_id_number", "branch", "category", "status", "is_mobile")
    list_filter = ("category", "status", "is_mobile")
    search_fields = ("name", "phone")
    list_select_related = ("branch",)
    readonly_fields = [f.name for f in Member._meta.fields]

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj):
        return obj.masked_id_number

    def has_import_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_export_queryset(self, request):
        from accounts.models import audit

        qs = super().get_export_queryset(request)
        audit(request.user, "member.export", target="管理后台导出", count=qs.count(), masked=False)
        return qs


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ("member", "branch", "started_on", "ended_on")
    list_select_related = ("member", "branch")


@admin.register(MemberEvent)
class MemberEventAdmin(ScopedAdmin):
    scope_lookup = "member__branch__in"
    list_display = ("member", "kind", "date", "recorded_by", "recorded_at")
    list_select_related = ("member", "recorded_by")


@admin.register(Transfer)
class TransferAdmin(ScopedAdmin):
    scope_lookup = "from_branch__in"
    list_display = ("member", "from_branch", "to_branch", "status", "initiated_on", "accepted_on")
    list_select_related = ("member", "from_branch", "to_branch")

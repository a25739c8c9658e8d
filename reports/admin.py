from django.contrib import admin

from activities.admin import ReadOnlyScopedAdmin
from reports.models import Exemption, Report, RequirementRule


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through compilation (reports/actions.py)."""

    list_display = ["organization", "quarter", "version", "status", "is_current", "requested_by",
                    "finished_at"]
    list_filter = ["quarter", "status", "is_current"]
    search_fields = ["organization__code", "organization__name"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RequirementRule)
class RequirementRuleAdmin(ReadOnlyScopedAdmin):
    scope_lookup = ""
    list_display = ("key", "effective_from", "enabled", "period", "min_full_members", "changed_by")


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyScopedAdmin):
    list_display = ("branch", "quarter", "key", "reason", "created_by")
    list_select_related = ("branch",)

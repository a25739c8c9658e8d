from django.contrib import admin

from reports.models import Report


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

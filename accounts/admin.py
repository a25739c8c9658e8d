from django.contrib import admin

from accounts.models import AuditLog, Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "organization", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "organization__name", "organization__code"]
    autocomplete_fields = ["organization"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the trail is never edited or deleted through the portal."""

    list_display = ["created_at", "actor", "action", "organization", "target"]
    list_filter = ["action"]
    search_fields = ["target", "actor__username"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

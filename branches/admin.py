from django.contrib import admin

from branches.models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "sector", "parent", "dissolved_on"]
    list_filter = ["kind", "sector"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return Organization.objects.visible_to(request.user).select_related("parent")

from django.contrib import admin

from branches.actions import create_organization, update_organization
from branches.models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Adds and edits go through branches.actions, like the portal's pages: the path is computed
    (a subtree is exactly what a role there sees), the nesting checked, the change audited."""

    list_display = ["code", "name", "kind", "sector", "parent", "dissolved_on"]
    list_filter = ["kind", "sector"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return Organization.objects.visible_to(request.user).select_related("parent")

    def save_model(self, request, obj, form, change):
        names = [f.name for f in Organization._meta.fields if f.name in form.cleaned_data]
        if change:
            stored = Organization.objects.get(pk=obj.pk)
            saved = update_organization(
                stored, by=request.user, **{n: form.cleaned_data[n] for n in form.changed_data
                                            if n in names})
        else:
            saved = create_organization(by=request.user, **{n: form.cleaned_data[n] for n in names})
        obj.pk, obj.path, obj.depth = saved.pk, saved.path, saved.depth

    def has_delete_permission(self, request, obj=None):
        return False  # an organization is dissolved (撤销日期), never deleted

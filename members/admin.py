from django.contrib import admin

from members.models import Member, MemberEvent, Membership, Transfer
from tabular.values import mask_birth_date


class ScopedAdmin(admin.ModelAdmin):
    """Every admin list starts from the one door, like the portal's pages."""

    scope_lookup = "branch__in"

    def get_queryset(self, request):
        from branches.models import Organization

        qs = super().get_queryset(request)
        return qs.filter(**{self.scope_lookup: Organization.objects.visible_to(request.user)})


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    """Read only, and masked like the pages (110101********123X, the birth year only): edits,
    imports and exports go through the portal, where they are scoped, checked and audited."""

    list_display = ("name", "masked_id_number", "branch", "category", "status", "is_mobile")
    list_filter = ("category", "status", "is_mobile")
    search_fields = ("name", "phone")
    list_select_related = ("branch",)
    exclude = ("id_number", "birth_date")
    readonly_fields = ["masked_id_number", "birth_year"] + [
        f.name for f in Member._meta.fields if f.name not in ("id", "id_number", "birth_date")]

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description="出生年份")
    def birth_year(self, obj):
        return mask_birth_date(obj.birth_date)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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

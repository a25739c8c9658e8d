"""Query parameters of the list endpoints (django-filter): validated, 400 in Chinese when wrong;
an organization code outside the user's scope is 404, like the pages' ?org=."""
from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from rest_framework.exceptions import ValidationError

from activities.models import Meeting
from branches.models import Organization
from core.quarters import Quarter
from members.models import Member


def visible_org(request, code: str) -> Organization:
    return get_object_or_404(Organization.objects.visible_to(request.user), code=code.strip())


class OrganizationFilter(django_filters.FilterSet):
    under = django_filters.CharFilter(method="filter_under", label="只列此组织及其下级（组织编码）")
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label="组织类别")

    class Meta:
        model = Organization
        fields = ["under", "kind"]

    def filter_under(self, queryset, name, value):
        return queryset.filter(path__startswith=visible_org(self.request, value).path)


class MemberFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label="党组织编码（含下级）")
    branch = django_filters.CharFilter(method="filter_branch", label="所在党支部编码")
    group = django_filters.CharFilter(method="filter_group", label="所在党小组编码")
    status = django_filters.ChoiceFilter(
        choices=[*Member.Status.choices, ("all", "全部")], method="filter_status",
        label="党籍状态（不填：在册，即正常与停止党籍）")
    category = django_filters.ChoiceFilter(choices=Member.Category.choices, label="人员类别")
    is_mobile = django_filters.BooleanFilter(label="流动党员")
    is_lost_contact = django_filters.BooleanFilter(label="失联党员")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名包含")

    class Meta:
        model = Member
        fields = ["org", "branch", "group", "status", "category", "is_mobile", "is_lost_contact", "q"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.on_roster()
        return queryset

    def filter_org(self, queryset, name, value):
        return queryset.in_subtree(visible_org(self.request, value))

    def filter_branch(self, queryset, name, value):
        return queryset.filter(branch=visible_org(self.request, value))

    def filter_group(self, queryset, name, value):
        return queryset.filter(group=visible_org(self.request, value))

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)


class MeetingFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label="党组织编码（含下级）")
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices, label="状态")
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices, field_name="kinds__kind",
                                       label="会议类型")
    quarter = django_filters.CharFilter(method="filter_quarter", label="季度，如 2026Q3")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="日期起")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="日期止")

    class Meta:
        model = Meeting
        fields = ["org", "status", "kind", "quarter", "date_from", "date_to"]

    def filter_org(self, queryset, name, value):
        return queryset.filter(organization__path__startswith=visible_org(self.request, value).path)

    def filter_quarter(self, queryset, name, value):
        try:
            quarter = Quarter.parse(value)
        except ValueError as exc:
            raise ValidationError({"quarter": [str(exc)]}) from None
        return queryset.filter(date__range=(quarter.start, quarter.end))

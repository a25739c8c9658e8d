"""/api/v1/applicants/: the people on the way to membership that the user may see, read-only.

Writes stay with the pages (each step has its own rules and documents). ID numbers are masked
and the birth date is left out, as on the pages: together they would rebuild the ID.
"""
from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from rest_framework import serializers, viewsets

from branches.models import Organization
from recruitment.models import Applicant


def _visible_org(request, code: str) -> Organization:
    return get_object_or_404(Organization.objects.visible_to(request.user), code=code.strip())


class ApplicantSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True,
                                      label="公民身份号码（隐去中间 8 位）")
    stage_label = serializers.SerializerMethodField(label="阶段")
    branch = serializers.CharField(source="branch.code", read_only=True, label="培养党支部编码")
    branch_name = serializers.CharField(source="branch.name", read_only=True, label="培养党支部")
    member = serializers.PrimaryKeyRelatedField(read_only=True, label="党员记录（入党后）")
    milestones = serializers.DictField(child=serializers.CharField(), read_only=True,
                                       label="节点日期（步骤 → 日期）")

    class Meta:
        model = Applicant
        fields = ["id", "name", "id_number", "sex", "stage", "stage_label", "branch",
                  "branch_name", "member", "extension_months", "milestones"]

    def get_stage_label(self, applicant) -> str:
        return applicant.get_stage_display()


class ApplicantFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label="党组织编码（含下级）")
    branch = django_filters.CharFilter(method="filter_branch", label="培养党支部编码")
    stage = django_filters.ChoiceFilter(choices=Applicant.Stage.choices, label="阶段")

    class Meta:
        model = Applicant
        fields = ["org", "branch", "stage"]

    def filter_org(self, queryset, name, value):
        return queryset.in_subtree(_visible_org(self.request, value))

    def filter_branch(self, queryset, name, value):
        return queryset.filter(branch=_visible_org(self.request, value))


class ApplicantViewSet(viewsets.ReadOnlyModelViewSet):
    """发展党员对象 of the branches the user may see (IDs masked)."""

    serializer_class = ApplicantSerializer
    filterset_class = ApplicantFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Applicant.objects.none()
        return (Applicant.objects.visible_to(self.request.user).select_related("branch")
                .order_by("branch__path", "name", "pk"))

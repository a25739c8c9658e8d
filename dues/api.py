"""/api/v1/dues/ (core.registry api_route): a month's dues of an organization's subtree, the
figures of interfaces.md §5.3. Members (IDs masked) only for those who keep the records there
(the change right); everyone else in scope gets the per-branch totals and the summary."""
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.policy import Right, policy_for
from branches.access import scope_roots
from branches.models import Organization
from core.quarters import Month
from dues.queries import branch_lines, dues_status

MONTH = OpenApiParameter("month", str, description="月份，如 2026-11；不填为本月")
ORG = OpenApiParameter("org", str, description="党组织编码；只有一个可见的最上级组织时可不填")


def _month(request) -> Month:
    text = request.query_params.get("month", "").strip()
    if not text:
        return Month.current()
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise ValidationError({"month": [str(exc)]}) from None


class TotalsSerializer(serializers.Serializer):
    members = serializers.IntegerField()
    due = serializers.CharField(help_text="元，两位小数")
    collected = serializers.CharField(help_text="元，两位小数")
    collection_rate = serializers.FloatField(allow_null=True)
    warn = serializers.IntegerField(help_text="连续3个月未交人数")
    lapse = serializers.IntegerField(help_text="连续6个月未交人数")


class BranchTotalsSerializer(TotalsSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    closed = serializers.BooleanField(help_text="本月是否已报送")


class MemberDuesSerializer(serializers.Serializer):
    id_number = serializers.CharField(help_text="已隐去中间8位")
    name = serializers.CharField()
    branch = serializers.CharField()
    amount = serializers.CharField()
    paid = serializers.BooleanField(allow_null=True, help_text="应交为0的月份为 null")
    arrears_months = serializers.IntegerField()
    flag = serializers.CharField(allow_null=True, help_text="warn / lapse / null")


class DuesSerializer(serializers.Serializer):
    org = serializers.CharField()
    month = serializers.CharField()
    branches = BranchTotalsSerializer(many=True)
    summary = TotalsSerializer()
    members = MemberDuesSerializer(many=True, required=False,
                                   help_text="只对本组织的党务工作者提供")


class DuesViewSet(viewsets.ViewSet):
    """党费收缴 of one organization's subtree for one month."""

    @extend_schema(parameters=[ORG, MONTH], responses=DuesSerializer)
    def list(self, request):
        code = request.query_params.get("org", "").strip()
        if code:
            org = get_object_or_404(Organization.objects.visible_to(request.user), code=code)
        else:
            roots = scope_roots(request.user)
            if not roots:
                raise Http404("您没有可查看的党组织。")
            if len(roots) > 1:
                raise ValidationError({"org": ["您可查看多个党组织，请用 org 参数指定其一。"]})
            org = roots[0]
        month = _month(request)
        status = dues_status(org, month)
        payload = {
            "org": org.code, "month": str(month),
            "branches": [{"code": line.branch.code, "name": line.branch.name,
                          "closed": line.closed, **line.totals.as_json()}
                         for line in branch_lines(org, month, status)],
            "summary": status.summary.as_json(),
        }
        if policy_for(request.user).allows(Right.CHANGE, org):
            payload["members"] = [{**row.as_json(), "id_number": row.masked_id_number}
                                  for row in status.rows]
        return Response(payload)

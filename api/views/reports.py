from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.filters import visible_org
from api.serializers import ReportSerializer
from branches.access import scope_roots
from core.quarters import Quarter
from reports.figures import compute_figures

QUARTER = OpenApiParameter("quarter", str, description="季度，如 2026Q3；不填为本季度")
ORG = OpenApiParameter("org", str, description="党组织编码；只有一个可见的最上级组织时可不填")


def _quarter(request) -> Quarter:
    text = request.query_params.get("quarter", "").strip()
    if not text:
        return Quarter.current()
    try:
        return Quarter.parse(text)
    except ValueError as exc:
        raise ValidationError({"quarter": [str(exc)]}) from None


class ReportViewSet(viewsets.ViewSet):
    """The quarterly figures of interfaces.md §3 for one organization's subtree, computed now
    from the current records (the same computation as compile_report and the dashboard)."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def _figures(self, request, org):
        org = org.branch if org.is_group else org  # a 党小组's figures are its branch's
        return Response(compute_figures(org, _quarter(request)).as_json())

    @extend_schema(parameters=[ORG, QUARTER], responses=ReportSerializer)
    def list(self, request):
        code = request.query_params.get("org", "").strip()
        if code:
            return self._figures(request, visible_org(request, code))
        roots = scope_roots(request.user)
        if not roots:
            raise Http404("您没有可查看的党组织。")
        if len(roots) > 1:
            raise ValidationError({"org": ["您可查看多个党组织，请用 org 参数指定其一。"]})
        return self._figures(request, roots[0])

    @extend_schema(parameters=[QUARTER], responses=ReportSerializer)
    def retrieve(self, request, code=None):
        return self._figures(request, visible_org(request, code))

from rest_framework import viewsets

from api.filters import OrganizationFilter
from api.serializers import OrganizationSerializer
from branches.models import Organization


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organization tree the user may see, in tree order (`parent` names each one's parent;
    `?under=CODE` keeps one subtree)."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        return (Organization.objects.visible_to(self.request.user)
                .select_related("parent").order_by("path"))

from rest_framework import viewsets

from api.filters import MemberFilter
from api.serializers import MemberSerializer
from members.models import Member

# What the serializer reads: a list of 500 rows need not load every column.
FIELDS = ("name", "id_number", "sex", "ethnicity", "education", "category", "joined_on",
          "confirmed_on", "status", "is_mobile", "mobile_destination", "is_lost_contact", "phone",
          "branch__code", "branch__name", "group__code")


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """Members of the branches the user may see, ID numbers masked (as on the roster page).
    By default those on the roster (正常 and 停止党籍); `?status=all` adds those who left."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Member.objects.none()
        return (Member.objects.visible_to(self.request.user)
                .select_related("branch", "group").only(*FIELDS)
                .order_by("branch__path", "name", "pk"))

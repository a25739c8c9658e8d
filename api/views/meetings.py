"""三会一课 records over the API: list, read, create with attendance, attach a photo, submit —
through the same form rules and the same actions (validation, audit) as the meeting pages."""
from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from activities import actions
from activities.attendance import roster_for, with_counts
from activities.forms import MeetingForm
from activities.models import Attendance, Meeting, MeetingKind
from activities.views.common import MEETING_ORG_KINDS, meeting_orgs
from api.exceptions import GENERAL
from api.filters import MeetingFilter, visible_org
from api.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    MeetingCreateSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
)
from branches.access import require_change
from members.models import Member

S = Attendance.Status
FORM_FIELDS = ("date", "start_time", "end_time", "place", "host", "recorder", "topic", "agenda",
               "minutes", "resolutions", "lecturer", "lecture_title", "study_hours")


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = MeetingFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        meetings = Meeting.objects.visible_to(self.request.user).select_related("organization")
        kinds = Prefetch("kinds", queryset=MeetingKind.objects.order_by("id"))
        if self.action == "list":
            return with_counts(meetings).prefetch_related(kinds).order_by("-date", "-id")
        return meetings.prefetch_related(
            kinds, "attachments",
            Prefetch("attendances", queryset=Attendance.objects.select_related("member")
                     .order_by("member__name", "member_id")),
        )

    def get_serializer_class(self):
        if self.action == "list":
            return MeetingSerializer
        if self.action == "create":
            return MeetingCreateSerializer
        if self.action == "attachments":
            return AttachmentUploadSerializer
        return MeetingDetailSerializer

    def _detail(self, meeting, status_code=status.HTTP_200_OK) -> Response:
        meeting = self.get_queryset().get(pk=meeting.pk)
        return Response(MeetingDetailSerializer(meeting).data, status=status_code)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def create(self, request):
        """A draft for a branch (or one of its 党小组) the user keeps, with its attendance."""
        code = request.data.get("organization") if hasattr(request.data, "get") else None
        if isinstance(code, (str, int)) and str(code).strip():
            organization = visible_org(request, str(code))  # out of scope: 404 before anything
            require_change(request.user, organization)  # read-only there: 403
        serializer = MeetingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if organization.kind not in MEETING_ORG_KINDS:
            raise ValidationError({"organization": ["会议只能由党支部或党小组召开。"]})
        fields = {name: data[name] for name in FORM_FIELDS if name in data}
        self._check_like_the_form(organization, data["kinds"], fields)
        entries = self._attendance(organization, data["date"], data.get("attendance", []))
        meeting = actions.save_meeting(None, organization=organization, fields=fields,
                                       kinds=data["kinds"], attendance=entries, by=request.user)
        return self._detail(meeting, status.HTTP_201_CREATED)

    def _check_like_the_form(self, organization, kinds, fields) -> None:
        """The meeting form's own rules (a 党课 names its lecturer, times in order …)."""
        form = MeetingForm(data={**fields, "organization": organization.pk, "kinds": kinds},
                           organizations=meeting_orgs(self.request.user, organization.branch))
        if not form.is_valid():
            raise ValidationError({(GENERAL if name == "__all__" else name): list(errors)
                                   for name, errors in form.errors.items()})

    def _attendance(self, organization, day, entries) -> list[actions.AttendanceEntry]:
        """Roster members as listed (出席 when not listed); 列席 only for members from elsewhere
        in the user's scope. Anyone else is an error naming the member, never silently dropped."""
        roster = set(roster_for(organization, day).values_list("pk", flat=True))
        observers = {e["member"] for e in entries if e["status"] == S.OBSERVER}
        visible = set(Member.objects.visible_to(self.request.user).filter(pk__in=observers)
                      .values_list("pk", flat=True))
        problems = []
        for entry in entries:
            member = entry["member"]
            if entry["status"] == S.OBSERVER and (member in roster or member not in visible):
                problems.append(f"党员 {member} 不能记为列席：列席只用于本次会议应到人员以外、您可见范围内的党员。")
            elif entry["status"] != S.OBSERVER and member not in roster:
                problems.append(f"党员 {member} 不在该党组织 {day:%Y-%m-%d} 的应到人员中。")
        if problems:
            raise ValidationError({"attendance": problems})
        return [actions.AttendanceEntry(e["member"], e["status"], e.get("reason", ""))
                for e in entries]

    @extend_schema(request=None, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft (or a returned record): from now on it counts in the reports."""
        meeting = actions.submit_meeting(self.get_object(), by=request.user)
        return self._detail(meeting)

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """Attach a file (a photo of the sign-in sheet …), checked by its content."""
        meeting = self.get_object()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = actions.add_attachment(meeting, serializer.validated_data["file"],
                                            by=request.user)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

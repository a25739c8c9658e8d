"""What the endpoints send and accept. Reads show what the pages show (IDs masked); writes are
checked here for shape and by the apps' forms and actions for the rules."""
from __future__ import annotations

from rest_framework import serializers

from activities.attendance import counts_of
from activities.models import Attachment, Attendance, Meeting
from branches.models import Organization
from members.models import Member


def _code(org) -> str | None:
    return org.code if org is not None else None


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


class LabelField(serializers.Field):
    """The Chinese label of a choice field's value. (A `get_…_display` source would make REST
    framework inspect the method's signature on every row: a third of a list's time.)"""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        return self.labels.get(value, "")


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, label="上级组织编码")
    kind_label = LabelField(Organization.Kind.choices, source="kind", label="组织类别")
    sector_label = LabelField(Organization.Sector.choices, source="sector", label="单位性质")
    is_branch = serializers.BooleanField(read_only=True, label="是否党支部")

    class Meta:
        model = Organization
        fields = ["code", "name", "short_name", "kind", "kind_label", "sector", "sector_label",
                  "parent", "depth", "is_branch", "founded_on", "dissolved_on", "secretary_name"]


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True,
                                      label="公民身份号码（隐去中间 8 位）")
    category_label = LabelField(Member.Category.choices, source="category", label="人员类别")
    status_label = LabelField(Member.Status.choices, source="status", label="党籍状态")
    branch = serializers.CharField(source="branch.code", read_only=True, label="所在党支部编码")
    branch_name = serializers.CharField(source="branch.name", read_only=True, label="所在党支部")
    group = serializers.SerializerMethodField(label="所在党小组编码")

    class Meta:
        model = Member
        fields = ["id", "name", "id_number", "sex", "ethnicity", "education", "category",
                  "category_label", "joined_on", "confirmed_on", "branch", "branch_name", "group",
                  "status", "status_label", "is_mobile", "mobile_destination", "is_lost_contact",
                  "phone"]

    def get_group(self, member) -> str | None:
        return _code(member.group)

    CATEGORY_LABELS = dict(Member.Category.choices)
    STATUS_LABELS = dict(Member.Status.choices)

    def to_representation(self, m) -> dict:
        """The declared fields, built directly: a list of 500 members spends most of its time
        in REST framework's per-field machinery otherwise (bench/bench_api.py). A test keeps
        this equal to the generic `super().to_representation`."""
        return {
            "id": m.pk, "name": m.name, "id_number": m.masked_id_number, "sex": m.sex,
            "ethnicity": m.ethnicity, "education": m.education, "category": m.category,
            "category_label": self.CATEGORY_LABELS.get(m.category, ""),
            "joined_on": _iso(m.joined_on), "confirmed_on": _iso(m.confirmed_on),
            "branch": m.branch.code, "branch_name": m.branch.name, "group": _code(m.group),
            "status": m.status, "status_label": self.STATUS_LABELS.get(m.status, ""),
            "is_mobile": m.is_mobile, "mobile_destination": m.mobile_destination,
            "is_lost_contact": m.is_lost_contact, "phone": m.phone,
        }


class CountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField(label="应到")
    present = serializers.IntegerField(label="实到")
    leave = serializers.IntegerField(label="请假")
    absent = serializers.IntegerField(label="缺席")
    observers = serializers.IntegerField(label="列席")


class MeetingSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.code", read_only=True,
                                         label="党组织编码")
    organization_name = serializers.CharField(source="organization.name", read_only=True,
                                              label="党组织")
    kinds = serializers.SerializerMethodField(label="会议类型")
    status_label = LabelField(Meeting.Status.choices, source="status", label="状态")
    counts = serializers.SerializerMethodField(label="出席人数")

    class Meta:
        model = Meeting
        fields = ["id", "organization", "organization_name", "kinds", "date", "topic", "status",
                  "status_label", "counts", "submitted_at"]

    def get_kinds(self, meeting) -> list[str]:
        return sorted(meeting.kind_values, key=list(Meeting.Kind.values).index)

    def get_counts(self, meeting) -> CountsSerializer:
        return CountsSerializer(counts_of(meeting)).data


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True, label="姓名")

    class Meta:
        model = Attendance
        fields = ["member", "name", "status", "reason"]


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True, label="文件名")

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_at"]


class MeetingDetailSerializer(MeetingSerializer):
    attendance = AttendanceSerializer(source="attendances", many=True, read_only=True,
                                      label="出席情况")
    attachments = AttachmentSerializer(many=True, read_only=True, label="附件")

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + [
            "start_time", "end_time", "place", "host", "recorder", "agenda", "minutes",
            "resolutions", "lecturer", "lecture_title", "study_hours", "review_comment",
            "attendance", "attachments",
        ]


class AttendanceEntrySerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员 id")
    status = serializers.ChoiceField(choices=Attendance.Status.choices, label="出席情况")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   label="请假事由")


class MeetingCreateSerializer(serializers.Serializer):
    """A meeting as the meeting form takes it, with attendance: members of the roster not listed
    are recorded 出席 (as the form's grid starts); 列席 (observer) is for members from elsewhere."""

    organization = serializers.CharField(max_length=20, label="党组织编码（党支部或其党小组）")
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Meeting.Kind.choices),
                                  allow_empty=False, label="会议类型")
    date = serializers.DateField(label="会议日期")
    start_time = serializers.TimeField(required=False, allow_null=True, label="开始时间")
    end_time = serializers.TimeField(required=False, allow_null=True, label="结束时间")
    place = serializers.CharField(required=False, allow_blank=True, max_length=200, label="地点")
    host = serializers.CharField(required=False, allow_blank=True, max_length=50, label="主持人")
    recorder = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                     label="记录人")
    topic = serializers.CharField(max_length=200, label="主题")
    agenda = serializers.CharField(required=False, allow_blank=True, label="议程")
    minutes = serializers.CharField(required=False, allow_blank=True, label="会议记录")
    resolutions = serializers.CharField(required=False, allow_blank=True, label="决议事项")
    lecturer = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                     label="授课人")
    lecture_title = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                          label="党课题目")
    study_hours = serializers.DecimalField(required=False, allow_null=True, max_digits=3,
                                           decimal_places=1, min_value=0, max_value=99,
                                           label="计入学时")
    attendance = AttendanceEntrySerializer(many=True, required=False, label="出席情况")

    def validate_attendance(self, entries):
        seen = set()
        for entry in entries:
            if entry["member"] in seen:
                raise serializers.ValidationError(f"党员 {entry['member']} 重复出现。")
            seen.add(entry["member"])
            if entry["status"] == Attendance.Status.LEAVE and not entry.get("reason", "").strip():
                raise serializers.ValidationError(f"党员 {entry['member']} 请假，请填写请假事由。")
        return entries


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(label="附件（照片、PDF 或 Office 文档）")


class RequirementSerializer(serializers.Serializer):
    slots = serializers.IntegerField()
    met = serializers.IntegerField()


class ReportBranchSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    members = serializers.IntegerField()
    full_members = serializers.IntegerField()
    requirements = serializers.DictField(child=RequirementSerializer(allow_null=True),
                                         help_text="要求 → {slots, met}；不适用为 null")
    slots_applicable = serializers.IntegerField()
    slots_met = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    compliant = serializers.BooleanField()
    members_attended = serializers.IntegerField()
    coverage = serializers.FloatField(allow_null=True)


class ReportSummarySerializer(serializers.Serializer):
    branches = serializers.IntegerField()
    compliant_branches = serializers.IntegerField()
    compliance_rate = serializers.FloatField(allow_null=True)
    members = serializers.IntegerField()
    members_attended = serializers.IntegerField()
    coverage = serializers.FloatField(allow_null=True)
    slots_applicable = serializers.IntegerField()
    slots_met = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    """The quarterly figures of interfaces.md §3, exactly as `compile_report --json` prints."""

    quarter = serializers.CharField()
    org = serializers.CharField()
    branches = ReportBranchSerializer(many=True)
    summary = ReportSummarySerializer()

"""三会一课 meetings with attendance, other activities, and the requirement rules."""
from django.conf import settings
from django.db import models

from branches.models import BranchScopedQuerySet


class MeetingQuerySet(BranchScopedQuerySet):
    def final(self):
        """Records that count: submitted (not drafts, not returned for correction)."""
        return self.filter(status=Meeting.Status.SUBMITTED)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        PARTY_CONGRESS = "party_congress", "支部党员大会"
        COMMITTEE = "committee", "支部委员会"
        GROUP_MEETING = "group_meeting", "党小组会"
        PARTY_LECTURE = "party_lecture", "党课"
        THEME_DAY = "theme_day", "主题党日"
        LIFE_MEETING = "life_meeting", "组织生活会"
        DEMOCRATIC_REVIEW = "democratic_review", "民主评议党员"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "退回修改"

    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="党支部或其党小组",
    )
    branch = models.ForeignKey(
        "branches.Organization",
        verbose_name="所属党支部",
        on_delete=models.PROTECT,
        related_name="branch_meetings",
        editable=False,
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    date = models.DateField("会议日期", db_index=True)
    start_time = models.TimeField("开始时间", null=True, blank=True)
    end_time = models.TimeField("结束时间", null=True, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    host = models.CharField("主持人", max_length=50, blank=True)
    recorder = models.CharField("记录人", max_length=50, blank=True)
    topic = models.CharField("主题", max_length=200)
    agenda = models.TextField("议程", blank=True)
    minutes = models.TextField("会议记录", blank=True)
    resolutions = models.TextField("决议事项", blank=True)
    lecturer = models.CharField("授课人", max_length=50, blank=True)
    lecture_title = models.CharField("党课题目", max_length=200, blank=True)
    study_hours = models.DecimalField(
        "计入学时", max_digits=4, decimal_places=1, default=0, help_text="党课、集中学习按时长计"
    )
    review_comment = models.TextField("退回意见", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "会议记录"
        verbose_name_plural = "会议记录"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["branch", "date"], name="activities_meeting_branch_date"),
        ]

    def __str__(self):
        return f"{self.date} {self.topic}"

    def save(self, *args, **kwargs):
        self.branch = self.organization.branch or self.organization
        super().save(*args, **kwargs)

    @property
    def kind_values(self) -> list[str]:
        return [k.kind for k in self.kinds.all()]

    def kinds_display(self) -> str:
        labels = dict(Meeting.Kind.choices)
        order = list(labels)
        return "、".join(labels[k] for k in sorted(self.kind_values, key=order.index))


class MeetingKind(models.Model):
    """One of the types a sitting counts as (支部党员大会 + 党课 on the 主题党日 = three rows)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="kinds",
                                verbose_name="会议")
    kind = models.CharField("会议类型", max_length=30, choices=Meeting.Kind.choices)

    class Meta:
        verbose_name = "会议类型"
        verbose_name_plural = "会议类型"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind"], name="activities_meetingkind_unique_kind"
            ),
        ]
        indexes = [models.Index(fields=["kind", "meeting"], name="activities_meetingkind_kind")]

    def __str__(self):
        return self.get_kind_display()


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"
        OBSERVER = "observer", "列席"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances",
                                verbose_name="会议")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendances", verbose_name="党员"
    )
    status = models.CharField("出席情况", max_length=20, choices=Status.choices)
    reason = models.CharField("请假事由", max_length=200, blank=True)

    class Meta:
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="activities_attendance_unique_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"


class MeetingEvent(models.Model):
    """A state change of a meeting record (submitted, returned, resubmitted), with who and when."""

    class Kind(models.TextChoices):
        CREATED = "created", "创建"
        EDITED = "edited", "修改"
        SUBMITTED = "submitted", "提交"
        RETURNED = "returned", "退回修改"
        RESUBMITTED = "resubmitted", "重新提交"
        REVIEWED = "reviewed", "审核通过"
        IMPORTED = "imported", "台账导入"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议记录变更"
        verbose_name_plural = "会议记录变更"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    if instance.meeting_id:
        return f"attachments/{instance.meeting.branch_id}/{instance.meeting_id}/{filename}"
    return f"attachments/{instance.activity.branch_id}/activity-{instance.activity_id}/{filename}"


class Attachment(models.Model):
    """A file kept with a meeting record or with an activity (exactly one of the two)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    activity = models.ForeignKey(
        "Activity", on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meeting__isnull=False, activity__isnull=True)
                | models.Q(meeting__isnull=True, activity__isnull=False),
                name="activities_attachment_one_owner",
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def branch(self):
        return (self.meeting or self.activity).branch


class Activity(models.Model):
    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", "志愿服务"
        VISIT = "visit", "走访群众"
        PAIRING = "pairing", "结对帮扶"
        PLEDGE = "pledge", "承诺践诺"
        STUDY = "study", "学习培训"
        OTHER = "other", "其他"

    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="activities"
    )
    branch = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="+", editable=False
    )
    kind = models.CharField("活动类型", max_length=20, choices=Kind.choices)
    date = models.DateField("日期")
    title = models.CharField("名称", max_length=200)
    description = models.TextField("内容", blank=True)
    counts_as_study = models.BooleanField("计入学时", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.branch = self.organization.branch or self.organization
        super().save(*args, **kwargs)


class Participation(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations",
                                 verbose_name="活动")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="participations",
        verbose_name="党员",
    )
    hours = models.DecimalField("时长（小时）", max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = "活动参加记录"
        verbose_name_plural = "活动参加记录"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], name="activities_participation_unique_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.hours}h"

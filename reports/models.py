"""The requirements of interfaces.md §3 (versioned rules, per-branch exemptions) and the stored
quarterly reports: one versioned result per (organization, quarter).

A `Report` is one compilation (a version). Exactly one finished version per (organization,
quarter) is current (a partial unique constraint); earlier versions are kept and listed. Its
branches are stored as `ReportBranch` rows with the materialized path, so a page can answer for
any organization inside the report's subtree with one aggregate query, without recomputing.
A large report is computed in `ReportChunk`s (one per child subtree) that workers share.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from core.quarters import Quarter


class RequirementRule(models.Model):
    """A version of one requirement of interfaces.md §3, in force from a quarter on.

    A change is a new row with a later `effective_from`; past quarters keep the row in force then.
    """

    class Key(models.TextChoices):
        PARTY_CONGRESS = "party_congress", "支部党员大会"
        COMMITTEE = "committee", "支部委员会"
        GROUP_MEETINGS = "group_meetings", "党小组会"
        PARTY_LECTURE = "party_lecture", "党课"
        THEME_DAY = "theme_day", "主题党日"

    class Period(models.TextChoices):
        QUARTER = "quarter", "每季度"
        MONTH = "month", "每月"

    key = models.CharField("要求", max_length=30, choices=Key.choices)
    effective_from = models.CharField("自季度起", max_length=6, help_text="如 2026Q3")
    enabled = models.BooleanField("启用", default=True)
    period = models.CharField("频次", max_length=10, choices=Period.choices)
    min_full_members = models.PositiveSmallIntegerField(
        "正式党员数下限", default=0, help_text="支部委员会：正式党员≥7人的支部才适用"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "考核要求"
        verbose_name_plural = "考核要求"
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "effective_from"], name="reports_rule_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.get_key_display()} 自{self.effective_from}"


class Exemption(models.Model):
    """A branch excused from one requirement (or all) for one quarter, with the reason."""

    branch = models.ForeignKey(
        "branches.Organization", on_delete=models.CASCADE, related_name="exemptions",
        verbose_name="党支部",
    )
    quarter = models.CharField("季度", max_length=6)
    key = models.CharField(
        "要求", max_length=30, choices=RequirementRule.Key.choices, blank=True,
        help_text="留空表示全部要求",
    )
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "豁免"
        verbose_name_plural = "豁免"
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "quarter", "key"], name="reports_exemption_unique"
            ),
        ]

    def __str__(self):
        return f"{self.branch} {self.quarter} {self.get_key_display() or '全部'}"


RULE_KEYS = list(RequirementRule.Key.values)  # the §3 requirements, in the report's order


def workbook_path(instance, filename):
    return f"reports/{instance.organization_id}/{instance.quarter}/v{instance.version}.xlsx"


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        from branches.models import Organization

        return self.filter(organization__in=Organization.objects.visible_to(user))

    def current(self):
        return self.filter(is_current=True)

    def unfinished(self):
        return self.filter(status__in=[Report.Status.QUEUED, Report.Status.RUNNING])


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党组织", on_delete=models.PROTECT,
        related_name="reports",
    )
    quarter = models.CharField("季度", max_length=6)
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0, help_text="0–100")
    stage = models.CharField("当前步骤", max_length=100, blank=True)
    is_current = models.BooleanField("当前版本", default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+", help_text="空 = 定时任务或命令行",
    )
    requested_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    heartbeat_at = models.DateTimeField(
        "最近进展", null=True, blank=True,
        help_text="排队或每一步进展时更新；久无进展的未完成版本会被重新排队。")
    inputs = models.JSONField("计算依据", default=dict, blank=True)
    figures = models.JSONField("指标", default=dict, blank=True)
    measures = models.JSONField(
        "其他指标", default=dict, blank=True,
        help_text="the apps' registered measures (core.registry): key → {rows, summary}",
    )
    error = models.TextField("错误", blank=True)
    workbook = models.FileField("工作簿", upload_to=workbook_path, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "季度报表"
        verbose_name_plural = "季度报表"
        ordering = ["organization_id", "-quarter", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "quarter", "version"], name="reports_report_unique_version"
            ),
            models.UniqueConstraint(
                fields=["organization", "quarter"], condition=Q(is_current=True),
                name="reports_report_one_current",
            ),
        ]
        indexes = [
            models.Index(fields=["quarter", "is_current"], name="reports_report_quarter_current"),
        ]

    def __str__(self):
        return f"{self.organization} {self.quarter} 第{self.version}版"

    @property
    def quarter_obj(self) -> Quarter:
        return Quarter.parse(self.quarter)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_draft(self) -> bool:
        """Compiled before the quarter ended: figures may still change."""
        if not self.finished_at:
            return True
        from django.utils import timezone

        return timezone.localtime(self.finished_at).date() <= self.quarter_obj.end


class ReportChunk(models.Model):
    """The figures of one child subtree of a large report, computed by any worker."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="chunks",
                               verbose_name="报表")
    root = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="+",
                             verbose_name="党组织")
    done = models.BooleanField(default=False)
    figures = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "报表分块"
        verbose_name_plural = "报表分块"
        constraints = [
            models.UniqueConstraint(fields=["report", "root"], name="reports_chunk_unique_root"),
        ]

    def __str__(self):
        return f"{self.report} / {self.root}"


class RowJSONField(models.JSONField):
    """A JSONField that bulk-inserts as plain VALUES.

    Django 5.2 bulk-inserts on PostgreSQL through UNNEST(arrays), and psycopg escapes JSON text
    inside an array literal character by character: ~3 s instead of ~0.3 s for a city's 4,000
    rows. A field with get_placeholder opts the insert out of UNNEST.
    """

    def get_placeholder(self, value, compiler, connection):
        return "%s"


class ReportBranch(models.Model):
    """One branch's figures in a stored report (the §3 branch object, flattened for SQL)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="rows")
    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("组织编码", max_length=20)
    name = models.CharField("组织名称", max_length=100)
    path = models.CharField(max_length=255)
    kind = models.CharField(max_length=20)
    members = models.PositiveIntegerField("党员数")
    full_members = models.PositiveIntegerField("正式党员数")
    members_attended = models.PositiveIntegerField("参加过会议的党员数")
    slots_applicable = models.PositiveIntegerField("应开次数")
    slots_met = models.PositiveIntegerField("已开次数")
    completion_rate = models.FloatField("完成率", null=True, blank=True)
    coverage = models.FloatField("覆盖率", null=True, blank=True)
    compliant = models.BooleanField("全部达标")
    slots = RowJSONField("应开明细", default=list)
    gaps = RowJSONField("未完成", default=list)

    # Per requirement (RULE_KEYS): slots and slots met; both null when it does not apply.
    party_congress_slots = models.PositiveSmallIntegerField("支部党员大会应开", null=True, blank=True)
    party_congress_met = models.PositiveSmallIntegerField("支部党员大会已开", null=True, blank=True)
    committee_slots = models.PositiveSmallIntegerField("支部委员会应开", null=True, blank=True)
    committee_met = models.PositiveSmallIntegerField("支部委员会已开", null=True, blank=True)
    group_meetings_slots = models.PositiveSmallIntegerField("党小组会应开", null=True, blank=True)
    group_meetings_met = models.PositiveSmallIntegerField("党小组会已开", null=True, blank=True)
    party_lecture_slots = models.PositiveSmallIntegerField("党课应开", null=True, blank=True)
    party_lecture_met = models.PositiveSmallIntegerField("党课已开", null=True, blank=True)
    theme_day_slots = models.PositiveSmallIntegerField("主题党日应开", null=True, blank=True)
    theme_day_met = models.PositiveSmallIntegerField("主题党日已开", null=True, blank=True)

    class Meta:
        verbose_name = "支部指标"
        verbose_name_plural = "支部指标"
        ordering = ["report_id", "code"]
        indexes = [models.Index(fields=["report", "path"], name="reports_branch_report_path")]

    def __str__(self):
        return f"{self.report} {self.name}"

    @property
    def requirements(self) -> dict:
        result = {}
        for key in RULE_KEYS:
            slots = getattr(self, f"{key}_slots")
            result[key] = None if slots is None else {"slots": slots, "met": getattr(self, f"{key}_met")}
        return result

    def as_json(self) -> dict:
        return {
            "code": self.code, "name": self.name, "members": self.members,
            "full_members": self.full_members, "requirements": self.requirements,
            "slots_applicable": self.slots_applicable, "slots_met": self.slots_met,
            "completion_rate": self.completion_rate, "compliant": self.compliant,
            "members_attended": self.members_attended, "coverage": self.coverage,
        }

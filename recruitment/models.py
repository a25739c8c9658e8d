"""The recruitment pipeline: a person, the steps recorded for them, and the rules' versions.

`Step` rows are the record (date, who recorded it, documents). An `Applicant`'s `stage` and
`milestones` (the dates the §4 rules read, pivoted from the steps by
recruitment.pipeline.refresh_milestones) are written by the actions after every step, in the
same transaction, so a city-wide check reads one row per person instead of grouping the steps.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from branches.models import BranchScopedQuerySet
from recruitment import steps
from tabular.values import mask_id_number


class ApplicantQuerySet(BranchScopedQuerySet):
    def in_pipeline(self):
        """People still on the way: 申请人, 积极分子, 发展对象, 预备党员."""
        return self.filter(stage__in=steps.PIPELINE_STAGES)


class Applicant(models.Model):
    """A person on the way to membership, from the 入党申请书 to 转正."""

    class Stage(models.TextChoices):
        APPLICANT = steps.APPLICANT, steps.STAGE_LABELS[steps.APPLICANT]
        ACTIVIST = steps.ACTIVIST, steps.STAGE_LABELS[steps.ACTIVIST]
        CANDIDATE = steps.CANDIDATE, steps.STAGE_LABELS[steps.CANDIDATE]
        PROBATIONARY = steps.PROBATIONARY, steps.STAGE_LABELS[steps.PROBATIONARY]
        FULL = steps.FULL, steps.STAGE_LABELS[steps.FULL]
        STOPPED = steps.STOPPED, steps.STAGE_LABELS[steps.STOPPED]

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("公民身份号码", max_length=18)
    sex = models.CharField("性别", max_length=1)
    birth_date = models.DateField("出生日期")
    work_unit = models.CharField("工作单位及职务", max_length=200, blank=True)
    branch = models.ForeignKey(
        "branches.Organization", verbose_name="培养党支部", on_delete=models.PROTECT,
        related_name="applicants",
    )
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.APPLICANT)
    member = models.OneToOneField(
        "members.Member", verbose_name="党员记录", on_delete=models.SET_NULL, null=True,
        blank=True, related_name="recruitment",
    )
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    milestones = models.JSONField(
        "节点日期", default=dict, blank=True, editable=False,
        help_text="由步骤记录汇总（recruitment.pipeline.refresh_milestones），不直接编辑",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicantQuerySet.as_manager()

    class Meta:
        verbose_name = "发展党员对象"
        verbose_name_plural = "发展党员对象"
        ordering = ["branch_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="recruitment_applicant_unique_id"),
        ]
        indexes = [models.Index(fields=["branch", "stage"], name="recruitment_applicant_stage")]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")


class Step(models.Model):
    """One of the 25 steps, recorded for one person with its date and who recorded it."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField("步骤", max_length=30, choices=steps.STEP_CHOICES)
    date = models.DateField("日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, null=True, blank=True)
    number = models.CharField("编号", max_length=30, blank=True)
    note = models.TextField("说明", blank=True)
    detail = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "发展步骤"
        verbose_name_plural = "发展步骤"
        ordering = ["applicant_id", "date", "id"]
        indexes = [models.Index(fields=["applicant", "step"], name="recruitment_step_applicant")]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "step"], condition=~Q(step__in=steps.REPEATABLE),
                name="recruitment_step_once",
            ),
        ]

    def __str__(self):
        return f"{self.applicant} {self.get_step_display()} {self.date}"

    @property
    def definition(self) -> steps.StepDef:
        return steps.ALL[self.step]


class Involvement(models.Model):
    """A 培养联系人 or an 入党介绍人 of a person (by name; linked to the member when known)."""

    class Role(models.TextChoices):
        MENTOR = "mentor", "培养联系人"
        SPONSOR = "sponsor", "入党介绍人"

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="people")
    role = models.CharField("身份", max_length=10, choices=Role.choices)
    name = models.CharField("姓名", max_length=50)
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "培养联系人/入党介绍人"
        verbose_name_plural = "培养联系人/入党介绍人"
        ordering = ["applicant_id", "role", "position"]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"


def document_path(instance, filename):
    return f"recruitment/{instance.step.applicant.branch_id}/{instance.step.applicant_id}/{filename}"


class Document(models.Model):
    """A paper kept with a step (入党申请书, 思想汇报, 政审材料, 入党志愿书 …)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_path)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "发展材料"
        verbose_name_plural = "发展材料"
        ordering = ["step_id", "uploaded_at"]

    def __str__(self):
        return self.original_name


class Violation(models.Model):
    """A §4.2 rule a recorded date broke. Kept, never silently allowed; the level above may accept
    it with a reason, which shows in the record."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="violations",
                                  verbose_name="入党申请人")
    rule = models.CharField("规则", max_length=30)
    message = models.CharField("说明", max_length=300)
    recorded_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField("认可理由", blank=True)

    class Meta:
        verbose_name = "时限违规"
        verbose_name_plural = "时限违规"
        ordering = ["applicant_id", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "rule"], name="recruitment_violation_once"),
        ]

    def __str__(self):
        return f"{self.applicant} {self.rule}"


class TimeRule(models.Model):
    """A version of one §4.2 rule, in force for clocks that start on or after `effective_from`.

    A change is a new row; what was recorded under an earlier version keeps that version."""

    class Key(models.TextChoices):
        MIN_AGE = "min_age", "申请入党年龄（周岁）"
        TALK_WITHIN = "talk_within", "申请后谈话期限（月）"
        ACTIVIST_MIN = "activist_min", "积极分子培养期（月）"
        ACTIVIST_REVIEW = "activist_review", "积极分子考察间隔（月）"
        TRAINING_HOURS = "training_hours", "集中培训学时"
        APPROVAL_WITHIN = "approval_within", "支部大会后审批期限（月）"
        PROBATION = "probation", "预备期（月）"

    key = models.CharField("规则", max_length=30, choices=Key.choices)
    effective_from = models.DateField("生效日期")
    value = models.PositiveSmallIntegerField("数值")
    limit = models.PositiveSmallIntegerField(
        "上限", null=True, blank=True, help_text="审批期限：说明理由后最长可延至的月数"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "发展党员时限规则"
        verbose_name_plural = "发展党员时限规则"
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="recruitment_rule_version"),
        ]

    def __str__(self):
        return f"{self.get_key_display()} {self.value}（{self.effective_from} 起）"

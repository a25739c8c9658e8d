"""The rest of a branch's year (domain.md): committees and their terms, 民主评议党员 results,
the 流动党员 registers and the 组织关系介绍信.

Every write goes through cycle/actions.py (one transaction, one audit record each).
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from branches.models import BranchScopedQuerySet, Organization


class OrgScopedQuerySet(models.QuerySet):
    """Rows that belong to an organization (a committee of a 党委 or of a branch)."""

    def in_subtree(self, org):
        return self.filter(organization__path__startswith=org.path)

    def visible_to(self, user):
        return self.filter(organization__in=Organization.objects.visible_to(user))


class Committee(models.Model):
    """A 班子: elected on a date for a term; the next election starts the next committee.

    `term_years` is null when the file or the form left 届期 blank: the term then follows the
    organization's kind and sector (cycle.rules.default_term_years)."""

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="committees"
    )
    elected_on = models.DateField("选举日期")
    term_years = models.PositiveSmallIntegerField("届期（年）", null=True, blank=True)
    previous = models.OneToOneField(
        "self", verbose_name="上届委员会", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="successor",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "委员会（班子）"
        verbose_name_plural = "委员会（班子）"
        ordering = ["organization_id", "-elected_on"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "elected_on"],
                                    name="cycle_committee_unique_org_elected_on"),
        ]

    def __str__(self):
        return f"{self.organization}（{self.elected_on:%Y-%m-%d} 选举）"


class CommitteeSeat(models.Model):
    """One person in one post of a committee, in the order of the file or the form."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", "书记"
        DEPUTY = "deputy", "副书记"
        ORGANIZATION = "organization", "组织委员"
        PUBLICITY = "publicity", "宣传委员"
        DISCIPLINE = "discipline", "纪检委员"
        MEMBER = "member", "委员"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    post = models.CharField("职务", max_length=20, choices=Post.choices)
    name = models.CharField("姓名", max_length=50)
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "委员会职务"
        verbose_name_plural = "委员会职务"
        ordering = ["committee_id", "position"]

    def __str__(self):
        return f"{self.get_post_display()} {self.name}"


class Evaluation(models.Model):
    """One member's 民主评议 result of a year. Shown to the branch's keepers and the levels
    above; the figures outside them are counts only."""

    class Result(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        QUALIFIED = "qualified", "合格"
        BASICALLY_QUALIFIED = "basically_qualified", "基本合格"
        UNQUALIFIED = "unqualified", "不合格"

    class FollowUp(models.TextChoices):
        CORRECT = "correct", "限期改正"
        PERSUADE = "persuade", "劝退"
        EXPEL = "expel", "除名"

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField("年度")
    branch = models.ForeignKey(
        Organization, verbose_name="评议党支部", on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("评议结果", max_length=30, choices=Result.choices)
    follow_up = models.CharField("处理意见", max_length=20, choices=FollowUp.choices, blank=True)
    reason = models.TextField("理由", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "民主评议结果"
        verbose_name_plural = "民主评议结果"
        ordering = ["year", "branch_id", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="cycle_evaluation_unique_member_year"),
        ]

    def __str__(self):
        return f"{self.member} {self.year} {self.get_result_display()}"


class Outflow(models.Model):
    """流出登记: a member working away who keeps their 组织关系 here."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="outflows")
    branch = models.ForeignKey(Organization, verbose_name="所在党支部", on_delete=models.PROTECT,
                               related_name="+")
    destination = models.CharField("外出流向", max_length=200)
    fixed_place = models.BooleanField("固定地点", default=True,
                                      help_text="在一个固定地点工作生活（满6个月应转移组织关系）")
    since = models.DateField("外出日期")
    certificate_no = models.CharField("流动党员活动证编号", max_length=50, blank=True)
    receiving_org = models.CharField("流入地党组织", max_length=200, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    returned_on = models.DateField("返回日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "流出党员登记"
        verbose_name_plural = "流出党员登记"
        ordering = ["branch_id", "-since"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(returned_on__isnull=True),
                                    name="cycle_outflow_one_open_per_member"),
        ]

    def __str__(self):
        return f"{self.member} → {self.destination}"


class InflowQuerySet(BranchScopedQuerySet):
    def open_on(self, day: datetime.date):
        """Registered here on `day`: arrived by then and not left before it."""
        return self.filter(since__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gte=day))


class Inflow(models.Model):
    """流入登记: a member of another place who takes part here without transferring (no vote,
    not on the roster, 列席 in meetings)."""

    branch = models.ForeignKey(Organization, verbose_name="参加活动党支部", on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("公民身份号码", max_length=18, blank=True)
    home_org = models.CharField("组织关系所在党组织", max_length=200)
    certificate_no = models.CharField("流动党员活动证编号", max_length=50, blank=True)
    since = models.DateField("流入日期")
    contact = models.CharField("联系方式", max_length=100, blank=True)
    left_on = models.DateField("离开日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InflowQuerySet.as_manager()

    class Meta:
        verbose_name = "流入党员登记"
        verbose_name_plural = "流入党员登记"
        ordering = ["branch_id", "-since"]

    def __str__(self):
        return f"{self.name}（{self.home_org}）"

    @property
    def masked_id_number(self) -> str:
        value = self.id_number or ""
        return value[:6] + "*" * 8 + value[-4:] if len(value) == 18 else value


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Letters either side of which the user may see."""
        visible = Organization.objects.visible_to(user)
        return self.filter(Q(from_branch__in=visible) | Q(to_branch__in=visible))


class TransferLetter(models.Model):
    """组织关系介绍信: numbered, valid for some days, with 党费交至 and a 回执.

    Out of the district: `to_branch` is empty and `outside_org` names the receiving organization;
    into the district: `from_branch` is empty and `outside_org` names the sending one."""

    class Direction(models.TextChoices):
        OUT = "out", "转出本区"
        IN = "in", "转入本区"
        INSIDE = "inside", "区内转接"

    number = models.CharField("介绍信编号", max_length=30)
    direction = models.CharField("转接方向", max_length=10, choices=Direction.choices)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="letters")
    from_branch = models.ForeignKey(Organization, verbose_name="转出党支部", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    to_branch = models.ForeignKey(Organization, verbose_name="转入党支部", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    outside_org = models.CharField("区外党组织", max_length=200, blank=True)
    transfer = models.OneToOneField("members.Transfer", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="letter")
    issued_on = models.DateField("开具日期")
    valid_days = models.PositiveSmallIntegerField("有效期（天）")
    dues_paid_to = models.CharField("党费交至", max_length=7, help_text="YYYY-MM")
    receipt_on = models.DateField("回执日期", null=True, blank=True)
    receipt_note = models.CharField("回执说明", max_length=200, blank=True)
    note = models.TextField("说明", blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = "组织关系介绍信"
        verbose_name_plural = "组织关系介绍信"
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["direction", "number"],
                                    name="cycle_letter_unique_direction_number"),
        ]

    def __str__(self):
        return f"第 {self.number} 号 {self.member}"

    @property
    def branch(self):
        """The district's side that keeps the letter (the sender, unless it came from outside)."""
        return self.to_branch if self.direction == self.Direction.IN else self.from_branch

    @property
    def valid_until(self) -> datetime.date:
        return self.issued_on + datetime.timedelta(days=self.valid_days)

    def expired_on(self, day: datetime.date) -> bool:
        """Past its validity with no 回执 recorded."""
        return self.receipt_on is None and day > self.valid_until


class YearlyRequirement(models.Model):
    """A version of one yearly requirement (组织生活会, 民主评议党员), in force from a year on.

    A change is a new row with a later `effective_from`; past years keep the row in force then
    (the quarterly requirements of reports.RequirementRule work the same way)."""

    class Key(models.TextChoices):
        LIFE_MEETING = "life_meeting", "组织生活会"
        DEMOCRATIC_REVIEW = "democratic_review", "民主评议党员"

    key = models.CharField("要求", max_length=30, choices=Key.choices)
    effective_from = models.PositiveSmallIntegerField("自年度起")
    enabled = models.BooleanField("启用", default=True)
    times = models.PositiveSmallIntegerField("每年次数", default=1)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "年度考核要求"
        verbose_name_plural = "年度考核要求"
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"],
                                    name="cycle_yearly_requirement_unique_version"),
        ]

    def __str__(self):
        return f"{self.get_key_display()} 自{self.effective_from}年"


class YearlyExemption(models.Model):
    """A branch excused from one yearly requirement (or all) for one year, with the reason."""

    branch = models.ForeignKey(Organization, verbose_name="党支部", on_delete=models.CASCADE,
                               related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    key = models.CharField("要求", max_length=30, choices=YearlyRequirement.Key.choices, blank=True,
                           help_text="留空表示全部年度要求")
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "年度要求豁免"
        verbose_name_plural = "年度要求豁免"
        ordering = ["-year", "branch_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year", "key"],
                                    name="cycle_yearly_exemption_unique"),
        ]

    def __str__(self):
        return f"{self.branch} {self.year}年 {self.get_key_display() or '全部年度要求'}"


class InflowAttendance(models.Model):
    """A 流入党员 at one meeting of the branch: 列席 or not. Recorded beside the attendance and
    counted in no figure (not a member here: no members, coverage or §3 count)."""

    meeting = models.ForeignKey("activities.Meeting", verbose_name="会议", on_delete=models.CASCADE,
                                related_name="+")
    inflow = models.ForeignKey(Inflow, verbose_name="流入党员", on_delete=models.CASCADE,
                               related_name="attendances")
    present = models.BooleanField("列席", default=True)

    class Meta:
        verbose_name = "流入党员列席记录"
        verbose_name_plural = "流入党员列席记录"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "inflow"],
                                    name="cycle_inflow_attendance_unique"),
        ]

    def __str__(self):
        return f"{self.inflow.name} {'列席' if self.present else '未列席'}"

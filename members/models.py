"""Party members, their membership of a branch over time, and the events of their party life.

Current state (branch, category, status) is derived from recorded actions in members/actions/;
no view edits `branch` or `category` directly.
"""
import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from branches.models import BranchScopedQuerySet
from core.quarters import add_months


class MemberQuerySet(BranchScopedQuerySet):
    def active(self):
        """On the roster: 党籍 正常 and not left or deceased."""
        return self.filter(status=Member.Status.NORMAL)

    def on_roster(self):
        """Everyone a branch still keeps on its roster (including 停止党籍)."""
        return self.exclude(status__in=Member.OFF_ROSTER)


class Member(models.Model):
    class Category(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"

    class Status(models.TextChoices):
        NORMAL = "normal", "正常"
        SUSPENDED = "suspended", "停止党籍"
        LEFT = "left", "已出党"
        DECEASED = "deceased", "已去世"
        TRANSFERRED_OUT = "transferred_out", "已转出本区"

    class Sex(models.TextChoices):
        MALE = "男", "男"
        FEMALE = "女", "女"

    # Statuses no longer kept on any roster of the portal (history stays).
    OFF_ROSTER = (Status.LEFT, Status.DECEASED, Status.TRANSFERRED_OUT)

    name = models.CharField("姓名", max_length=50, db_index=True)
    id_number = models.CharField("公民身份号码", max_length=18)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=30, blank=True)
    category = models.CharField(
        "人员类别", max_length=20, choices=Category.choices, default=Category.FULL
    )
    joined_on = models.DateField("入党日期")
    confirmed_on = models.DateField("转正日期", null=True, blank=True)
    probation_extended_until = models.DateField("延长预备期至", null=True, blank=True)
    work_unit = models.CharField("工作单位及职务", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    branch = models.ForeignKey(
        "branches.Organization",
        verbose_name="所在党支部",
        on_delete=models.PROTECT,
        related_name="members",
    )
    group = models.ForeignKey(
        "branches.Organization",
        verbose_name="所在党小组",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
    )
    status = models.CharField(
        "党籍状态", max_length=20, choices=Status.choices, default=Status.NORMAL
    )
    is_mobile = models.BooleanField("流动党员", default=False)
    mobile_destination = models.CharField("外出流向", max_length=200, blank=True)
    is_lost_contact = models.BooleanField("失联党员", default=False)
    lost_contact_on = models.DateField("失去联系日期", null=True, blank=True)
    # 党员信息采集表 columns. db_default keeps hand-written COPY/INSERT paths (bench/) working.
    landline = models.CharField("固定电话", max_length=30, blank=True, default="", db_default="")
    home_address = models.CharField(
        "家庭住址", max_length=200, blank=True, default="", db_default=""
    )
    remarks = models.CharField("备注", max_length=500, blank=True, default="", db_default="")
    reporting_community = models.ForeignKey(
        "branches.Organization",
        verbose_name="双报到社区",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reporting_members",
    )
    party_post = models.CharField(
        "党内职务", max_length=30, blank=True, help_text="书记、副书记、委员等；用于学时目标"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["branch_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="members_member_unique_id_number"),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        value = self.id_number or ""
        return value[:6] + "*" * 8 + value[-4:] if len(value) == 18 else "*" * len(value)

    def probation_ends_on(self) -> datetime.date:
        """One year after joining, or the extended date."""
        if self.probation_extended_until:
            return self.probation_extended_until
        joined = self.joined_on
        try:
            return joined.replace(year=joined.year + 1)
        except ValueError:
            return joined.replace(year=joined.year + 1, day=28)

    def confirmation_due_on(self) -> datetime.date:
        """The 转正申请 is due one month before the probation ends (interfaces.md §4.2)."""
        return add_months(self.probation_ends_on(), -1)

    def is_full_on(self, day: datetime.date) -> bool:
        if self.category != self.Category.FULL:
            return False
        return self.confirmed_on is None or self.confirmed_on <= day


class MembershipQuerySet(models.QuerySet):
    def on(self, day: datetime.date):
        """Memberships in force on `day` (counting in the figures of that day)."""
        return self.filter(started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


class Membership(models.Model):
    """A period during which a member belongs to a branch and counts in its figures.

    Opened by an import (from the 入党日期) or by a transfer in or a 恢复党籍; closed by a
    transfer out, 停止党籍, 出党 or death. `ended_on` is the first day the member no longer counts.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    branch = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="memberships"
    )
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "组织关系期间"
        verbose_name_plural = "组织关系期间"
        ordering = ["member_id", "started_on"]
        indexes = [models.Index(fields=["branch", "started_on"], name="members_membership_branch")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_on__isnull=True),
                name="members_membership_one_open_per_member",
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.branch} {self.started_on}–{self.ended_on or ''}"


class MemberEvent(models.Model):
    """One recorded action in a member's party life, with its date and who recorded it."""

    class Kind(models.TextChoices):
        CREATED = "created", "登记入册"
        CONFIRMED = "confirmed", "转正"
        PROBATION_EXTENDED = "probation_extended", "延长预备期"
        TRANSFER_OUT = "transfer_out", "组织关系转出"
        TRANSFER_IN = "transfer_in", "组织关系转入"
        FLOW_OUT = "flow_out", "流出"
        FLOW_IN = "flow_in", "流入/返回"
        SUSPENDED = "suspended", "停止党籍"
        RESTORED = "restored", "恢复党籍"
        LEFT = "left", "出党"
        DECEASED = "deceased", "去世"
        EDITED = "edited", "信息修改"
        GROUP_ASSIGNED = "group_assigned", "调整党小组"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=30, choices=Kind.choices)
    date = models.DateField("日期")
    from_branch = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_branch = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    detail = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党员事项记录"
        verbose_name_plural = "党员事项记录"
        ordering = ["member_id", "date", "recorded_at"]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.date}"


class TransferQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Transfer.Status.PENDING)

    def visible_to(self, user):
        """Transfers either side of which the user may see: both branches see a transfer."""
        from branches.models import Organization

        visible = Organization.objects.visible_to(user)
        return self.filter(Q(from_branch__in=visible) | Q(to_branch__in=visible))


class Transfer(models.Model):
    """组织关系转接 across scopes: the sending branch initiates, the receiving branch accepts.

    A transfer between two branches the same user may change happens at once (status ACCEPTED
    on creation); otherwise it waits here, visible to both sides, until accepted, refused or
    withdrawn. The member's branch changes only when it is accepted.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待接收"
        ACCEPTED = "accepted", "已接收"
        REFUSED = "refused", "已退回"
        WITHDRAWN = "withdrawn", "已撤回"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_branch = models.ForeignKey(
        "branches.Organization", verbose_name="转出党支部", on_delete=models.PROTECT, related_name="+"
    )
    to_branch = models.ForeignKey(
        "branches.Organization", verbose_name="转入党支部", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PENDING
    )
    initiated_on = models.DateField("转出日期")
    accepted_on = models.DateField("转入日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="pending"),
                name="members_transfer_one_pending_per_member",
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.from_branch} → {self.to_branch}（{self.get_status_display()}）"

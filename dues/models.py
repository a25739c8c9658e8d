"""党费: who pays how much (categories, bases, rates, exemptions), the monthly book (a due amount per
member-month, payments, closed months) and the audited corrections of closed months.

Money is `Decimal` in numeric columns throughout. Months are stored as the month's first day.
`Due` is derived: `dues.book.sync` writes it from the bases, rates, exemptions, memberships and
payments, and leaves closed months alone (they change only through a `Correction`).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from branches.models import BranchScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


class Category(models.TextChoices):
    """人员类型 (interfaces.md §5.1)."""

    EMPLOYED = "employed", "在职"
    RETIRED = "retired", "离退休"
    FARMER = "farmer", "农民"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "下岗失业"
    SUBSISTENCE = "subsistence", "低保"
    OTHER = "other", "其他"


class RateVersion(models.Model):
    """A rate table in force from a month on, until a later version."""

    effective_from = models.DateField("生效月份", unique=True, help_text="当月1日")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费标准版本"
        verbose_name_plural = "党费标准版本"
        ordering = ["effective_from"]

    def __str__(self):
        return f"{self.effective_from:%Y-%m} 起"


class Rate(models.Model):
    """One line of a rate table: a bracket (base up to `upper_bound` → `percent` % of the whole
    base; the last bracket has no bound) or a fixed amount (with the range a file may give)."""

    version = models.ForeignKey(RateVersion, on_delete=models.CASCADE, related_name="rates")
    category = models.CharField("人员类型", max_length=20, choices=Category.choices)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    upper_bound = models.DecimalField("基数上限（含）", null=True, blank=True, **MONEY)
    percent = models.DecimalField("比例（%）", max_digits=7, decimal_places=4, null=True, blank=True)
    fixed_amount = models.DecimalField("固定金额", null=True, blank=True, **MONEY)
    min_amount = models.DecimalField("最低", null=True, blank=True, **MONEY)
    max_amount = models.DecimalField("最高", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = "党费标准"
        verbose_name_plural = "党费标准"
        ordering = ["version_id", "category", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "category", "position"],
                                    name="dues_rate_unique_line"),
            models.CheckConstraint(
                condition=(Q(percent__isnull=False) | Q(fixed_amount__isnull=False)
                           | Q(min_amount__isnull=False)),
                name="dues_rate_percent_or_fixed"),
        ]

    def __str__(self):
        return f"{self.version} {self.get_category_display()} {self.position}"


class DuesBaseQuerySet(BranchScopedQuerySet):
    def in_subtree(self, org):
        return self.filter(member__branch__path__startswith=org.path)


class DuesBase(models.Model):
    """A member's 人员类型 and monthly base from a month on (a later one replaces it)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_bases")
    effective_from = models.DateField("起始月份", help_text="当月1日")
    category = models.CharField("人员类型", max_length=20, choices=Category.choices)
    base = models.DecimalField("缴费基数（元）", null=True, blank=True, **MONEY)
    fixed_amount = models.DecimalField("月缴纳额（元）", null=True, blank=True, **MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    objects = DuesBaseQuerySet.as_manager()

    class Meta:
        verbose_name = "党费缴纳基数"
        verbose_name_plural = "党费缴纳基数"
        ordering = ["member_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["member", "effective_from"],
                                    name="dues_base_unique_member_month"),
        ]

    def __str__(self):
        return f"{self.member} {self.effective_from:%Y-%m} {self.get_category_display()}"


class Exemption(models.Model):
    """免交 or 减交 for a member over a month range, with a reason; counts once approved by the
    level above the branch."""

    class Kind(models.TextChoices):
        EXEMPT = "exempt", "免交"
        REDUCED = "reduced", "减交"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                               related_name="dues_exemptions")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    amount = models.DecimalField("减交后月缴纳额", null=True, blank=True, **MONEY)
    reason = models.CharField("理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费免交/减交"
        verbose_name_plural = "党费免交/减交"
        ordering = ["member_id", "first_month"]
        constraints = [
            models.CheckConstraint(condition=Q(first_month__lte=models.F("last_month")),
                                   name="dues_exemption_months_in_order"),
        ]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.first_month:%Y-%m}至{self.last_month:%Y-%m}"


class DueQuerySet(BranchScopedQuerySet):
    pass


class Due(models.Model):
    """What one member owes for one month, at the branch they were registered in that month, and
    what has been paid for it (the sum of the payments' parts)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues")
    month = models.DateField("月份")
    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("人员类型", max_length=20, choices=Category.choices)
    base = models.DecimalField("缴费基数", null=True, blank=True, **MONEY)
    amount = models.DecimalField("应交", **MONEY)
    paid = models.DecimalField("已交", default=0, **MONEY)
    exemption = models.CharField("免交/减交", max_length=10, blank=True)

    objects = DueQuerySet.as_manager()

    class Meta:
        verbose_name = "应交党费"
        verbose_name_plural = "应交党费"
        ordering = ["branch_id", "month", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_due_unique_member_month"),
        ]
        indexes = [
            models.Index(fields=["branch", "month"], name="dues_due_branch_month"),
            models.Index(fields=["month", "branch"], name="dues_due_month_branch"),
        ]

    def __str__(self):
        return f"{self.member} {self.month:%Y-%m} {self.amount}"

    @property
    def is_paid(self) -> bool | None:
        """None for a month whose amount is 0 (neither paid nor unpaid, interfaces.md §5.3)."""
        return None if self.amount == 0 else self.paid >= self.amount


class Payment(models.Model):
    """Money handed in for one month or a run of months, split over them in `PaymentPart`s."""

    class Method(models.TextChoices):
        CASH = "cash", "现金"
        TRANSFER = "transfer", "转账"
        ONLINE = "online", "网上缴纳"

    class Source(models.TextChoices):
        FORM = "form", "逐笔登记"
        BULK = "bulk", "批量登记"
        IMPORT = "import", "导入"
        CORRECTION = "correction", "更正"
        DEMO = "demo", "演示数据"

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_payments")
    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="+")
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    amount = models.DecimalField("金额", **MONEY)
    paid_on = models.DateField("缴纳日期")
    method = models.CharField("方式", max_length=10, choices=Method.choices, default=Method.CASH)
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.FORM)
    voided = models.BooleanField("已作废", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = DueQuerySet.as_manager()

    class Meta:
        verbose_name = "党费缴纳记录"
        verbose_name_plural = "党费缴纳记录"
        ordering = ["member_id", "first_month", "paid_on"]
        indexes = [models.Index(fields=["member", "first_month"], name="dues_payment_member_month")]

    def __str__(self):
        return f"{self.member} {self.first_month:%Y-%m}至{self.last_month:%Y-%m} {self.amount}"


class PaymentPart(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="parts")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    month = models.DateField("月份")
    amount = models.DecimalField("金额", **MONEY)

    class Meta:
        verbose_name = "党费缴纳分月"
        verbose_name_plural = "党费缴纳分月"
        indexes = [models.Index(fields=["member", "month"], name="dues_part_member_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.amount}"


class MonthClose(models.Model):
    """A branch's month handed up (报送): its book is frozen, the upper level sees it."""

    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")
    members = models.PositiveIntegerField("人数")
    due = models.DecimalField("应交", **MONEY)
    collected = models.DecimalField("实交", **MONEY)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费月度报送"
        verbose_name_plural = "党费月度报送"
        ordering = ["branch_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"], name="dues_close_unique_branch_month"),
        ]

    def __str__(self):
        return f"{self.branch} {self.month:%Y-%m}"


class Correction(models.Model):
    """A change to a closed month, with its reason (also in the audit log)."""

    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, related_name="+")
    what = models.CharField("更正事项", max_length=200)
    reason = models.CharField("更正理由", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                           blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费更正"
        verbose_name_plural = "党费更正"
        ordering = ["branch_id", "month", "at"]

    def __str__(self):
        return f"{self.branch} {self.month:%Y-%m} {self.what}"


class BookSync(models.Model):
    """When `dues.book.sync_scope` last brought a scope's month up to date (the time the sync
    began), so that the next read re-syncs only the members whose inputs changed since. The
    scope is an organization's path ("" for every organization); a rate change deletes them all."""

    path = models.CharField("组织路径", max_length=255)
    month = models.DateField("月份")
    synced_at = models.DateTimeField("同步开始时间")

    class Meta:
        verbose_name = "党费台账同步记录"
        verbose_name_plural = "党费台账同步记录"
        constraints = [
            models.UniqueConstraint(fields=["path", "month"], name="dues_booksync_unique_path_month"),
        ]

    def __str__(self):
        return f"{self.path or '*'} {self.month:%Y-%m} {self.synced_at:%Y-%m-%d %H:%M}"

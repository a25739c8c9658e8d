"""Serving the residents: 群众诉求 from receipt to 回访, and 在职党员 reporting to the community
where they live (双报到).

A `Demand` holds its current state (who handles it, the deadline, when it was closed, the
回访's result); every step is also a `DemandStep` row (what, when, by whom, the note), so the
history is kept while the figures read one row per demand. The resident's phone is personal
data: pages, exports and the audit trail show `masked_phone`; the full number only on an audited
reveal.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from branches.models import Organization
from tabular.values import mask_phone

DEFAULT_DAYS = 7  # interfaces.md §9: a category without its own setting


class DeadlineRule(models.Model):
    """How many days a category of demand gets by default (data, changed by 组织部)."""

    category = models.CharField("类别", max_length=30, unique=True)
    days = models.PositiveSmallIntegerField("办理时限（天）")

    class Meta:
        verbose_name = "诉求办理时限"
        verbose_name_plural = "诉求办理时限"
        ordering = ["category"]

    def __str__(self):
        return f"{self.category}：{self.days} 天"


class DemandQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Demands received by, or dispatched to, an organization the user may see."""
        seen = Organization.objects.visible_to(user)
        return self.filter(Q(received_by__in=seen) | Q(handler__in=seen))

    def open(self):
        return self.filter(closed_on__isnull=True).exclude(status=Demand.Status.ARCHIVED)


class Demand(models.Model):
    """One resident's demand, from 受理 to 归档."""

    class Source(models.TextChoices):
        VISIT = "visit", "走访"
        PHONE = "phone", "电话"
        WALK_IN = "walk_in", "来访"
        GRID = "grid", "网格"
        HOTLINE = "12345", "12345"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        DISPATCHED = "dispatched", "办理中"
        CLOSED = "closed", "已办结"
        VISITED = "visited", "已回访"
        ARCHIVED = "archived", "已归档"

    class Visit(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    received_on = models.DateField("受理日期")
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.VISIT)
    category = models.CharField("类别", max_length=30)
    description = models.TextField("诉求内容")
    resident_name = models.CharField("群众姓名", max_length=50, blank=True)
    resident_phone = models.CharField("联系电话", max_length=30, blank=True)
    received_by = models.ForeignKey(
        "branches.Organization", verbose_name="受理党组织", on_delete=models.PROTECT,
        related_name="demands_received",
    )
    handler = models.ForeignKey(
        "branches.Organization", verbose_name="承办党组织", on_delete=models.PROTECT,
        related_name="demands_handled", help_text="未派单时为受理党组织",
    )
    deadline = models.DateField("办理时限")
    status = models.CharField("状态", max_length=12, choices=Status.choices,
                              default=Status.RECEIVED)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    visit = models.CharField("回访结果", max_length=12, choices=Visit.choices, blank=True)
    visited_on = models.DateField("回访日期", null=True, blank=True)
    reopened = models.BooleanField("不满意重办", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = "群众诉求"
        verbose_name_plural = "群众诉求"
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["handler", "received_on"], name="community_demand_handler"),
            models.Index(fields=["received_by", "received_on"], name="community_demand_receiver"),
            models.Index(fields=["closed_on"], name="community_demand_closed"),
        ]

    def __str__(self):
        return f"{self.received_on} {self.category}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.resident_phone)

    @property
    def label(self) -> str:
        """How the trail and the reminders name a demand: no resident's data."""
        return f"{self.received_on} {self.category}诉求（{self.received_by.name}受理）"

    def is_closed_on_time(self) -> bool | None:
        if self.closed_on is None:
            return None
        return self.closed_on <= self.deadline

    def overdue_on(self, day) -> bool:
        return self.closed_on is None and self.status != self.Status.ARCHIVED and self.deadline < day


class DemandStep(models.Model):
    """A step of a demand's handling, timed and signed."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "受理"
        DISPATCHED = "dispatched", "派单"
        NOTE = "note", "办理"
        CLOSED = "closed", "办结"
        VISITED = "visited", "回访"
        REOPENED = "reopened", "不满意重办"
        ARCHIVED = "archived", "归档"
        IMPORTED = "imported", "台账导入"

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("环节", max_length=12, choices=Kind.choices)
    date = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    organization = models.ForeignKey(
        "branches.Organization", verbose_name="承办党组织", on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "诉求办理环节"
        verbose_name_plural = "诉求办理环节"
        ordering = ["demand_id", "recorded_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


# ------------------------------------------------------------------------------------ 双报到

class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The community sees who reported to it; the home branch sees its members' reports."""
        seen = Organization.objects.visible_to(user)
        return self.filter(Q(community__in=seen) | Q(member__branch__in=seen))

    def active(self):
        return self.filter(ended_on__isnull=True)


class Registration(models.Model):
    """An 在职党员 reporting to the community 党组织 where they live (双报到)."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE,
                               related_name="community_registrations")
    community = models.ForeignKey("branches.Organization", verbose_name="报到社区",
                                  on_delete=models.PROTECT, related_name="registrations")
    registered_on = models.DateField("报到日期")
    interests = models.CharField("服务意向", max_length=200, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = "双报到登记"
        verbose_name_plural = "双报到登记"
        ordering = ["community_id", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True),
                                    name="community_registration_one_active"),
        ]

    def __str__(self):
        return f"{self.member} → {self.community}"


class ServicePost(models.Model):
    """A 服务岗位 a community posts: what, when, how many people."""

    community = models.ForeignKey("branches.Organization", verbose_name="社区",
                                  on_delete=models.PROTECT, related_name="service_posts")
    title = models.CharField("岗位", max_length=100)
    description = models.TextField("内容", blank=True)
    date = models.DateField("服务日期")
    places = models.PositiveSmallIntegerField("需要人数", default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "服务岗位"
        verbose_name_plural = "服务岗位"
        ordering = ["-date", "id"]

    def __str__(self):
        return f"{self.date} {self.title}"


class Service(models.Model):
    """A reported member's claim of a post, and the community's confirmation with the hours."""

    post = models.ForeignKey(ServicePost, on_delete=models.CASCADE, related_name="services")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE,
                                     related_name="services")
    claimed_at = models.DateTimeField(auto_now_add=True)
    hours = models.DecimalField("服务时长（小时）", max_digits=5, decimal_places=1, null=True,
                                blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "认领服务"
        verbose_name_plural = "认领服务"
        ordering = ["post_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "registration"],
                                    name="community_service_once_per_post"),
        ]

    def __str__(self):
        return f"{self.registration.member} {self.post}"

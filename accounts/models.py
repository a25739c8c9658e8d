"""Who may do what where: roles held in organizations, and the audit trail."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from core.registry import site


class Role(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", "组织部管理员"
        ORG_ADMIN = "org_admin", "党组织管理员"
        SECRETARY = "secretary", "支部书记"
        AUDITOR = "auditor", "审计"

    READ_KINDS = (Kind.STAFF, Kind.ORG_ADMIN, Kind.SECRETARY, Kind.AUDITOR)
    CHANGE_KINDS = (Kind.STAFF, Kind.ORG_ADMIN, Kind.SECRETARY)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name="用户"
    )
    kind = models.CharField("角色", max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "organization"], name="accounts_role_unique_grant"
            ),
            models.CheckConstraint(
                condition=Q(kind="staff") | Q(organization__isnull=False),
                name="accounts_role_scoped_roles_need_org",
            ),
        ]

    def __str__(self):
        where = self.organization.name if self.organization_id else "全区"
        return f"{self.get_kind_display()}（{where}）"

    @classmethod
    def for_user(cls, user) -> list["Role"]:
        """The user's roles, fetched once per user object (i.e. once per request)."""
        cached = getattr(user, "_roles_cache", None)
        if cached is None:
            cached = list(cls.objects.filter(user=user).select_related("organization"))
            user._roles_cache = cached
        return cached


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D102 - the trail is append-only
        raise PermissionError("审计记录不可修改")

    def delete(self):
        raise PermissionError("审计记录不可删除")


class AuditLog(models.Model):
    """An append-only record of who did what. Nothing in the portal edits or deletes it."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("操作", max_length=50, db_index=True)
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name="党组织",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action_label} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不可删除")

    @property
    def action_label(self) -> str:
        """The event's Chinese name as its app registered it (core.registry), never the code."""
        return site().audit_labels.get(self.action, "其他操作")


def audit(actor, action: str, *, organization=None, target: str = "", **detail) -> AuditLog:
    """Record an action. `actor` may be None for system jobs (imports from the command line)."""
    user = actor if (actor is not None and getattr(actor, "pk", None)) else None
    return AuditLog.objects.create(
        actor=user, action=action, organization=organization, target=target[:200], detail=detail
    )

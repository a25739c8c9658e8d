"""API tokens: several per user, named, revocable, stored only as a SHA-256 digest."""
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX_LENGTH = 8


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    """40 URL-safe characters (240 random bits)."""
    return secrets.token_urlsafe(30)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A token a program sends as `Authorization: Token …`. The token itself is shown once when
    it is issued; the portal keeps its digest and its first characters (to tell tokens apart)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name="用户")
    name = models.CharField("用途", max_length=50, blank=True)
    prefix = models.CharField("开头", max_length=PREFIX_LENGTH)
    digest = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.prefix}…（{self.name or '未命名'}）"

    USE_RECORDED_EVERY = 60  # seconds: a busy script does not write on every request

    def mark_used(self) -> None:
        now = timezone.now()
        if self.last_used_at and (now - self.last_used_at).total_seconds() < self.USE_RECORDED_EVERY:
            return
        ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now

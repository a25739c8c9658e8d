"""An uploaded spreadsheet on its way in: its preview plan, progress and result.

The plan stored here is what the user confirms; applying it never parses the file again.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone

from core.registry import site


class ImportBatchQuerySet(models.QuerySet):
    def owned_by(self, user):
        """An upload, its preview and its progress are visible to the uploader only."""
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(owner=user)


def upload_path(instance, filename):
    return f"imports/{instance.owner_id}/{filename}"


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PARSING = "parsing", "正在读取和校验"
        PREVIEW = "preview", "待确认"
        APPLYING = "applying", "正在写入"
        DONE = "done", "已完成"
        REJECTED = "rejected", "未导入"
        FAILED = "failed", "无法读取"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=20, help_text="an importer registered by an app")
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=upload_path)
    original_name = models.CharField("文件名", max_length=255)
    skip_invalid = models.BooleanField("跳过有错误的行", default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PARSING)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    plan = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        "最近进展", null=True, blank=True, default=timezone.now,
        help_text="读取、校验和写入的每一步更新；久无进展的批次会被重新排队。")
    requeues = models.PositiveSmallIntegerField("重新排队次数", default=0)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind_label} {self.original_name}"

    @property
    def kind_label(self) -> str:
        """The importer's name as the app registered it (core.registry)."""
        importers = site().importers
        return importers.get(self.kind).label if self.kind in importers else self.kind

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PARSING, self.Status.APPLYING)

"""What the reminders job delivered: one inbox entry per (user, item), one e-mail per user and day,
and each user's choices. The items themselves are computed by the apps that own the deadlines
(core.registry reminder kinds); nothing here stores their state."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class ReminderQuerySet(models.QuerySet):
    def open(self):
        """Still reported by the app that owns the deadline (not done yet)."""
        return self.filter(closed_on__isnull=True)

    def unread(self):
        return self.open().filter(read_at__isnull=True)


class Reminder(models.Model):
    """One item delivered to one user's inbox. `identity` is the item's stable key (the app's
    `ReminderItem.identity`): the unique constraint makes a delivery happen once, however often
    the job runs or is restarted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reminders", verbose_name="收件人")
    kind = models.CharField("类型", max_length=40)
    organization = models.ForeignKey("branches.Organization", on_delete=models.CASCADE,
                                     related_name="+", verbose_name="党组织")
    due = models.DateField("期限")
    text = models.TextField("内容")
    identity = models.CharField("事项标识", max_length=200)
    digest = models.BooleanField("下级汇总", default=False,
                                 help_text="作为上级党组织的下级事项汇总送达（不是本组织的事项）")
    delivered_on = models.DateField("送达日期")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True,
                                 help_text="事项不再出现（如会议已录入、已转正）的日期")

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["due", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "identity"],
                                    name="reminders_reminder_once_per_user"),
        ]
        indexes = [
            models.Index(fields=["user", "closed_on", "read_at"], name="reminders_inbox"),
            models.Index(fields=["identity"], name="reminders_identity"),
        ]

    def __str__(self):
        return f"{self.user} {self.kind} {self.due}"


class Mail(models.Model):
    """The day's message to one user on one channel (e-mail or SMS; at most one per day each),
    written in the same transaction as the inbox entries it announces and sent afterwards;
    `sent_at` is set once it left."""

    class Channel(models.TextChoices):
        EMAIL = "email", "邮件"
        SMS = "sms", "短信"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name="收件人")
    on = models.DateField("日期")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices,
                               default=Channel.EMAIL)
    to = models.CharField("邮箱或手机号", max_length=254)
    subject = models.CharField("主题", max_length=200)
    body = models.TextField("正文")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒邮件"
        verbose_name_plural = "提醒邮件"
        constraints = [
            models.UniqueConstraint(fields=["user", "on", "channel"],
                                    name="reminders_mail_once_a_day"),
        ]
        indexes = [models.Index(fields=["on"], name="reminders_mail_unsent",
                                condition=Q(sent_at__isnull=True))]

    def __str__(self):
        return f"{self.to} {self.on}"


class Preference(models.Model):
    """A user's choices: e-mail on or off, SMS on or off (to which phone), and how often the
    digest of the subtree comes."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "每天"
        WEEKLY = "weekly", "每周一"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="reminder_preference", verbose_name="用户")
    email = models.BooleanField("邮件提醒", default=True)
    sms = models.BooleanField("短信提醒", default=False)
    phone = models.CharField("接收短信的手机号", max_length=11, blank=True)
    digest_frequency = models.CharField("下级汇总频率", max_length=10, choices=Frequency.choices,
                                        default=Frequency.DAILY)

    class Meta:
        verbose_name = "提醒设置"
        verbose_name_plural = "提醒设置"

    def __str__(self):
        return f"{self.user} 提醒设置"

    def digest_due(self, on) -> bool:
        """Whether the subtree's digest goes out on `on` (weekly: on Mondays)."""
        return self.digest_frequency == self.Frequency.DAILY or on.weekday() == 0

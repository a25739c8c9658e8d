"""What account management keeps beside Django's users: a phone, whether the password was
issued by someone else (then it must be changed at the next sign-in), and the printable lists of
initial passwords, kept only until they are shown once."""
from django.conf import settings
from django.db import models


class Account(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                primary_key=True, related_name="account", verbose_name="用户")
    phone = models.CharField("手机", max_length=20, blank=True)
    must_change_password = models.BooleanField(
        "须修改密码", default=False,
        help_text="The password was set by an administrator (creation or reset).")
    password_issued_at = models.DateTimeField("密码发放时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self):
        return self.user.username


class PasswordSheet(models.Model):
    """Initial passwords for the administrator who issued them, shown once and then wiped."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+", verbose_name="发放人")
    rows = models.JSONField("密码单", default=list, blank=True)
    count = models.PositiveIntegerField("账号数", default=0)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    shown_at = models.DateTimeField("显示时间", null=True, blank=True)

    class Meta:
        verbose_name = "初始密码单"
        verbose_name_plural = "初始密码单"
        ordering = ["-created_at"]

    def __str__(self):
        return f"初始密码单（{self.count} 个账号）"

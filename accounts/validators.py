"""Password rules beyond Django's own."""
from django.core.exceptions import ValidationError


class UsernameInPasswordValidator:
    """Refuse a password that contains the username ("sec1101" → "sec1101-2026-01"): Django's
    UserAttributeSimilarityValidator compares whole strings and lets the username plus a few
    digits through."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").strip().lower()
        if len(username) >= 3 and username in (password or "").lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"

"""Issuing and revoking API tokens: one transaction each, audited (never the token itself)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import audit
from api.models import PREFIX_LENGTH, ApiToken, digest, new_raw_token

TOKEN_ISSUED = "api.token_issued"
TOKEN_REVOKED = "api.token_revoked"
AUDIT_LABELS = {TOKEN_ISSUED: "签发接口令牌", TOKEN_REVOKED: "撤销接口令牌"}


@transaction.atomic
def issue_token(user, *, name: str = "", by) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the token, which is never stored."""
    raw = new_raw_token()
    token = ApiToken.objects.create(user=user, name=(name or "").strip()[:50],
                                    prefix=raw[:PREFIX_LENGTH], digest=digest(raw))
    audit(by, TOKEN_ISSUED, target=f"{user.username} {token.prefix}…", user_id=user.pk,
          token_id=token.pk, name=token.name)
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, by) -> ApiToken:
    """Stop a token from working from now on; its owner (or a system command) may do it."""
    if by is not None and by.pk != token.user_id:
        raise PermissionDenied("只能撤销自己的接口令牌。")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(by, TOKEN_REVOKED, target=f"{token.user.username} {token.prefix}…",
              user_id=token.user_id, token_id=token.pk)
    return token

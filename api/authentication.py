"""`Authorization: Token …` (api.models.ApiToken). Listed first in REST_FRAMEWORK so that a
request without credentials is answered 401 with `WWW-Authenticate: Token`."""
from rest_framework import authentication, exceptions

from api.models import ApiToken, digest


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("令牌格式不正确，应为：Authorization: Token 令牌。")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed("令牌格式不正确。") from None
        token = ApiToken.objects.active().select_related("user").filter(digest=digest(raw)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("令牌无效或已被撤销。")
        token.mark_used()
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword

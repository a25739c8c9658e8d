"""The API's door: signed in (else 401), and writes only for users who may change something
(auditors: 403 on every write). Scope (404) and the right on each object (403) come from the
querysets and the actions, exactly as for the pages (accounts.policy)."""
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.policy import policy_for


class PortalAccess(BasePermission):
    message = "您只有查看权限，不能通过接口修改数据。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or policy_for(user).may_change_anything

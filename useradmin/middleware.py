"""A password an administrator issued must be replaced before anything else is done."""
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from useradmin import actions
from useradmin.signals import SESSION_KEY


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or not session.get(SESSION_KEY) or not request.user.is_authenticated:
            return self.get_response(request)
        change = reverse("accounts:password-change")
        if request.path not in (change, reverse("accounts:logout")) and not request.path.startswith(
                settings.STATIC_URL):
            if request.method == "GET":
                messages.info(request, "这是管理员为您设置的初始密码，请先修改密码再继续使用。")
            return redirect(change)
        response = self.get_response(request)
        if request.path == change and request.method == "POST" and response.status_code == 302:
            actions.password_changed(request.user)
            request.session.pop(SESSION_KEY, None)
        return response

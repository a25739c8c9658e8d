"""At sign-in (one query), remember in the session whether an issued password must be changed,
so useradmin.middleware costs other requests nothing."""
from django.contrib.auth.signals import user_logged_in

from useradmin.models import Account

SESSION_KEY = "useradmin_must_change_password"


def note_issued_password(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if Account.objects.filter(user=user, must_change_password=True).exists():
        request.session[SESSION_KEY] = True
    else:
        request.session.pop(SESSION_KEY, None)


def connect():
    user_logged_in.connect(note_issued_password, dispatch_uid="useradmin-issued-password")

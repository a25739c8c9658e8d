from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from accounts.models import Role, is_staff_user


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


def home(request):
    """Send each user to their working page: secretaries to their branch, others to the dashboard."""
    user = request.user
    roles = Role.for_user(user)
    only_secretary = roles and all(r.kind == Role.Kind.SECRETARY for r in roles)
    if only_secretary and not is_staff_user(user):
        targets = ["activities:secretary-home", "branches:tree"]
    else:
        targets = ["reports:dashboard", "branches:tree"]
    for name in targets:
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    return redirect("branches:tree")

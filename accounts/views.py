from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from accounts.policy import policy_for


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


def home(request):
    """Send each user to their working page: secretaries to their branch, others to the dashboard."""
    policy = policy_for(request.user)
    if not policy.has_role:
        return render(request, "accounts/no_role.html")
    if policy.only_secretary:
        targets = ["reports:secretary-home", "branches:tree"]
    else:
        targets = ["reports:dashboard", "branches:tree"]
    for name in targets:
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    return redirect("branches:tree")


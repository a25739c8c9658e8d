"""The page where a user sees their API tokens, issues a new one (shown once) and revokes them."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from api import actions
from api.models import ApiToken


def _page(request, *, new_token=None, status=200):
    tokens = ApiToken.objects.active().filter(user=request.user)
    return render(request, "api/tokens.html", {"tokens": tokens, "new_token": new_token},
                  status=status)


@require_http_methods(["GET", "POST"])
def token_list(request):
    if request.method == "POST":
        token, raw = actions.issue_token(request.user, name=request.POST.get("name", ""),
                                         by=request.user)
        return _page(request, new_token={"record": token, "raw": raw})
    return _page(request)


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.active().filter(user=request.user), pk=pk)
    actions.revoke_token(token, by=request.user)
    messages.success(request, f"已撤销令牌 {token.prefix}…，使用它的程序将无法再访问。")
    return redirect("api:token-list")

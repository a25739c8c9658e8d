"""/api/v1/ from the registered routes (core.registry `api_route`), the schema, the docs, tokens.

REST framework exempts its views from LoginRequiredMiddleware: the endpoints and the schema
answer 401 themselves (a program must not be sent to the login page). The docs page is for
people, so it keeps the login redirect.
"""
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api.views import docs, tokens
from core.registry import site


class Router(DefaultRouter):
    include_format_suffixes = False  # JSON only: no `.json` twins of every URL


def api_patterns():
    router = Router()
    for route in site().api_routes:
        router.register(route.key, route.viewset_class(), basename=route.basename)
    return router.urls


app_name = "api"

urlpatterns = [
    path("v1/", include(api_patterns())),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", login_required(docs.DocsView.as_view()), name="docs"),
    path("tokens/", tokens.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
]

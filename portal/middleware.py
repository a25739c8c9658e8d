"""Response headers that Django's SecurityMiddleware does not set."""
from django.conf import settings


class SecurityHeadersMiddleware:
    """Adds a strict Content-Security-Policy (no inline scripts) to every response, and
    `Cache-Control: no-store` to every response for a signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A signed-in page may hold ID numbers and phones (a reveal, an export): no browser
            # or proxy keeps a copy. Static files (whitenoise, before auth) keep their caching.
            response.headers.setdefault("Cache-Control", "no-store, private")
        return response

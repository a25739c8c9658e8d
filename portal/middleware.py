"""Response headers that Django's SecurityMiddleware does not set."""
from django.conf import settings


class SecurityHeadersMiddleware:
    """Adds a strict Content-Security-Policy (no inline scripts) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

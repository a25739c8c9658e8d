"""Response headers that Django's SecurityMiddleware does not set, and the sessions' idle timeout."""
import time

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


class SlidingSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without activity, and activity keeps them alive:
    a session is written again (its expiry moved) when its last write is older than
    SESSION_REFRESH_SECONDS. Django's SESSION_SAVE_EVERY_REQUEST would write it on every page,
    one UPDATE and commit per request, which under load cost more than many pages' own queries;
    the idle timeout is then exact to within those few minutes."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response

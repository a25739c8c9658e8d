"""Shared fixtures: a small district and the personas of STYLE.md."""
import pytest

from tests.factories import build_district, build_personas

pytest_plugins = ["tests.celery_worker"]  # the `broker` fixture: a real worker on Redis


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"tests-{tmp_path.name}"}}
    settings.AXES_ENABLED = True
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def district(db):
    """党工委 1000 → 党委 1100 (支部 1101 with 党小组 1101-1, 支部 1102) and 党委 1200 (支部 1201)."""
    return build_district()


@pytest.fixture
def personas(district):
    return build_personas(district)

"""How the portal is served: the Redis cache's shared client, sessions read through the cache,
and the WSGI module's frozen start-up objects."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

from tests.celery_worker import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_cache():
    if not REDIS_URL:
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test the Redis cache")
    from portal.redis_cache import RedisCache

    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-serving"})
    backend.clear()
    yield backend
    backend.clear()


def test_the_redis_cache_keeps_one_client_and_still_works(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client() is client
    assert redis_cache._cache.get_client(write=True) is client  # one server: one pool, one client

    redis_cache.set("figures", {"rate": "0.50"})
    assert redis_cache.get("figures") == {"rate": "0.50"}
    assert redis_cache.add("gen", 1) and not redis_cache.add("gen", 5)
    assert redis_cache.incr("gen") == 2
    assert redis_cache.get_many(["figures", "gen", "missing"]) == {"figures": {"rate": "0.50"},
                                                                   "gen": 2}
    redis_cache.delete("figures")
    assert redis_cache.get("figures") is None


def test_settings_use_the_shared_client_backend_for_a_redis_url():
    code = ("from django.conf import settings; print(settings.CACHES['default']['BACKEND'])")
    env = dict(os.environ, CACHE_URL="redis://127.0.0.1:6379/3",
               DJANGO_SETTINGS_MODULE="portal.settings")
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "portal.redis_cache.RedisCache"


def test_a_signed_in_page_reads_the_session_through_the_cache(client, personas):
    client.force_login(personas.secretary)
    key = client.session.session_key
    assert Session.objects.filter(pk=key).exists()  # written through to the database
    assert client.get("/").status_code in (200, 302)

    Session.objects.filter(pk=key).delete()  # the cached copy still serves the next page …
    assert client.get("/meetings/").status_code == 200
    cache.clear()  # … and without either, the user signs in again
    assert client.get("/meetings/")["Location"].startswith("/accounts/login/")


def test_the_wsgi_module_loads_the_views_and_freezes_what_it_loaded():
    code = ("import gc, sys, portal.wsgi; "
            "print(gc.get_freeze_count(), 'activities.views.meetings' in sys.modules)")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    frozen, views_loaded = out.stdout.split()
    assert int(frozen) > 50_000 and views_loaded == "True"

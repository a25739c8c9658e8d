import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# Load every view module now (the URLconf imports them), then take what is loaded out of the
# garbage collector's sight: its full collections walked the ~200,000 objects of Django and the
# portal's modules each time, ~150 ms of CPU in the middle of some request (bench/bench_load.py's
# tail). Objects made later, per request, are collected as before.
get_resolver().url_patterns  # noqa: B018 - evaluated for its imports
gc.collect()
gc.freeze()

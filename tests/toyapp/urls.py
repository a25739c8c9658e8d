"""The toy app's URLs, and a root URLconf that adds them to the portal's (the one line an app
adds to portal/urls.py)."""
from django.urls import include, path

from portal.urls import urlpatterns as portal_patterns
from tests.toyapp import views

app_name = "toyapp"
urlpatterns = [path("", views.index, name="index")]

root_patterns = [*portal_patterns, path("toys/", include("tests.toyapp.urls"))]

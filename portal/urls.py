from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("branches.urls")),
    path("members/", include("members.urls")),
    path("meetings/", include("activities.urls")),
    path("reports/", include("reports.urls")),
    path("imports/", include("imports.urls")),
    path("stats/", include("stats.urls")),
    path("api/", include("api.urls")),
    path("recruitment/", include("recruitment.urls")),
    path("dues/", include("dues.urls")),
    path("users/", include("useradmin.urls")),
    path("reminders/", include("reminders.urls")),
    path("cycle/", include("cycle.urls")),
    path("community/", include("community.urls")),
    path("admin/", admin.site.urls),
]

# The admin is the superusers' tool only (issue 10 item 7): staff users with model permissions
# would otherwise read around the portal's scope, masks and audit.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "基层党建台账 管理后台"
admin.site.site_title = "基层党建台账"

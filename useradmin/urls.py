from django.urls import path

from useradmin import views

app_name = "useradmin"

urlpatterns = [
    path("", views.account_list, name="account-list"),
    path("new/", views.account_create, name="account-create"),
    path("<int:pk>/", views.account_detail, name="account-detail"),
    path("<int:pk>/reset-password/", views.account_reset, name="account-reset"),
    path("<int:pk>/active/", views.account_active, name="account-active"),
    path("<int:pk>/roles/", views.role_grant, name="role-grant"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role-revoke"),
    path("sheets/<int:pk>/", views.sheet, name="sheet"),
    path("audit/", views.audit_log, name="audit-log"),
]

from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="member-list"),
    path("export/", views.member_export, name="member-export"),
    path("export/official/", views.official_export, name="official-export"),
    path("export/official/organizations/", views.official_org_export, name="official-org-export"),
    path("new/", views.member_create, name="member-create"),
    path("assign-group/", views.member_assign_group, name="member-assign-group"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers/<int:pk>/<str:decision>/", views.transfer_decide, name="transfer-decide"),
    path("<int:pk>/", views.member_detail, name="member-detail"),
    path("<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("<int:pk>/reveal-id/", views.member_reveal_id, name="member-reveal-id"),
    path("<int:pk>/events/<str:kind>/", views.member_event, name="member-event"),
]

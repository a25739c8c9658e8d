from django.urls import path

from branches import views

app_name = "branches"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("-/pick/", views.pick, name="org-pick"),
    path("<str:code>/", views.detail, name="org-detail"),
    path("<str:code>/children/", views.children, name="org-children"),
    path("<str:code>/edit/", views.edit, name="org-edit"),
    path("<str:code>/new-child/", views.create_child, name="org-create-child"),
]

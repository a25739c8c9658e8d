from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/new/", views.upload, name="upload"),
    path("<slug:kind>/template.xlsx", views.template_download, name="template"),
    path("batch/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batch/<int:pk>/progress/", views.batch_progress, name="batch-progress"),
    path("batch/<int:pk>/confirm/", views.batch_confirm, name="batch-confirm"),
    path("batch/<int:pk>/errors.xlsx", views.batch_errors, name="batch-errors"),
]

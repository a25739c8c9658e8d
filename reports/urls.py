from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("start/", views.start, name="report-start"),
    path("runs/<int:pk>/", views.report_detail, name="report-detail"),
    path("runs/<int:pk>/progress/", views.progress, name="report-progress"),
    path("runs/<int:pk>/workbook/", views.workbook, name="report-workbook"),
]

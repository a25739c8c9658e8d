from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("", views.year_page, name="year"),
    path("workbook/", views.year_workbook, name="year-workbook"),
]

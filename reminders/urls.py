from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.read, name="reminder-read"),
    path("read-all/", views.read_all, name="read-all"),
    path("settings/", views.preferences, name="preferences"),
]

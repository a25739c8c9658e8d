from django.urls import path

app_name = "dues"
urlpatterns: list = []

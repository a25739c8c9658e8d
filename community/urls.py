from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("demands/", views.demands, name="demands"),
    path("demands/new/", views.demand_create, name="demand-create"),
    path("demands/figures/", views.figures, name="figures"),
    path("demands/export/", views.demands_export, name="demands-export"),
    path("demands/rules/", views.rules, name="rules"),
    path("demands/<int:pk>/", views.demand_detail, name="demand-detail"),
    path("demands/<int:pk>/phone/", views.demand_reveal_phone, name="demand-reveal-phone"),
    path("demands/<int:pk>/<slug:step>/", views.demand_step, name="demand-step"),
    path("reporting/", views.reporting, name="reporting"),
    path("reporting/new/", views.registration_create, name="registration-create"),
    path("reporting/export/", views.reporting_export, name="reporting-export"),
    path("reporting/<int:pk>/end/", views.registration_end, name="registration-end"),
    path("posts/new/", views.post_create, name="post-create"),
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("posts/<int:pk>/claim/", views.post_claim, name="post-claim"),
    path("services/<int:pk>/confirm/", views.service_confirm, name="service-confirm"),
]

from django.urls import path

from recruitment import views

app_name = "recruitment"

urlpatterns = [
    path("", views.people, name="people"),
    path("overview/", views.overview, name="overview"),
    path("calendar/", views.deadline_calendar, name="calendar"),
    path("approvals/", views.approvals, name="approvals"),
    path("publicity/", views.publicity_lists, name="publicity"),
    path("year/", views.year, name="year"),
    path("export/", views.export, name="export"),
    path("rules/", views.rules, name="rules"),
    path("new/", views.applicant_create, name="applicant-create"),
    path("<int:pk>/", views.applicant_detail, name="applicant-detail"),
    path("<int:pk>/print/", views.applicant_print, name="applicant-print"),
    path("<int:pk>/steps/<slug:step>/", views.step_record, name="step-record"),
    path("<int:pk>/stop/", views.applicant_stop, name="applicant-stop"),
    path("steps/<int:pk>/documents/", views.document_add, name="document-add"),
    path("documents/<int:pk>/", views.document_download, name="document-download"),
    path("violations/<int:pk>/accept/", views.violation_accept, name="violation-accept"),
    path("adopt/<int:member_pk>/", views.adopt, name="adopt"),
]

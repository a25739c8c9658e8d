from django.urls import path

from cycle import views

app_name = "cycle"

urlpatterns = [
    path("", views.year, name="year"),
    path("requirements/", views.yearly_requirements, name="yearly-requirements"),
    path("exemptions/", views.yearly_exemptions, name="yearly-exemptions"),
    path("exemptions/<int:pk>/delete/", views.yearly_exemption_delete, name="yearly-exemption-delete"),
    path("meetings/<int:pk>/inflows/", views.meeting_inflows, name="meeting-inflows"),
    path("terms/", views.terms, name="terms"),
    path("committees/new/", views.committee_create, name="committee-create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee-detail"),
    path("evaluations/", views.evaluations_page, name="evaluations"),
    path("outflows/", views.outflows, name="outflows"),
    path("outflows/new/", views.outflow_create, name="outflow-create"),
    path("outflows/<int:pk>/return/", views.outflow_return, name="outflow-return"),
    path("inflows/", views.inflows, name="inflows"),
    path("inflows/new/", views.inflow_create, name="inflow-create"),
    path("inflows/<int:pk>/end/", views.inflow_end, name="inflow-end"),
    path("letters/", views.letters, name="letters"),
    path("letters/out/", views.letter_out, name="letter-out"),
    path("letters/in/", views.letter_in, name="letter-in"),
    path("letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/print/", views.letter_print, name="letter-print"),
    path("letters/<int:pk>/receipt/", views.letter_receipt, name="letter-receipt"),
]

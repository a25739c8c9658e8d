from django.urls import path

from dues import views

app_name = "dues"

urlpatterns = [
    path("", views.book_page, name="book"),
    path("pay/", views.pay, name="pay"),
    path("all-paid/", views.all_paid, name="all-paid"),
    path("close/", views.close, name="close"),
    path("correct/", views.correct, name="correct"),
    path("overview/", views.overview, name="overview"),
    path("ledger/", views.ledger, name="ledger"),
    path("rates/", views.rates, name="rates"),
    path("members/<int:pk>/", views.member_dues, name="member"),
    path("members/<int:pk>/exemption/", views.exemption_request, name="exemption-request"),
    path("exemptions/<int:pk>/decide/", views.exemption_decide, name="exemption-decide"),
    path("payments/<int:pk>/void/", views.payment_void, name="payment-void"),
]

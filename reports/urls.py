from django.urls import path

from reports.views import dashboard, rules, workbench

app_name = "reports"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("start/", dashboard.start, name="report-start"),
    path("runs/<int:pk>/", dashboard.report_detail, name="report-detail"),
    path("runs/<int:pk>/progress/", dashboard.progress, name="report-progress"),
    path("runs/<int:pk>/workbook/", dashboard.workbook, name="report-workbook"),
    # what each branch has done and owes this quarter
    path("branch/", workbench.secretary_home, name="secretary-home"),
    path("overview/", workbench.overview, name="overview"),
    # what the branches are measured against
    path("rules/", rules.rule_list, name="rule-list"),
    path("exemptions/", rules.exemption_list, name="exemption-list"),
    path("exemptions/<int:pk>/delete/", rules.exemption_delete, name="exemption-delete"),
]

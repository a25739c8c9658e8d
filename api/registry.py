"""The api app's own endpoints and its page, declared like any app's (core.registry)."""
from api.actions import AUDIT_LABELS


def register(site):
    site.api_route("organizations", "api.views.organizations.OrganizationViewSet",
                   basename="organization", order=10)
    site.api_route("members", "api.views.members.MemberViewSet", basename="member", order=20)
    site.api_route("meetings", "api.views.meetings.MeetingViewSet", basename="meeting", order=30)
    site.api_route("reports", "api.views.reports.ReportViewSet", basename="report", order=40)
    site.menu_entry("api-tokens", "接口", "api:token-list", order=120)
    site.audit_actions(AUDIT_LABELS)

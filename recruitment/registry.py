"""What the recruitment pipeline adds to the shared screens and jobs (core.registry)."""
from core.registry import STAFF, UPPER


def register(site):
    from recruitment.actions import AUDIT_LABELS

    site.importer("applicants", "recruitment.importer.ApplicantImporter", "发展党员工作台账", order=35)
    site.menu_entry("recruitment", "发展党员", "recruitment:people", order=55)
    site.menu_entry("recruitment-approvals", "发展审批", "recruitment:approvals", order=75,
                    audience=UPPER)
    site.menu_entry("recruitment-rules", "发展时限", "recruitment:rules", order=105, audience=STAFF)
    site.reminder_kind("recruitment_due", "发展党员时限", "recruitment.reminders.collect", order=80)
    site.demo_seeder("recruitment", "recruitment.demo.seed", order=60)
    site.api_route("applicants", "recruitment.api.ApplicantViewSet", basename="applicant",
                   order=50)
    site.member_link("recruitment", "recruitment.links.member_links")
    site.audit_actions(AUDIT_LABELS)

"""What serving the residents adds to the shared screens and jobs (core.registry)."""
from core.registry import STAFF


def register(site):
    from community.actions import AUDIT_LABELS
    from community.figures import COLUMNS

    site.importer("demands", "community.importer.DemandImporter", "群众诉求台账", order=40)
    site.importer("community_registrations", "community.importer.RegistrationImporter",
                  "双报到名册", order=42)
    site.menu_entry("demands", "群众诉求", "community:demands", order=57,
                    badge="community.views.overdue_badge")
    site.menu_entry("reporting", "双报到", "community:reporting", order=58)
    site.menu_entry("demand-rules", "诉求时限", "community:rules", order=106, audience=STAFF)
    site.measure("demands", "群众诉求", "community.figures.measure", COLUMNS, order=40,
                 sheet_title="群众诉求")
    site.reminder_kind("demand_deadline", "群众诉求办理时限", "community.reminders.collect",
                       order=85)
    site.health_check("demands_overdue", "community.health.overdue_demands")
    site.demo_seeder("community", "community.demo.seed", order=70)
    site.member_link("community", "community.links.member_links", order=50)
    site.home_panel("demands", "群众诉求", "community.links.home_lines", order=50)
    site.audit_actions(AUDIT_LABELS)

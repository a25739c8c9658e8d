"""What the members app adds to the shared screens (core.registry)."""


def register(site):
    site.importer("members", "members.importer.MemberImporter", "党员花名册", order=20)
    site.menu_entry("members", "党员", "members:member-list", order=30)
    site.org_figure("members", "党员", "members.health.subtree_members", unit="名", order=10)
    site.org_figure("full_members", "正式党员", "members.health.subtree_full_members", unit="名",
                    order=20)
    site.health_check("roster", "members.health.roster_flags", order=10)
    site.reminder_kind("probation_ending", "预备期即将届满", "members.reminders.probations_ending",
                       order=40)
    site.audit_actions({"member.export_official": "导出党员信息采集表"})

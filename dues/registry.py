"""What the dues add to the shared screens and jobs (core.registry)."""
from core.registry import KEEPERS, STAFF, UPPER, Column


def register(site):
    from dues.actions import AUDIT_LABELS

    site.importer("dues_bases", "dues.importer.BaseImporter", "党费缴纳基数", order=40)
    site.importer("dues_payments", "dues.importer.PaymentImporter", "党费缴纳记录", order=41)
    site.menu_entry("dues", "党费", "dues:book", order=57, audience=KEEPERS)
    site.menu_entry("dues-overview", "党费收缴", "dues:overview", order=77, audience=UPPER)
    site.menu_entry("dues-rates", "党费标准", "dues:rates", order=106, audience=STAFF)
    site.measure("dues", "党费收缴", "dues.queries.quarter_measure", (
        Column("due", "应交（元）", "money"),
        Column("collected", "实交（元）", "money"),
        Column("collection_rate", "收缴率", "rate"),
        Column("members", "应交党费人数", "int"),
        Column("flagged", "连续3个月以上未交人数", "int"),
    ), order=40, sheet_title="党费收缴")
    site.reminder_kind("dues_arrears", "党费欠缴", "dues.reminders.collect", order=70)
    site.demo_seeder("dues", "dues.demo.seed", order=70)
    site.member_link("dues", "dues.links.member_links", order=40)
    site.api_route("dues", "dues.api.DuesViewSet", basename="dues", order=60)
    site.audit_actions(AUDIT_LABELS)

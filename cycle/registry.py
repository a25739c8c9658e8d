"""What the yearly cycle adds to the shared screens and jobs (core.registry)."""
from core.registry import UPPER


def register(site):
    from cycle.actions import AUDIT_LABELS

    site.importer("committees", "cycle.importer.CommitteeImporter", "党组织委员会（班子）", order=40)
    site.importer("evaluations", "cycle.importer.EvaluationImporter", "民主评议党员结果", order=45)
    site.menu_entry("cycle-year", "年度工作", "cycle:year", order=45)
    site.menu_entry("cycle-terms", "换届", "cycle:terms", order=76, audience=UPPER)
    site.menu_entry("cycle-outflows", "流动党员", "cycle:outflows", order=57)
    site.menu_entry("cycle-letters", "介绍信", "cycle:letters", order=58)
    # the committee flags read the committees recorded here (replaces the tree's own check)
    site.health_check("committee_term", "cycle.health.committee_term_flags", order=20)
    site.reminder_kind("term_ending", "委员会任期即将届满", "cycle.reminders.terms_ending", order=50)
    site.reminder_kind("transfer_pending", "组织关系转接待接收", "cycle.reminders.transfers_pending",
                       order=45)
    site.reminder_kind("outflow_review", "流动党员应转移组织关系", "cycle.reminders.outflows_to_review",
                       order=55)
    site.reminder_kind("inflow_review", "流入党员登记待核实", "cycle.reminders.inflows_to_review",
                       order=56)
    site.reminder_kind("letter_expired", "介绍信过期未回执", "cycle.reminders.letters_expired", order=57)
    site.demo_seeder("cycle", "cycle.demo.seed", order=70)
    site.member_link("cycle", "cycle.links.member_links")
    site.meeting_panel("cycle-inflows", "cycle.panels.meeting_inflows")
    site.audit_actions(AUDIT_LABELS)

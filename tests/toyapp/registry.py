from core.registry import STAFF, Column


def register(site):
    site.importer("toys", "tests.toyapp.importer.ToyImporter", "玩具清单", order=99)
    site.menu_entry("toys", "玩具台账", "toyapp:index", order=99, audience=STAFF,
                    badge="tests.toyapp.views.unread")
    site.measure("toys", "玩具数量", "tests.toyapp.figures.toys_per_branch",
                 [Column("toys", "玩具数", "int"), Column("value", "价值（元）", "money")])
    site.reminder_kind("toy_due", "玩具待清点", "tests.toyapp.figures.toys_to_count")
    site.health_check("toys", "tests.toyapp.figures.too_few_toys")
    site.org_figure("toys", "玩具", "tests.toyapp.figures.toy_counts", unit="个", order=99)
    site.home_panel("toys", "玩具", "tests.toyapp.figures.toys_waiting")
    site.audit_actions({"toy.counted": "清点玩具"})
    site.demo_seeder("toys", "tests.toyapp.figures.seed")

"""The categories residents' demands usually fall in, each with the §9 default of 7 days
(组织部 changes a category's days on the 办理时限 page)."""
from django.db import migrations

CATEGORIES = ("环境卫生", "物业管理", "设施维修", "矛盾纠纷", "民生保障", "政策咨询", "治安消防",
              "其他")


def add(apps, schema_editor):
    rule = apps.get_model("community", "DeadlineRule")
    for category in CATEGORIES:
        rule.objects.get_or_create(category=category, defaults={"days": 7})


class Migration(migrations.Migration):
    dependencies = [("community", "0001_demands_and_reporting")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]

"""The yearly requirements' first versions: 组织生活会 and 民主评议党员 once a year each, from the
earliest year the pages offer (2000); 组织部 changes them by adding later versions."""
from django.db import migrations

FIRST_YEAR = 2000
KEYS = ("life_meeting", "democratic_review")


def add_defaults(apps, schema_editor):
    YearlyRequirement = apps.get_model("cycle", "YearlyRequirement")
    for key in KEYS:
        YearlyRequirement.objects.get_or_create(
            key=key, effective_from=FIRST_YEAR, defaults={"enabled": True, "times": 1})


def remove_defaults(apps, schema_editor):
    YearlyRequirement = apps.get_model("cycle", "YearlyRequirement")
    YearlyRequirement.objects.filter(key__in=KEYS, effective_from=FIRST_YEAR,
                                     changed_by__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cycle", "0002_yearly_requirements_and_inflow_attendance"),
    ]

    operations = [
        migrations.RunPython(add_defaults, remove_defaults),
    ]

"""The rates of interfaces.md §5.1 as the first version of the rate table (in force since the
2008 规定 on 党费; 组织部 staff add later versions on the rates page)."""
import datetime
from decimal import Decimal

from django.db import migrations

D = Decimal
IN_SERVICE = [(D("3000"), D("0.5")), (D("5000"), D("1")), (D("10000"), D("1.5")), (None, D("2"))]
LINES = [
    *[("employed", bound, pct, None, None, None) for bound, pct in IN_SERVICE],
    ("retired", D("5000"), D("0.5"), None, None, None),
    ("retired", None, D("1"), None, None, None),
    ("farmer", None, None, D("0.50"), D("0.20"), D("1.00")),
    ("student", None, None, D("0.20"), None, None),
    ("unemployed", None, None, D("0.20"), None, None),
    ("subsistence", None, None, D("0.20"), None, None),
    *[("other", bound, pct, None, None, None) for bound, pct in IN_SERVICE],
    ("other", None, None, None, D("0.01"), None),
]


def seed(apps, schema_editor):
    RateVersion = apps.get_model("dues", "RateVersion")
    Rate = apps.get_model("dues", "Rate")
    version, created = RateVersion.objects.get_or_create(
        effective_from=datetime.date(2008, 4, 1),
        defaults={"note": "默认标准（《关于中国共产党党费收缴、使用和管理的规定》）"})
    if not created:
        return
    position = {}
    for category, bound, pct, fixed, low, high in LINES:
        position[category] = position.get(category, -1) + 1
        Rate.objects.create(version=version, category=category, position=position[category],
                            upper_bound=bound, percent=pct, fixed_amount=fixed, min_amount=low,
                            max_amount=high)


def unseed(apps, schema_editor):
    apps.get_model("dues", "RateVersion").objects.filter(
        effective_from=datetime.date(2008, 4, 1)).delete()


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_dues_book")]
    operations = [migrations.RunPython(seed, unseed)]

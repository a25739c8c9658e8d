
import django.core.validators
from django.db import migrations, models

from branches.models import is_safe_code, repaired_code


def repair_codes(apps, schema_editor):
    """Codes with "/" (or other characters a URL cannot carry) broke every page naming them."""
    Organization = apps.get_model("branches", "Organization")
    AuditLog = apps.get_model("accounts", "AuditLog")
    taken = set(Organization.objects.values_list("code", flat=True))
    for org in Organization.objects.order_by("path"):
        if is_safe_code(org.code):
            continue
        new = repaired_code(org.code, taken)
        taken.add(new)
        AuditLog.objects.create(action="org.code_repaired", organization=org,
                                target=f"{org.code} → {new}"[:200],
                                detail={"old": org.code, "new": new, "migration": True})
        Organization.objects.filter(pk=org.pk).update(code=new)


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0002_organization_short_name'),
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='organization',
            name='code',
            field=models.CharField(max_length=20, unique=True, validators=[django.core.validators.RegexValidator('\\A[0-9A-Za-z][0-9A-Za-z._-]*\\Z', '组织编码只能由字母、数字和“-”“_”“.”组成，且以字母或数字开头。', code='org_code_alphabet')], verbose_name='组织编码'),
        ),
        migrations.RunPython(repair_codes, migrations.RunPython.noop),
    ]

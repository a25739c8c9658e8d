import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Permissions and admin history follow the models to their new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("requirementrule", "exemption"):
        if not ContentType.objects.filter(app_label="reports", model=model).exists():
            ContentType.objects.filter(app_label="activities", model=model).update(app_label="reports")


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0001_initial'),
        ('reports', '0002_bulk_insert_rows_as_values'),
        ('activities', '0004_move_rules_to_reports'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The models move here from activities (whose 0004 renamed the tables); only the state changes.
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='Exemption',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('quarter', models.CharField(max_length=6, verbose_name='季度')),
                ('key', models.CharField(blank=True, choices=[('party_congress', '支部党员大会'), ('committee', '支部委员会'), ('group_meetings', '党小组会'), ('party_lecture', '党课'), ('theme_day', '主题党日')], help_text='留空表示全部要求', max_length=30, verbose_name='要求')),
                ('reason', models.CharField(max_length=200, verbose_name='原因')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('branch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exemptions', to='branches.organization')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '豁免',
                'verbose_name_plural': '豁免',
                'constraints': [models.UniqueConstraint(fields=('branch', 'quarter', 'key'), name='activities_exemption_unique')],
            },
        ),
        migrations.CreateModel(
            name='RequirementRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(choices=[('party_congress', '支部党员大会'), ('committee', '支部委员会'), ('group_meetings', '党小组会'), ('party_lecture', '党课'), ('theme_day', '主题党日')], max_length=30)),
                ('effective_from', models.CharField(help_text='如 2026Q3', max_length=6, verbose_name='自季度起')),
                ('enabled', models.BooleanField(default=True, verbose_name='启用')),
                ('period', models.CharField(choices=[('quarter', '每季度'), ('month', '每月')], max_length=10, verbose_name='频次')),
                ('min_full_members', models.PositiveSmallIntegerField(default=0, help_text='支部委员会：正式党员≥7人的支部才适用', verbose_name='正式党员数下限')),
                ('changed_at', models.DateTimeField(auto_now=True)),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '考核要求',
                'verbose_name_plural': '考核要求',
                'ordering': ['key', 'effective_from'],
                'constraints': [models.UniqueConstraint(fields=('key', 'effective_from'), name='activities_rule_unique_version')],
            },
        ),
        ]),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]

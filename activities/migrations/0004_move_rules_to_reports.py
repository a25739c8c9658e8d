from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0003_attachments_for_activities'),
    ]

    # The requirement rules and exemptions belong to reports/, which computes what they mean.
    # The tables are renamed and the models leave this app's state; reports 0003 takes them up
    # without touching the database.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="requirementrule", table="reports_requirementrule"),
                migrations.AlterModelTable(name="exemption", table="reports_exemption"),
            ],
            state_operations=[
                migrations.DeleteModel(name="Exemption"),
                migrations.DeleteModel(name="RequirementRule"),
            ],
        ),
    ]

"""django-import-export's view of a member: the roster columns (§1.2 headers) as a Resource.

It is only the baseline bench/bench_import.py measures: no URL reaches it (the admin is read-only
and masked; the portal's exports and its audited importer are the only ways in and out). Rows go through members.validation.check_person like the
portal's own import; a row may not move a member to another branch (a transfer is its own
action), and a new member gets their Membership from 入党日期 and a CREATED event. The portal's
upload and `import_members` use members.importer (bulk, preview, scope, every §1.2 rule).
"""
from import_export import fields, resources, widgets

from branches.models import Organization
from members.models import Member, MemberEvent, Membership
from members.validation import check_person


class CodeForeignKeyWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        return super().clean(str(value).strip() if value not in (None, "") else None, row, **kwargs)


class MemberResource(resources.ModelResource):
    name = fields.Field("name", "姓名")
    id_number = fields.Field("id_number", "公民身份号码")
    sex = fields.Field("sex", "性别")
    ethnicity = fields.Field("ethnicity", "民族")
    birth_date = fields.Field("birth_date", "出生日期", widget=widgets.DateWidget("%Y-%m-%d"))
    education = fields.Field("education", "学历")
    category = fields.Field("category", "人员类别")
    joined_on = fields.Field("joined_on", "入党日期", widget=widgets.DateWidget("%Y-%m-%d"))
    confirmed_on = fields.Field("confirmed_on", "转正日期", widget=widgets.DateWidget("%Y-%m-%d"))
    work_unit = fields.Field("work_unit", "工作单位及职务")
    phone = fields.Field("phone", "联系电话")
    branch = fields.Field("branch", "所在党支部编码", widget=CodeForeignKeyWidget(Organization, "code"))
    group = fields.Field("group", "所在党小组", widget=CodeForeignKeyWidget(Organization, "code"))
    status = fields.Field("status", "党籍状态")

    class Meta:
        model = Member
        import_id_fields = ("id_number",)
        fields = (
            "name", "id_number", "sex", "ethnicity", "birth_date", "education", "category",
            "joined_on", "confirmed_on", "work_unit", "phone", "branch", "group", "status",
        )
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        """Normalize the row with the portal's rules; a bad row raises ValueError."""
        from django.utils import timezone

        record = {name: row.get(field.column_name) for name, field in self.fields.items()
                  if field.column_name in row and name not in ("branch", "group")}
        checked = check_person(record, today=timezone.localdate())
        if checked.errors:
            raise ValueError("；".join(message for _, message in checked.errors))
        for name, value in checked.values.items():
            if name in self.fields:
                row[self.fields[name].column_name] = value

    def before_save_instance(self, instance, row, **kwargs):
        instance._created_by_import = instance.pk is None
        if instance.pk is None:
            return
        current = (
            Member.objects.filter(pk=instance.pk).values_list("branch_id", "branch__name").first()
        )
        if current and current[0] != instance.branch_id:
            raise ValueError(f"该党员组织关系在{current[1]}，请办理组织关系转接。")

    def after_save_instance(self, instance, row, **kwargs):
        if not getattr(instance, "_created_by_import", False):
            return
        if instance.status == Member.Status.NORMAL:
            Membership.objects.create(
                member=instance, branch_id=instance.branch_id, started_on=instance.joined_on
            )
        MemberEvent.objects.create(
            member=instance, kind=MemberEvent.Kind.CREATED, date=instance.created_at.date(),
            to_branch_id=instance.branch_id, detail={"import": True, "admin": True},
        )

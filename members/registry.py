"""What the members app adds to the shared screens (core.registry)."""


def register(site):
    site.importer("members", "members.importer.MemberImporter", "党员花名册", order=20)
    site.menu_entry("members", "党员", "members:member-list", order=30)
    site.org_figure("members", "党员", "members.health.subtree_members", unit="名", order=10)
    site.org_figure("full_members", "正式党员", "members.health.subtree_full_members", unit="名",
                    order=20)
    site.health_check("roster", "members.health.roster_flags", order=10)
    site.reminder_kind("probation_ending", "预备期即将届满", "members.reminders.probations_ending",
                       order=40)
    from members.models import MemberEvent

    # a life event is audited as member.<kind> (members.actions.common._record)
    site.audit_actions({f"member.{kind}": f"党员{label}" for kind, label in MemberEvent.Kind.choices})
    site.audit_actions({
        "member.export_official": "导出党员信息采集表", "member.export": "导出党员花名册",
        "member.import": "导入党员花名册", "member.id_clash": "核对重复身份证号", "member.reveal_id": "查看完整身份证号",
        "member.group_assigned": "调整党小组", "member.transfer_initiated": "发起组织关系转接",
        "member.transfer_refused": "拒绝接收组织关系", "member.transfer_withdrawn": "撤回组织关系转接",
    })

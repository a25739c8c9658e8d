"""What the quarterly reports add to the shared screens (core.registry)."""
from core.registry import STAFF, UPPER


def register(site):
    site.reminder_kind("meeting_due", "会议即将到期", "reports.reminders.meetings_due", order=10)
    site.reminder_kind("meeting_overdue", "会议逾期未开", "reports.reminders.meetings_overdue",
                       order=20)
    site.menu_entry("overview", "开展情况", "reports:overview", order=60, audience=UPPER)
    site.menu_entry("rules", "考核设置", "reports:rule-list", order=100, audience=STAFF)
    site.menu_entry("reports", "季度报表", "reports:dashboard", order=80, audience=UPPER)
    site.audit_actions({
        "report.requested": "发起季度报表", "report.requeued": "重新排队中断的季度报表", "report.compiled": "生成季度报表",
        "rule.save": "修改考核规则", "exemption.add": "添加豁免", "exemption.remove": "撤销豁免",
    })

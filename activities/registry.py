"""What meetings and activities add to the shared screens (core.registry)."""
from core.registry import REVIEWERS


def register(site):
    site.importer("meetings", "activities.importer.MeetingImporter", "三会一课台账", order=30)
    site.reminder_kind("record_returned", "会议记录被退回", "activities.reminders.records_returned",
                       order=30)
    site.menu_entry("meetings", "三会一课", "activities:meeting-list", order=40)
    site.menu_entry("activities", "活动", "activities:activity-list", order=50)
    site.menu_entry("review", "审核", "activities:review-queue", order=70, audience=REVIEWERS)
    site.audit_actions({
        "meeting.create": "新建会议记录", "meeting.edit": "修改会议记录",
        "meeting.submit": "提交会议记录", "meeting.resubmit": "重新提交会议记录",
        "meeting.return": "退回会议记录", "meeting.review": "审核通过会议记录",
        "meeting.delete": "删除会议记录", "meeting.attach": "上传会议附件",
        "meeting.import": "导入三会一课台账", "attachment.delete": "删除附件",
        "activity.create": "登记活动", "activity.edit": "修改活动", "activity.delete": "删除活动",
        "activity.attach": "上传活动附件",
    })

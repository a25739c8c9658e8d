"""What meetings and activities add to the shared screens (core.registry)."""
from core.registry import REVIEWERS


def register(site):
    site.importer("meetings", "activities.importer.MeetingImporter", "三会一课台账", order=30)
    site.reminder_kind("record_returned", "会议记录被退回", "activities.reminders.records_returned",
                       order=30)
    site.menu_entry("meetings", "三会一课", "activities:meeting-list", order=40)
    site.menu_entry("activities", "活动", "activities:activity-list", order=50)
    site.menu_entry("review", "审核", "activities:review-queue", order=70, audience=REVIEWERS)

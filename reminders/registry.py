"""What the reminders app adds to the shared screens (core.registry): the inbox in the menu, with
the unread count beside it, and the names of its audit events."""
from core.registry import KEEPERS


def register(site):
    from reminders.actions import AUDIT_LABELS

    site.menu_entry("reminders", "提醒", "reminders:inbox", order=15, audience=KEEPERS,
                    badge="reminders.views.unread_count")
    site.audit_actions(AUDIT_LABELS)

"""What account management adds to the shared screens (core.registry)."""
from core.registry import MANAGERS, UPPER


def register(site):
    from useradmin.actions import AUDIT_LABELS

    site.importer("accounts", "useradmin.importer.AccountImporter", "账号", order=90)
    site.menu_entry("accounts", "账号管理", "useradmin:account-list", order=108,
                    audience=MANAGERS)
    site.menu_entry("audit-log", "操作记录", "useradmin:audit-log", order=110, audience=UPPER)
    site.audit_actions(AUDIT_LABELS)

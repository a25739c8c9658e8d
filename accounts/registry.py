"""What accounts add to the shared screens (core.registry)."""
from core.registry import UPPER


def register(site):
    site.menu_entry("home", "首页", "home", order=10)
    site.menu_entry("audit-log", "操作记录", "accounts:audit-log", order=110, audience=UPPER)

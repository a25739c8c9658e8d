"""What the quarterly reports add to the shared screens (core.registry)."""
from core.registry import STAFF, UPPER


def register(site):
    site.menu_entry("overview", "开展情况", "reports:overview", order=60, audience=UPPER)
    site.menu_entry("rules", "考核设置", "reports:rule-list", order=100, audience=STAFF)
    site.menu_entry("reports", "季度报表", "reports:dashboard", order=80, audience=UPPER)

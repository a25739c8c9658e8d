"""What the quarterly reports add to the shared screens (core.registry)."""
from core.registry import UPPER


def register(site):
    site.menu_entry("reports", "季度报表", "reports:dashboard", order=80, audience=UPPER)

"""What the yearly party statistics add to the shared screens (core.registry)."""


def register(site):
    site.menu_entry("party-stats", "党内统计", "stats:year", order=85)

"""What accounts add to the shared screens (core.registry)."""


def register(site):
    site.menu_entry("home", "首页", "home", order=10)
    site.audit_actions({"role.grant": "授予角色"})

"""What the demo adds to the shared screens (core.registry)."""


def register(site):
    site.audit_actions({"demo.seed": "生成演示数据"})

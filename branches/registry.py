"""What the organization tree adds to the shared screens (core.registry)."""


def register(site):
    site.importer("orgs", "branches.importer.OrganizationImporter", "党组织", order=10)
    site.menu_entry("tree", "党组织", "branches:tree", order=20)
    site.health_check("committee_term", "branches.health.committee_term_flags", order=20)
    site.audit_actions({"org.create": "新建党组织", "org.update": "修改党组织",
                        "org.import": "导入党组织", "org.code_repaired": "修正组织编码"})

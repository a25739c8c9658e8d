"""What the members app adds to the shared screens (core.registry)."""


def register(site):
    site.importer("members", "members.importer.MemberImporter", "党员花名册", order=20)
    site.menu_entry("members", "党员", "members:member-list", order=30)

"""Which importer handles which kind of upload. Each domain app registers its own."""
from django.utils.module_loading import import_string

IMPORTERS = {
    "orgs": "branches.importer.OrganizationImporter",
    "members": "members.importer.MemberImporter",
    "meetings": "activities.importer.MeetingImporter",
}


def importer_class(kind: str):
    return import_string(IMPORTERS[kind])

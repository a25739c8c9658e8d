"""Which importer handles which kind of upload, from the apps' registrations (core.registry);
and the upload pages' own menu entry."""
from core import registry


def register(site):
    site.menu_entry("imports", "导入", "imports:index", order=90, audience=registry.KEEPERS)


def kinds() -> list:
    """The registered import kinds, in menu order."""
    return list(registry.site().importers)


def is_kind(kind: str) -> bool:
    return kind in registry.site().importers


def importer_class(kind: str):
    return registry.site().importers.get(kind).importer_class()

"""What the yearly cycle adds to the shared screens and jobs (core.registry)."""


def register(site):
    from cycle.actions import AUDIT_LABELS

    site.importer("committees", "cycle.importer.CommitteeImporter", "党组织委员会（班子）", order=40)
    site.importer("evaluations", "cycle.importer.EvaluationImporter", "民主评议党员结果", order=45)
    site.audit_actions(AUDIT_LABELS)

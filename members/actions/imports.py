"""The roster import's one audited bulk write."""
from __future__ import annotations

from django.db import transaction

from accounts.models import audit
from branches.models import Organization
from core.cache import changed
from core.importing import RowPlan
from members import bulk

ROSTER_IMPORTED = "member.import"


@transaction.atomic
def import_roster(rows: list[RowPlan], *, current: dict[str, dict], at: Organization, by,
                  unchanged: int = 0, skipped: int = 0, batch: int | None = None) -> tuple[int, int]:
    """The roster import's bulk write: the planned rows' new members (with their first period
    and a CREATED event) and changed ones (an EDITED event, CONFIRMED when the file confirms
    them), in one transaction with one audit record naming the organization, the counts and the
    upload batch (None from the command line). `current` is what the importer read and locked of
    these members in this transaction (members.bulk.existing_members); a member changed since
    raises ChangedDuringApply and nothing is written. Returns (created, updated)."""
    created = bulk.create_members([r for r in rows if r.action == "create"], by)
    updated = bulk.update_members([r for r in rows if r.action == "update"], current, by)
    changed("members")
    audit(by, ROSTER_IMPORTED, organization=at,
          target=f"{created} 新增 / {updated} 更新 / {unchanged} 无变化",
          created=created, updated=updated, unchanged=unchanged, skipped=skipped, batch=batch)
    return created, updated

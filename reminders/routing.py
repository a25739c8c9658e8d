"""Who gets what (interfaces.md §8): every registered kind's open items on a day, routed to the
record keepers of the organization each concerns.

- The organization's own keepers (支部书记 or 党组织管理员 held on it; for a 党小组, on its branch)
  get every item about it.
- Keepers above it (党组织管理员 of an ancestor, 组织部 staff) get a digest of their subtree: how many
  items of each kind are open, and the oldest few of each kind. An item whose text names a person
  (`ReminderItem.names_person`) is counted there but its text goes to the branch's keepers only.
- Auditors and users without a keeper role get nothing; nothing is ranked or scored.

The plan is computed without writing; `reminders.actions` delivers it.
"""
from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from accounts.models import Role
from branches.models import Organization
from core.registry import ReminderItem, site
from reminders.models import Preference, Reminder

log = logging.getLogger(__name__)

DIGEST_OLDEST = 10  # per kind, the oldest items of the subtree a digest shows in full
OWN_KINDS = (Role.Kind.ORG_ADMIN, Role.Kind.SECRETARY)


@dataclass(frozen=True)
class Entry:
    """One item as one user receives it."""

    item: ReminderItem
    org_code: str
    org_name: str
    digest: bool  # reaches the user as part of the digest of their subtree

    def as_json(self) -> dict:
        return {"kind": self.item.kind, "org": self.org_code, "due": self.item.due.isoformat(),
                "text": self.item.text}


@dataclass
class Recipient:
    """What one user gets on the day: the items not yet delivered to them, and the digest's counts
    of open items per kind in the subtree they keep (counted whether delivered before or not)."""

    user: object
    preference: Preference
    items: list[Entry] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def wants_email(self) -> bool:
        return self.preference.email and bool(self.user.email)

    @property
    def wants_sms(self) -> bool:
        return self.preference.sms and bool(self.preference.phone)


@dataclass
class Plan:
    on: datetime.date
    recipients: list[Recipient]
    open_identities: set[str]
    kinds_collected: list[str]
    kinds_failed: list[str]
    labels: dict[str, str]

    def as_json(self) -> dict:
        return {"on": self.on.isoformat(), "users": [
            {"username": r.user.get_username(), "items": [e.as_json() for e in r.items]}
            for r in self.recipients if r.items
        ]}


def collect(on: datetime.date) -> tuple[list[ReminderItem], list[str], list[str]]:
    """Every registered kind's items on `on`, each identity once. A kind that fails is logged and
    left out (its open reminders stay open), so one app's bug does not silence the others."""
    items: dict[str, ReminderItem] = {}
    collected, failed = [], []
    for kind in site().reminder_kinds:
        try:
            found = list(kind.items(on))
        except Exception:  # noqa: BLE001 - one kind's failure must not stop the others
            log.exception("reminder kind %s failed on %s", kind.key, on)
            failed.append(kind.key)
            continue
        collected.append(kind.key)
        for item in found:
            items.setdefault(item.identity, item)
    return list(items.values()), collected, failed


class _Keepers:
    """The users who keep records, by where their roles are held (one query)."""

    def __init__(self):
        self.own: dict[int, set[int]] = defaultdict(set)  # organization id → keepers held on it
        self.by_path: dict[str, set[int]] = defaultdict(set)
        self.staff: set[int] = set()
        roles = (Role.objects.filter(kind__in=(*OWN_KINDS, Role.Kind.STAFF), user__is_active=True)
                 .values_list("user_id", "kind", "organization_id", "organization__path"))
        for user_id, kind, org_id, path in roles:
            if kind == Role.Kind.STAFF:
                self.staff.add(user_id)
            else:
                self.own[org_id].add(user_id)
                self.by_path[path].add(user_id)

    def route(self, org) -> tuple[set[int], set[int]]:
        """(the organization's own keepers, the keepers above it)."""
        own_ids = {org.pk}
        if org.kind == Organization.Kind.GROUP and org.parent_id:
            own_ids.add(org.parent_id)
        own = set().union(*(self.own.get(i, ()) for i in own_ids))
        segments = [s for s in org.path.split("/") if s]
        above = set(self.staff)
        for depth in range(1, len(segments)):
            prefix = "/".join(segments[:depth]) + "/"
            above |= self.by_path.get(prefix, set())
        return own, above - own


def _sort_key(order: dict[str, int]):
    return lambda e: (e.item.due, order.get(e.item.kind, 999), e.org_code, e.item.identity)


def plan(on: datetime.date) -> Plan:
    """What the job would deliver on `on`: for each user, the items not yet in their inbox."""
    kinds = list(site().reminder_kinds)
    order = {k.key: i for i, k in enumerate(kinds)}
    labels = {k.key: k.label for k in kinds}
    items, collected, failed = collect(on)
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in={i.organization_id for i in items})
            .only("pk", "code", "name", "kind", "parent_id", "path")}
    keepers = _Keepers()

    own_items: dict[int, list[Entry]] = defaultdict(list)
    digest_items: dict[int, dict[str, list[Entry]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in items:
        org = orgs.get(item.organization_id)
        if org is None:
            continue
        own, above = keepers.route(org)
        for user_id in own:
            own_items[user_id].append(Entry(item, org.code, org.name, digest=False))
        for user_id in above:
            counts[user_id][item.kind] += 1
            if not item.names_person:
                digest_items[user_id][item.kind].append(Entry(item, org.code, org.name, digest=True))

    user_ids = set(own_items) | set(counts)
    users = get_user_model().objects.in_bulk(user_ids)
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids)}
    delivered = _delivered(user_ids, {i.identity for i in items})
    sort_key = _sort_key(order)

    recipients = []
    for user_id in sorted(user_ids, key=lambda pk: users[pk].get_username()):
        preference = preferences.get(user_id) or Preference(user_id=user_id)
        entries = list(own_items.get(user_id, ()))
        if user_id in counts and preference.digest_due(on):
            for kind_entries in digest_items[user_id].values():
                entries += sorted(kind_entries, key=sort_key)[:DIGEST_OLDEST]
        seen = delivered.get(user_id, set())
        new = sorted((e for e in entries if e.item.identity not in seen), key=sort_key)
        recipients.append(Recipient(
            users[user_id], preference, new,
            dict(sorted(counts.get(user_id, {}).items(), key=lambda kv: order.get(kv[0], 999)))))
    return Plan(on, recipients, {i.identity for i in items}, collected, failed, labels)


def _delivered(user_ids: set[int], identities: set[str]) -> dict[int, set[str]]:
    """Which of these items each user already has (read in slices: the city has many)."""
    found: dict[int, set[str]] = defaultdict(set)
    ordered = sorted(identities)
    for start in range(0, len(ordered), 5000):
        rows = (Reminder.objects.filter(identity__in=ordered[start:start + 5000])
                .values_list("user_id", "identity"))
        for user_id, identity in rows:
            found[user_id].add(identity)
    return found

"""What apps add to the shared screens and jobs, declared by each app in its own `registry.py`.

An app lists its importers, menu entries, report measures, reminder kinds, health checks,
figures shown beside organizations, demo seeders, links on a member's page, lines on a branch's
home page, panels on a meeting's page, audit-event names and REST endpoints in a function
`register(site)` in its own `registry.py`; `site()`
calls those of every installed app, once. The shared screens and jobs (the upload pages, the menu, the
quarterly job and its workbook, the reminders job, the organization page, `seed_demo`) read these
lists and name no app. Nothing here imports a domain app: entries hold dotted paths or callables.

Entries are keyed; registering a key twice replaces the first.
"""
from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.signals import setting_changed
from django.utils.module_loading import import_string, module_has_submodule

# -- audiences: who sees a menu entry (answered by the one policy, accounts.policy) ---------------
EVERYONE = "all"  # every signed-in user with a role
UPPER = "upper"  # 组织部 staff, 党组织管理员 and auditors (the levels above the branches)
KEEPERS = "keepers"  # users who may change some organization's records (not auditors)
STAFF = "staff"  # 组织部 staff only
MANAGERS = "managers"  # those who manage accounts: 组织部 staff and 党组织管理员
REVIEWERS = "reviewers"  # upper levels who may review branches' records (not auditors)
AUDIENCES = (EVERYONE, UPPER, KEEPERS, STAFF, MANAGERS, REVIEWERS)


class Registry:
    """An ordered, keyed list of entries of one kind."""

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[str, Any] = {}

    def add(self, key: str, entry) -> None:
        self._entries[key] = entry

    def get(self, key: str):
        try:
            return self._entries[key]
        except KeyError:
            raise LookupError(f"未登记的{self.what}：{key}") from None

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator:
        return iter(sorted(self._entries.values(), key=lambda e: (getattr(e, "order", 0), e.key)))

    def keys(self) -> list[str]:
        return [entry.key for entry in self]


# -- importers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImporterEntry:
    """A kind of spreadsheet the shared upload flow accepts (`imports/`).

    `importer` is the dotted path of a `core.importing.Importer` subclass. `audience` says who
    sees it on the upload page (the target organization is still checked by the importer).
    """

    key: str
    importer: str
    label: str
    order: int = 100
    audience: str = KEEPERS

    def importer_class(self):
        return import_string(self.importer)


# -- menu -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuEntry:
    """A link in the navigation bar. `badge`, if given, is the dotted path of a function
    `(request) -> int | None` whose non-zero answer is shown beside the label (an unread count)."""

    key: str
    label: str
    url_name: str
    order: int = 100
    audience: str = EVERYONE
    badge: str = ""


# -- report measures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # "int" | "rate" | "money" | "text"


@dataclass
class MeasureResult:
    """One measure's figures for a report: a row per organization (branch) and a summary.

    Rows are JSON-safe dicts keyed by the measure's columns plus "code" and "name"; money as
    text with two decimals, rates as floats rounded to 4 places (or None)."""

    rows: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"rows": self.rows, "summary": self.summary}


@dataclass(frozen=True)
class Measure:
    """What the quarterly job computes beside the §3 meeting figures, and the workbook shows.

    `compute` is the dotted path of `(organization, quarter) -> MeasureResult` over the
    organization's subtree; `columns` say how the workbook sheet and the dashboard show a row."""

    key: str
    label: str
    compute: str
    columns: tuple[Column, ...]
    order: int = 100
    sheet_title: str = ""

    def run(self, organization, quarter) -> MeasureResult:
        return import_string(self.compute)(organization, quarter)


# -- reminder kinds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderItem:
    """One thing somebody should do, about one organization.

    `identity` is stable across runs (the same overdue meeting slot is the same item every day),
    so a reminder is delivered once and closed when the app stops reporting it. An item whose
    text names a person goes to that organization's record keepers only; the upper levels'
    digests count it without its text."""

    kind: str
    organization_id: int
    due: datetime.date
    text: str
    identity: str
    names_person: bool = False  # the text names a member: only the branch's keepers read it


@dataclass(frozen=True)
class ReminderKind:
    """`collect` is the dotted path of `(on: date) -> Iterable[ReminderItem]`: every open item of
    this kind on that day, across the whole tree (the reminders app routes them to people)."""

    key: str
    label: str
    collect: str
    order: int = 100

    def items(self, on: datetime.date) -> Iterable[ReminderItem]:
        return import_string(self.collect)(on)


# -- organization health -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthCheck:
    """`check` is the dotted path of `(organizations, today) -> dict[org id, list[str]]`: the
    flags to show on those organizations' pages (rules of thumb, never enforced). One call
    answers for many organizations, so a list page costs one query per check, not per row."""

    key: str
    check: str
    order: int = 100

    def run(self, organizations, today: datetime.date) -> dict[int, list[str]]:
        return import_string(self.check)(organizations, today)


# -- figures beside each organization ---------------------------------------------------------------


@dataclass(frozen=True)
class OrgFigure:
    """A number the tree and the organization page show beside each organization (党员 12).

    `compute` is the dotted path of `(organizations) -> dict[org id, int]`, counting over each
    organization's whole subtree, in one query for all of them."""

    key: str
    label: str
    compute: str
    unit: str = ""
    order: int = 100

    def run(self, organizations) -> dict[int, int]:
        return import_string(self.compute)(organizations)


# -- demo data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSeeder:
    """`seed` is the dotted path of `(world) -> None`. `world` has `scale` ("district" or
    "city"), `random` (a seeded random.Random: the same seed gives the same data), `today`, `by`
    (the demo 组织部 user, for actions) and `say(text)` (progress on the console). Seeders read
    what they build on (organizations, members) from the database and write through their app's
    actions (or an audited bulk action at city scale). They run in `order`, after the
    organizations, members and meetings exist."""

    key: str
    seed: str
    order: int = 100

    def run(self, world) -> None:
        import_string(self.seed)(world)


# -- REST API endpoints ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiRoute:
    """Endpoints under /api/v1/<key>/: `viewset` is the dotted path of a Django REST framework
    ViewSet, `basename` names its URLs (api:<basename>-list, api:<basename>-detail …).

    The viewset needs nothing from the api app: authentication (token or session), the policy
    door for writes, pagination, throttling and Chinese errors are the REST_FRAMEWORK defaults
    every viewset inherits. Its querysets start from `visible_to(request.user)` like any view,
    and its writes call the app's actions."""

    key: str
    viewset: str
    basename: str
    order: int = 100

    def viewset_class(self):
        return import_string(self.viewset)


# -- links on a member's page ----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberLink:
    """`links` is the dotted path of `(member, user) -> list[tuple[str, str]]`: (label, url) pairs
    shown on a member's page, leading to records another app keeps about the member (the
    recruitment record, the 转正 steps), so the members app names no app above it."""

    key: str
    links: str
    order: int = 100

    def run(self, member, user) -> list[tuple[str, str]]:
        return import_string(self.links)(member, user)


# -- lines on a branch's home page -----------------------------------------------------------


@dataclass(frozen=True)
class HomeLine:
    """Something of another app's that waits on the branch ("2 件群众诉求已超期未办结"), with the
    link to the list of those things."""

    text: str
    url: str
    count: int = 0


@dataclass(frozen=True)
class HomePanel:
    """`lines` is the dotted path of `(branch, user, today) -> list[HomeLine]`: what the app asks
    of the branch, shown on its home page (the secretary's workbench) under `label`, so the
    reports app names no app above it. No lines, no panel: a quiet branch sees nothing."""

    key: str
    label: str
    lines: str
    order: int = 100

    def run(self, branch, user, today: datetime.date) -> list[HomeLine]:
        return import_string(self.lines)(branch, user, today)
# -- panels on a meeting's page ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingPanel:
    """`render` is the dotted path of `(request, meeting, mode) -> str`: a fragment of HTML (safe,
    rendered by the app's own template, "" for nothing) that the meeting's pages show below the
    attendance. `mode` is "detail" (the meeting page: the app may offer its own small form),
    "form" (the edit form: shown outside the form, to read) or "print". It costs at most one
    query, and the app asks the policy itself who may write."""

    key: str
    render: str
    order: int = 100

    def run(self, request, meeting, mode: str) -> str:
        return import_string(self.render)(request, meeting, mode)


class Site:
    """Everything the installed apps registered. Built once from their `registry.register(site)`
    functions, and again when the installed apps change (a test adding a toy app)."""

    def __init__(self):
        self.importers = Registry("导入类型")
        self.menu = Registry("菜单项")
        self.measures = Registry("报表指标")
        self.reminder_kinds = Registry("提醒类型")
        self.health_checks = Registry("健康提示")
        self.org_figures = Registry("组织数据")
        self.demo_seeders = Registry("演示数据")
        self.api_routes = Registry("接口")
        self.member_links = Registry("党员页面链接")
        self.home_panels = Registry("支部工作台提示")
        self.meeting_panels = Registry("会议页面栏目")
        self.audit_labels: dict[str, str] = {}

    def importer(self, key: str, importer: str, label: str, **options) -> None:
        self.importers.add(key, ImporterEntry(key, importer, label, **options))

    def menu_entry(self, key: str, label: str, url_name: str, **options) -> None:
        if options.get("audience", EVERYONE) not in AUDIENCES:
            raise ValueError(f"unknown audience {options['audience']!r}")
        self.menu.add(key, MenuEntry(key, label, url_name, **options))

    def measure(self, key: str, label: str, compute: str, columns: Iterable[Column],
                **options) -> None:
        self.measures.add(key, Measure(key, label, compute, tuple(columns), **options))

    def reminder_kind(self, key: str, label: str, collect: str, **options) -> None:
        self.reminder_kinds.add(key, ReminderKind(key, label, collect, **options))

    def health_check(self, key: str, check: str, **options) -> None:
        self.health_checks.add(key, HealthCheck(key, check, **options))

    def org_figure(self, key: str, label: str, compute: str, **options) -> None:
        self.org_figures.add(key, OrgFigure(key, label, compute, **options))

    def demo_seeder(self, key: str, seed: str, **options) -> None:
        self.demo_seeders.add(key, DemoSeeder(key, seed, **options))

    def api_route(self, prefix: str, viewset: str, *, basename: str | None = None,
                  **options) -> None:
        """Serve `viewset` (a dotted path) at /api/v1/<prefix>/ (the api app builds the router)."""
        self.api_routes.add(prefix, ApiRoute(prefix, viewset, basename or prefix,
                                             **options))

    def member_link(self, key: str, links: str, **options) -> None:
        self.member_links.add(key, MemberLink(key, links, **options))

    def home_panel(self, key: str, label: str, lines: str, **options) -> None:
        self.home_panels.add(key, HomePanel(key, label, lines, **options))
    def meeting_panel(self, key: str, render: str, **options) -> None:
        self.meeting_panels.add(key, MeetingPanel(key, render, **options))

    def audit_actions(self, labels: dict[str, str]) -> None:
        """The Chinese names of an app's audit events ("member.transfer_out" → "转出党员"), so the
        audit log never shows a code name."""
        self.audit_labels.update(labels)


_site: Site | None = None


def site() -> Site:
    """The registrations of the installed apps (each app's `registry.register(site)`)."""
    global _site
    if _site is None:
        built = Site()
        for config in apps.get_app_configs():
            if module_has_submodule(config.module, "registry"):
                module = importlib.import_module(f"{config.name}.registry")
                register = getattr(module, "register", None)
                if register is not None:
                    register(built)
        _site = built
    return _site


def forget(**kwargs) -> None:
    """Rebuild on next use: the installed apps changed."""
    global _site
    if kwargs.get("setting", "INSTALLED_APPS") == "INSTALLED_APPS":
        _site = None


setting_changed.connect(forget)

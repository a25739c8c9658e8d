"""The organization tree: 党委/党工委 → 党总支 → 党支部 → 党小组.

The tree is stored as a materialized path (`path` = the ancestors' zero-padded ids and the
organization's own, each followed by "/"), so a subtree is one indexed prefix query
(`path LIKE '0000012/0000040/%'`) however large the tree. bench/bench_tree.py measures it.
"""
import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from accounts.policy import Right, policy_for

PATH_STEP = 8  # digits per level, then "/": ids up to 99,999,999


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_STEP - 1}d}/"


class OrganizationQuerySet(models.QuerySet):
    def subtree(self, org, *, include_self=True):
        """The organization and everything below it."""
        qs = self.filter(path__startswith=org.path)
        return qs if include_self else qs.exclude(pk=org.pk)

    def branches(self):
        """Organizations that hold members and meetings: 党支部, 联合党支部, 临时党支部."""
        return self.filter(kind__in=Organization.BRANCH_KINDS)

    def groups(self):
        return self.filter(kind=Organization.Kind.GROUP)

    def existing_on(self, day: datetime.date):
        return self.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day)).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )

    def within(self, scope):
        """The organizations a policy `Scope` covers."""
        if scope.empty:
            return self.none()
        condition = scope.q("path")
        return self if condition is None else self.filter(condition)

    def allowed(self, user, right):
        """The organizations on which `user` holds `right` (accounts.policy)."""
        return self.within(policy_for(user).scope(right))

    def visible_to(self, user):
        """The one door: every organization `user` may see. Everything else is 404."""
        return self.allowed(user, Right.SEE)

    def changeable_by(self, user):
        """Organizations whose data `user` may change (auditors change nothing)."""
        return self.allowed(user, Right.CHANGE)

    def administered_by(self, user):
        """Organizations `user` administers: staff everywhere, 党组织管理员 in their subtree.

        Administration (compiling reports) is an upper-level task: branch secretaries record,
        they do not compile.
        """
        return self.allowed(user, Right.COMPILE)


class BranchScopedQuerySet(models.QuerySet):
    """Rows that belong to a branch (members, meetings, activities) reach scope through it."""

    def in_subtree(self, org):
        return self.filter(branch__path__startswith=org.path)

    def visible_to(self, user):
        return self.filter(branch__in=Organization.objects.visible_to(user))

    def changeable_by(self, user):
        return self.filter(branch__in=Organization.objects.changeable_by(user))


# A code is part of every organization URL (/orgs/<code>/): letters, digits, "-", "_" and "."
# only, so that it always reverses and never needs escaping ("/" once broke every page naming it).
CODE_ALPHABET = r"\A[0-9A-Za-z][0-9A-Za-z._-]*\Z"
CODE_MESSAGE = "组织编码只能由字母、数字和“-”“_”“.”组成，且以字母或数字开头。"
code_validator = RegexValidator(CODE_ALPHABET, CODE_MESSAGE, code="org_code_alphabet")


def is_safe_code(code: str) -> bool:
    return bool(code_validator.regex.match(code or ""))


def repaired_code(code: str, taken: set[str]) -> str:
    """A safe code for `code` (every run of other characters becomes "-"), unique among `taken`."""
    base = (re.sub(r"[^0-9A-Za-z._-]+", "-", code or "").strip("-._") or "ORG")[:20]
    candidate, number = base, 1
    while candidate in taken:
        suffix = f"-{number}"
        candidate, number = base[:20 - len(suffix)] + suffix, number + 1
    return candidate


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委"
        WORKING_COMMITTEE = "working_committee", "党工委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"
        JOINT_BRANCH = "joint_branch", "联合党支部"
        TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
        GROUP = "group", "党小组"

    class Sector(models.TextChoices):
        GOVERNMENT = "government", "机关"
        INSTITUTION = "institution", "事业单位"
        STATE_ENTERPRISE = "state_enterprise", "国有企业"
        PRIVATE_ENTERPRISE = "private_enterprise", "非公有制企业"
        SOCIAL = "social", "社会组织"
        VILLAGE = "village", "农村"
        COMMUNITY = "community", "社区"
        SCHOOL = "school", "学校"
        OTHER = "other", "其他"

    BRANCH_KINDS = (Kind.BRANCH, Kind.JOINT_BRANCH, Kind.TEMPORARY_BRANCH)
    UPPER_KINDS = (Kind.COMMITTEE, Kind.WORKING_COMMITTEE, Kind.GENERAL_BRANCH)

    code = models.CharField("组织编码", max_length=20, unique=True, validators=[code_validator])
    name = models.CharField("组织名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True, default="", db_default="")
    kind = models.CharField("组织类别", max_length=20, choices=Kind.choices)
    sector = models.CharField("单位性质", max_length=20, choices=Sector.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级组织",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    secretary_name = models.CharField("书记", max_length=50, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    has_committee = models.BooleanField("设支部委员会", default=False)
    committee_elected_on = models.DateField("本届委员会选举日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind in self.BRANCH_KINDS

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    @property
    def branch(self):
        """The branch an organization belongs to: itself, or a 党小组's parent."""
        if self.is_branch:
            return self
        if self.is_group:
            return self.parent
        return None

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def ancestors(self):
        return Organization.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    @property
    def committee_term_years(self) -> int:
        """Branch committees serve 5 years in villages and communities, 3 elsewhere."""
        return 5 if self.sector in (self.Sector.VILLAGE, self.Sector.COMMUNITY) else 3

    def committee_term_ends_on(self):
        if not self.committee_elected_on:
            return None
        start = self.committee_elected_on
        try:
            return start.replace(year=start.year + self.committee_term_years)
        except ValueError:  # 29 February
            return start.replace(year=start.year + self.committee_term_years, day=28)

    def clean(self):
        check_nesting(self.kind, self.parent, self)

    def compute_path(self) -> tuple[str, int]:
        prefix = self.parent.path if self.parent_id else ""
        depth = self.parent.depth + 1 if self.parent_id else 0
        return prefix + path_segment(self.pk), depth


def check_nesting(kind, parent, org=None) -> None:
    """Refuse impossible trees with a sentence a secretary understands."""
    kind_label = Organization.Kind(kind).label
    if kind == Organization.Kind.GROUP:
        if parent is None or parent.kind not in Organization.BRANCH_KINDS:
            raise ValidationError("党小组必须隶属于党支部（或联合党支部、临时党支部）。")
    elif parent is not None:
        if parent.kind == Organization.Kind.GROUP:
            raise ValidationError(f"{kind_label}不能设在党小组之下。")
        if kind in Organization.BRANCH_KINDS and parent.kind in Organization.BRANCH_KINDS:
            raise ValidationError(f"{kind_label}不能设在{parent.get_kind_display()}之下：支部不能再下设支部。")
        if kind in Organization.UPPER_KINDS and parent.kind in Organization.BRANCH_KINDS:
            raise ValidationError(f"{kind_label}不能设在{parent.get_kind_display()}之下。")
        if kind in (Organization.Kind.COMMITTEE, Organization.Kind.WORKING_COMMITTEE) and (
            parent.kind == Organization.Kind.GENERAL_BRANCH
        ):
            raise ValidationError(f"{kind_label}不能设在党总支之下。")
    if org is not None and org.pk and parent is not None:
        if parent.pk == org.pk or (org.path and parent.path.startswith(org.path)):
            raise ValidationError("上级组织不能是本组织或其下级组织（会形成循环）。")

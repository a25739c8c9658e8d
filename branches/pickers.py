"""Choosing an organization by typing part of its name or code (an autocomplete, not a code).

`OrganizationField` is the form field every organization choice uses: the browser suggests
organizations from `branches:org-pick` (the user's scope only, through the one door) in a
native <datalist>, refreshed by htmx as the user types; the field resolves what was typed
("1101 第一党支部", a code, or an exact name) among the organizations the form allows. Without
JavaScript it is a plain text box that still takes a code or a name.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.urls import reverse

from accounts.policy import Right
from branches.models import Organization

KINDS = {
    "branch": Organization.BRANCH_KINDS,  # 党支部, 联合党支部, 临时党支部
    "parent": tuple(k for k in Organization.Kind.values if k != Organization.Kind.GROUP),
    "any": tuple(Organization.Kind.values),
}
RIGHTS = {"see": Right.SEE, "change": Right.CHANGE}
LIMIT = 20


def shown(org: Organization) -> str:
    """What the text box holds once an organization is chosen: its code, then its name."""
    return f"{org.code} {org.name}"


def suggestions(user, text: str, *, kinds: str = "any", right: str = "see"):
    """At most LIMIT organizations of the user's scope whose name or code matches `text`."""
    orgs = Organization.objects.allowed(user, RIGHTS.get(right, Right.SEE)).filter(
        kind__in=KINDS.get(kinds, KINDS["any"]), dissolved_on__isnull=True
    )
    text = " ".join(text.split())
    if text:
        code, _, rest = text.partition(" ")
        condition = Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__startswith=text)
        if rest:  # "1101 第一党支部", as the box shows a chosen one
            condition |= Q(code=code)
        orgs = orgs.filter(condition)
    return orgs.order_by("path")[:LIMIT]


class OrganizationPicker(forms.TextInput):
    template_name = "branches/widgets/org_picker.html"

    def __init__(self, *, kinds="any", right="see", attrs=None):
        super().__init__(attrs={"autocomplete": "off", "placeholder": "输入名称或编码，从建议中选择",
                                **(attrs or {})})
        self.kinds, self.right = kinds, right

    def format_value(self, value):
        if isinstance(value, Organization):
            return shown(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        query = urlencode({"kinds": self.kinds, "right": self.right, "field": name})
        context["widget"]["pick_url"] = f"{reverse('branches:org-pick')}?{query}"
        context["widget"]["list_id"] = f"{context['widget']['attrs'].get('id') or name}-options"
        return context


class OrganizationField(forms.Field):
    """An organization typed or picked; `queryset` is where it is looked for.

    `also` (optional) is a wider set looked in only by exact code or exact full name, for the
    rare choice outside the user's scope that the action itself allows (a transfer to a branch
    of another district is addressed by its code, and the receiving side accepts it).
    """

    widget = OrganizationPicker

    def __init__(self, *, queryset=None, also=None, kinds="any", right="see", **kwargs):
        kwargs.setdefault("widget", OrganizationPicker(kinds=kinds, right=right))
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Organization.objects.none()
        self.also = also

    def prepare_value(self, value):
        """An initial pk or code is shown as the box shows a chosen organization."""
        if isinstance(value, int):
            return self.queryset.filter(pk=value).first() or value
        if isinstance(value, str) and value and " " not in value:
            return self.queryset.filter(code=value).first() or value
        return value

    def to_python(self, value):
        if isinstance(value, Organization):
            return value
        if isinstance(value, int):
            # Only the server's own initial value is an int (posted data is text): a disabled
            # field (the structure a branch secretary may not change) keeps the current parent.
            return Organization.objects.filter(pk=value).first()
        text = " ".join(str(value or "").split())
        if not text:
            return None
        found = resolve(self.queryset, text, loose=True)
        if found is None and self.also is not None:
            found = resolve(self.also, text, loose=False)
        if found is None:
            raise forms.ValidationError(
                f"找不到“{text}”：请输入名称或编码后从建议中选择，或填写完整的党组织编码。"
            )
        return found


def resolve(queryset, text: str, *, loose: bool) -> Organization | None:
    """The one organization `text` names: a code, "code name", an exact name, or (loose) a
    unique part of a name."""
    code, _, rest = text.partition(" ")
    found = queryset.filter(code=text).first()
    if found is None and rest:
        found = queryset.filter(code=code).first()
    if found is None:
        named = list(queryset.filter(name=text)[:2])
        found = named[0] if len(named) == 1 else None
    if found is None and loose:
        named = list(queryset.filter(name__icontains=text)[:2])
        found = named[0] if len(named) == 1 else None
    return found

"""visible_to / changeable_by against a reference implementation, over random trees and roles."""
import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from branches.models import Organization
from tests.factories import make_org

pytestmark = pytest.mark.django_db

UPPER = [Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH]


@st.composite
def trees_and_roles(draw):
    """A random forest (parent indexes), kinds consistent with the nesting rules, and roles."""
    size = draw(st.integers(min_value=1, max_value=25))
    parents, kinds = [], []
    for i in range(size):
        candidates = [j for j in range(i) if kinds[j] != Organization.Kind.GROUP]
        parent = draw(st.sampled_from([None, *candidates])) if candidates else None
        if parent is None or kinds[parent] in UPPER:
            kind = draw(st.sampled_from([*UPPER, Organization.Kind.BRANCH]))
        else:  # under a branch only a 党小组
            kind = Organization.Kind.GROUP
        parents.append(parent)
        kinds.append(kind)
    role_kinds = st.sampled_from(["org_admin", "secretary", "auditor"])
    roles = draw(st.lists(st.tuples(role_kinds, st.integers(0, size - 1)), max_size=4))
    staff = draw(st.booleans()) and draw(st.booleans())
    return parents, kinds, roles, staff


def reference_scope(parents, roles, kinds_allowed):
    """Every node whose ancestor-or-self holds a role of an allowed kind."""
    def ancestors(i):
        while i is not None:
            yield i
            i = parents[i]

    granted = {org for kind, org in roles if kind in kinds_allowed}
    return {i for i in range(len(parents)) if any(a in granted for a in ancestors(i))}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=trees_and_roles())
def test_scope_matches_reference(case):
    parents, kinds, roles, staff = case
    Role.objects.all().delete()
    Organization.objects.update(parent=None)
    Organization.objects.all().delete()
    user, _ = get_user_model().objects.get_or_create(username="p")
    orgs = []
    for i, (parent, kind) in enumerate(zip(parents, kinds, strict=True)):
        orgs.append(make_org(f"N{i}", f"组织{i}", kind, orgs[parent] if parent is not None else None))
    valid_roles = []
    for kind, index in roles:
        if kind == "secretary" and not orgs[index].is_branch:
            continue
        Role.objects.get_or_create(user=user, kind=kind, organization=orgs[index])
        valid_roles.append((kind, index))
    if staff:
        Role.objects.create(user=user, kind="staff")
    user = get_user_model().objects.get(pk=user.pk)  # fresh role cache

    code_of = {i: f"N{i}" for i in range(len(orgs))}
    everything = set(code_of.values())
    if staff:
        expect_read = expect_change = everything
    else:
        expect_read = {code_of[i] for i in reference_scope(parents, valid_roles,
                                                          {"org_admin", "secretary", "auditor"})}
        expect_change = {code_of[i] for i in reference_scope(parents, valid_roles,
                                                            {"org_admin", "secretary"})}
    assert set(Organization.objects.visible_to(user).values_list("code", flat=True)) == expect_read
    assert set(Organization.objects.changeable_by(user).values_list("code", flat=True)) == expect_change
